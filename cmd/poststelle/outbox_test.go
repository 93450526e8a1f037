package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/dms/cmis/cmistest"
	"poststelle/mailroom/store"
	"poststelle/mailroom/testcorpus"
)

// TestOutboxListRetryCLI delivers to a CMIS test repository that refuses the
// credentials (401, a permanent error): the entry is held, `outbox list
// --json` shows it with its error, the document carries the reason;
// `outbox retry` (with the password fixed) queues it again, clears the
// reason, and `serve` then delivers it.
func TestOutboxListRetryCLI(t *testing.T) {
	bin := binary(t)
	repo := cmistest.New(t.TempDir(), "poststelle", "richtig")
	srv := httptest.NewServer(repo)
	defer srv.Close()
	data := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "poststelle.toml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`data_dir = %q
[log]
format = "json"
[http]
listen = ""
[evidence]
# approval without QA: no document may fall into the QA sample
qa_sample_rate = 0.0
[outbox]
poll_interval = "100ms"
backoff = "200ms"
[[targets]]
name = "dms"
type = "cmis"
url = "%s/browser"
repository = %q
folder = "/"
user = "poststelle"
password_env = "TEST_CMIS_PW"
retries = 0
`, data, srv.URL, cmistest.Repository)), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TEST_CMIS_PW", "falsch")
	out, stderr, code := run(t, bin, "process", "--config", cfg, "--approve-as", "Erika Muster", testcorpus.Path(t, "ocrmypdf", "linn.pdf"))
	lines := jsonLines(t, out)
	if len(lines) != 2 {
		t.Fatalf("process exit %d:\n%s\n%s", code, out, stderr)
	}
	doc := lines[1]
	docID := doc["id"].(string)
	reason, _ := doc["reason"].(string)
	if doc["state"] != "exporting" || !strings.Contains(reason, "Zustellung an dms angehalten") || !strings.Contains(reason, "401") {
		t.Fatalf("process document line: state %v reason %q", doc["state"], reason)
	}
	if code != 1 || !strings.Contains(stderr, "not approved or not delivered") {
		t.Errorf("process --approve-as with a failed delivery: exit %d, want 1 with a message; stderr:\n%s", code, stderr)
	}

	out, stderr, code = run(t, bin, "outbox", "list", "--json", "--config", cfg)
	es := jsonLines(t, out)
	if code != 0 || len(es) != 1 {
		t.Fatalf("outbox list exit %d:\n%s\n%s", code, out, stderr)
	}
	e := es[0]
	lastErr, _ := e["last_error"].(string)
	if e["status"] != "held" || e["document_id"] != docID || e["target"] != "dms" || e["attempts"] != float64(1) ||
		!strings.Contains(lastErr, "authentication rejected") {
		t.Fatalf("outbox entry %v", e)
	}
	if txt, _, _ := run(t, bin, "outbox", "list", "--config", cfg); !strings.Contains(txt, "ANGEHALTEN/held") || !strings.Contains(txt, "authentication rejected") {
		t.Errorf("outbox list (text):\n%s", txt)
	}
	if _, _, code := run(t, bin, "outbox", "retry", "--config", cfg, "no-such-id"); code != 1 {
		t.Errorf("retry of an unknown id: exit %d, want 1", code)
	}

	// The password is fixed; the operator retries the document.
	t.Setenv("TEST_CMIS_PW", "richtig")
	out, stderr, code = run(t, bin, "outbox", "retry", "--config", cfg, "--as", "Olaf Operator", docID)
	if code != 0 || !strings.Contains(out, docID+": 1 Zustellung") {
		t.Fatalf("outbox retry exit %d:\n%s\n%s", code, out, stderr)
	}
	out, _, _ = run(t, bin, "outbox", "list", "--json", "--config", cfg)
	if es := jsonLines(t, out); len(es) != 1 || es[0]["status"] != "pending" {
		t.Fatalf("after retry: %s", out)
	}
	ctx := context.Background()
	st, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	d, err := st.Document(ctx, docID)
	if err != nil || d.Reason != "" || d.State != mailroom.StateExporting {
		t.Fatalf("after retry: %v state %s reason %q", err, d.State, d.Reason)
	}
	j, _ := st.Journal(ctx, mailroom.JournalFilter{Action: "export-retry"})
	if len(j) != 1 || j[0].Actor != "Olaf Operator" || j[0].DocumentID != docID {
		t.Fatalf("export-retry journal: %+v", j)
	}
	st.Close()

	s := startServe(t, bin, cfg, filepath.Join(t.TempDir(), "serve.log"))
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, _, _ = run(t, bin, "outbox", "list", "--all", "--json", "--config", cfg)
		if es := jsonLines(t, out); len(es) == 1 && es[0]["status"] == "done" {
			break
		}
		if time.Now().After(deadline) {
			s.stop(t)
			logs, _ := os.ReadFile(s.logs.Name())
			t.Fatalf("not delivered after retry: %s\n%s", out, logs)
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.stop(t)
	pdfs := 0
	for _, d := range repo.Documents() {
		if strings.HasSuffix(d.Name, "_"+docID+".pdf") {
			pdfs++
		}
	}
	if pdfs != 1 {
		t.Errorf("CMIS repository holds %d copies of the document, want 1: %+v", pdfs, repo.Documents())
	}
}
