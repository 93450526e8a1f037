package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"poststelle/cmd/internal/clitest"
	"poststelle/mailroom/einvoice"
	"poststelle/mailroom/testcorpus"
)

func run(t *testing.T, bin string, args ...string) (string, string, int) {
	t.Helper()
	return clitest.Run(t, bin, args...)
}

func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// TestProcessQuarantineCycle: a file Poststelle cannot take is quarantined with
// a German/English reason, listed, retried (and quarantined again), released
// to the desk; the process output has the documented shape.
func TestProcessQuarantineCycle(t *testing.T) {
	bin := binary(t)
	data := t.TempDir()
	bad := filepath.Join(t.TempDir(), "notiz.txt")
	os.WriteFile(bad, []byte("Dies ist keine PDF-Datei."), 0o644)
	empty := filepath.Join(t.TempDir(), "leer.pdf")
	os.WriteFile(empty, nil, 0o644)
	out, stderr, code := run(t, bin, "process", "--data-dir", data, bad, empty)
	if code != 0 {
		t.Fatalf("process exit %d: %s", code, stderr)
	}
	lines := jsonLines(t, out)
	if len(lines) != 4 {
		t.Fatalf("want batch+document per file, got %d lines:\n%s", len(lines), out)
	}
	for i, l := range lines {
		wantType := []string{"batch", "document"}[i%2]
		if l["type"] != wantType {
			t.Fatalf("line %d type %v, want %s", i, l["type"], wantType)
		}
		if wantType == "batch" {
			for _, k := range []string{"id", "source", "page_count", "separators"} {
				if _, ok := l[k]; !ok {
					t.Errorf("batch line lacks %s", k)
				}
			}
			continue
		}
		for _, k := range []string{"id", "batch", "source", "state", "pages", "output", "metadata", "flags", "reason"} {
			if _, ok := l[k]; !ok {
				t.Errorf("document line lacks %s", k)
			}
		}
		if l["state"] != "quarantined" {
			t.Errorf("%v: state %v, want quarantined", l["source"], l["state"])
		}
		reason, _ := l["reason"].(string)
		if !strings.Contains(reason, " / ") {
			t.Errorf("reason not German / English: %q", reason)
		}
	}
	if r := lines[3]["reason"].(string); !strings.Contains(r, "leer") || !strings.Contains(r, "empty") {
		t.Errorf("empty file reason: %q", r)
	}
	// The original is kept.
	listOut, _, code := run(t, bin, "quarantine", "list", "--json", "--data-dir", data)
	if code != 0 {
		t.Fatal("quarantine list failed")
	}
	q := jsonLines(t, listOut)
	if len(q) != 2 {
		t.Fatalf("quarantine list: %d entries", len(q))
	}
	for _, e := range q {
		if _, err := os.Stat(e["original"].(string)); err != nil {
			t.Errorf("original of quarantined %v missing", e["file"])
		}
	}
	id := lines[1]["id"].(string)
	if _, se, code := run(t, bin, "quarantine", "release", "--data-dir", data, "--as", "pruefer", id); code != 0 {
		t.Fatalf("release: %s", se)
	}
	st, _, _ := run(t, bin, "status", "--json", "--data-dir", data)
	var s statusReport
	if err := json.Unmarshal([]byte(st), &s); err != nil {
		t.Fatal(err)
	}
	if s.Counts["review"] != 1 || s.Counts["quarantined"] != 1 || len(s.Sources) != 1 || s.Sources[0].Batches != 2 {
		t.Fatalf("status after release: %+v", s)
	}
	// Same file again: recognised as duplicate, not stored twice.
	out, _, _ = run(t, bin, "process", "--data-dir", data, bad)
	if l := jsonLines(t, out); len(l) < 1 || l[0]["duplicate"] != true {
		t.Fatalf("second process of the same file not reported as duplicate: %s", out)
	}
}

func TestConfigCommandAndUnknownKey(t *testing.T) {
	bin := binary(t)
	out, _, code := run(t, bin, "config")
	if code != 0 || !strings.Contains(out, "stable_delay = \"2s\"") || !strings.Contains(out, "# ") {
		t.Fatalf("config output:\n%s", out)
	}
	p := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(p, []byte("[intake]\nstable_delai = \"1s\"\n"), 0o600)
	_, stderr, code := run(t, bin, "status", "--config", p)
	if code == 0 || !strings.Contains(stderr, "intake.stable_delai") {
		t.Fatalf("unknown key not named: exit %d, %s", code, stderr)
	}
	// The effective configuration of a file decodes again.
	os.WriteFile(p, []byte("data_dir = \"d\"\n"), 0o600)
	out, stderr, code = run(t, bin, "config", "--config", p)
	if code != 0 {
		t.Fatal(stderr)
	}
	p2 := filepath.Join(t.TempDir(), "c2.toml")
	os.WriteFile(p2, []byte(out), 0o600)
	if _, stderr, code := run(t, bin, "status", "--config", p2); code != 0 {
		t.Fatalf("effective config does not load again: %s", stderr)
	}
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestServeHTTPHealthAndMetrics(t *testing.T) {
	bin := binary(t)
	data := t.TempDir()
	addr := freePort(t)
	cfg := testConfig(t, data, "")
	b, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, bytes.Replace(b, []byte(`listen = ""`), []byte(fmt.Sprintf("listen = %q", addr)), 1), 0o600)
	srv := startServe(t, bin, cfg, filepath.Join(t.TempDir(), "serve.log"))
	defer srv.stop(t)
	var body []byte
	for i := 0; i < 100; i++ {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(string(body), `"status":"ok"`) {
		t.Fatalf("healthz: %s", body)
	}
	os.WriteFile(filepath.Join(data, "inbox", "x.pdf"), []byte("%PDF-1.4 kaputt"), 0o644)
	var metrics string
	for i := 0; i < 100; i++ {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		m, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		metrics = string(m)
		if strings.Contains(metrics, `poststelle_intake_total{outcome="stored",source="folder:eingang"} 1`) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, want := range []string{`poststelle_intake_total{outcome="stored",source="folder:eingang"} 1`, `poststelle_documents{state="review"}`, "process_resident_memory_bytes"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestProcessApproveAsDelivers runs the whole path from file to DMS from the
// command line: recognition, approval on behalf of a person, evidence,
// delivery to the embedded default folder target, and verify on the result.
func TestProcessApproveAsDelivers(t *testing.T) {
	bin := binary(t)
	data := t.TempDir()
	cfg := noSampleConfig(t, data)
	src := testcorpus.Path(t, "ocrmypdf", "linn.pdf")
	out, stderr, code := run(t, bin, "process", "--config", cfg, "--approve-as", "Erika Muster", src)
	if code != 0 {
		t.Fatalf("process exit %d: %s", code, stderr)
	}
	lines := jsonLines(t, out)
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got:\n%s", out)
	}
	d := lines[1]
	if d["state"] != "exported" {
		t.Fatalf("state %v (reason %v)", d["state"], d["reason"])
	}
	meta := d["metadata"].(map[string]any)
	if meta["approved_by"] != "Erika Muster" {
		t.Errorf("approved_by %v", meta["approved_by"])
	}
	rc, ok := d["receipt"].(map[string]any)
	if !ok || rc["target"] != "ablage" || rc["object_id"] == "" {
		t.Fatalf("receipt %v", d["receipt"])
	}
	dir := filepath.Join(data, "export", d["id"].(string))
	for _, f := range []string{"transfervermerk.xml", "metadata.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("export lacks %s: %v", f, err)
		}
	}
	pdfs, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	if len(pdfs) != 1 {
		t.Fatalf("export PDFs: %v", pdfs)
	}
	if txt, err := exec.Command("pdftotext", pdfs[0], "-").Output(); err != nil || !strings.Contains(strings.ToLower(string(txt)), "linn") {
		t.Errorf("exported PDF not searchable: %v", err)
	}
	if vout, verr, code := run(t, bin, "verify", "--data-dir", data, dir); code != 0 {
		t.Errorf("verify of the export failed (exit %d):\n%s\n%s", code, vout, verr)
	}
	// The whole folder target at once: every document folder in it.
	if vout, verr, code := run(t, bin, "verify", "--json", "--data-dir", data, filepath.Join(data, "export")); code != 0 || !strings.Contains(vout, d["id"].(string)) {
		t.Errorf("verify of the export root failed (exit %d):\n%s\n%s", code, vout, verr)
	}
	// The journal names the person.
	j, _, _ := run(t, bin, "status", "--json", "--data-dir", data)
	if !strings.Contains(j, `"exported": 1`) {
		t.Errorf("status: %s", j)
	}
}

// An empty destruction list says so instead of printing nothing; --all names
// the reason for every batch.
func TestDestructionListEmptySaysSo(t *testing.T) {
	bin := binary(t)
	data := t.TempDir()
	out, stderr, code := run(t, bin, "destruction", "list", "--data-dir", data)
	if code != 0 || !strings.Contains(out, "Derzeit darf kein Papieroriginal vernichtet werden") {
		t.Fatalf("empty list: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if out, _, code = run(t, bin, "destruction", "list", "--csv", "-", "--data-dir", data); code != 0 || strings.Contains(out, "Derzeit") {
		t.Fatalf("CSV output must stay pure CSV: exit %d, %q", code, out)
	}
}

// barcodes on a directory says so (it said "unsupported file format").
func TestBarcodesOnDirectory(t *testing.T) {
	bin := binary(t)
	_, stderr, code := run(t, bin, "barcodes", t.TempDir())
	if code != 1 || !strings.Contains(stderr, "ist ein Verzeichnis") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// TestDocumentOfRecordDelivered: an e-invoice (XML and ZUGFeRD PDF) is
// delivered unchanged as the document, with its readable rendition beside it;
// verify checks the delivered original and names it when it is changed.
func TestDocumentOfRecordDelivered(t *testing.T) {
	bin := binary(t)
	data := t.TempDir()
	cfg := noSampleConfig(t, data)
	for _, src := range []string{
		testcorpus.Path(t, "einvoice", "xrechnung", "01.01a-INVOICE_ubl.xml"),
		testcorpus.Path(t, "einvoice", "zugferd", "EN16931_Einfach.pdf"),
	} {
		out, stderr, code := run(t, bin, "process", "--config", cfg, "--approve-as", "Erika Muster", src)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", src, code, stderr)
		}
		lines := jsonLines(t, out)
		d := lines[len(lines)-1]
		if d["state"] != "exported" {
			t.Fatalf("%s: state %v", src, d["state"])
		}
		dir := filepath.Join(data, "export", d["id"].(string))
		want, _ := os.ReadFile(src)
		got, err := os.ReadFile(filepath.Join(dir, filepath.Base(src)))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: original not delivered unchanged under its name: %v", src, err)
		}
		renditions, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
		// The e-invoice check's Prüfbericht is delivered too; it is no rendition.
		renditions = slices.DeleteFunc(renditions, func(p string) bool { return filepath.Base(p) == einvoice.ReportName })
		if _, err := os.Stat(filepath.Join(dir, einvoice.ReportName)); err != nil {
			t.Errorf("%s: Prüfbericht not delivered: %v", src, err)
		}
		if len(renditions) < 1 || (strings.HasSuffix(src, ".pdf") && len(renditions) != 2) {
			t.Errorf("%s: rendition missing beside the original: %v", src, renditions)
		}
		if o, e, code := run(t, bin, "verify", "--data-dir", data, dir); code != 0 {
			t.Fatalf("%s: verify exit %d:\n%s\n%s", src, code, o, e)
		}
		got[len(got)/2] ^= 1
		os.WriteFile(filepath.Join(dir, filepath.Base(src)), got, 0o644)
		o, _, code := run(t, bin, "verify", "--json", "--data-dir", data, dir)
		if code == 0 || !strings.Contains(o, "document-hash") {
			t.Errorf("%s: a changed original must fail verify naming document-hash; exit %d\n%s", src, code, o)
		}
	}
}

// noSampleConfig is the default configuration with data in data and no QA
// sample: `--approve-as` approves without a QA record, which the policy
// refuses for documents in the sample (a random 3 % by default).
func noSampleConfig(t *testing.T, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "poststelle.toml")
	body := fmt.Sprintf("data_dir = %q\n[http]\nlisten = \"\"\n[evidence]\nqa_sample_rate = 0.0\n", data)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
