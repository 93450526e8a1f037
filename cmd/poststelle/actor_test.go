package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/identity"
	"poststelle/mailroom/store"
	"poststelle/mailroom/testcorpus"
)

// With operators configured, every command acting on behalf of a person
// needs that person's login and role: no password (and no terminal), a
// wrong one, a missing role each end with exit code 1 and a German /
// English message; the right operator acts, and the journal records the
// person with via "cli" and the OS user.
func TestCLIActsOnlyAsLoggedInOperator(t *testing.T) {
	bin := binary(t)
	data := t.TempDir()
	cfg := noSampleConfig(t, data)
	pw := map[string]string{}
	for login, role := range map[string]string{"frank": "freigabe", "petra": "pruefung", "vera": "verwaltung"} {
		pw[login] = secretFile(t, login+"-Passwort-1")
		if _, e, code := run(t, bin, "operator", "add", login, "--role", role, "--password-file", pw[login], "--config", cfg); code != 0 {
			t.Fatalf("operator add %s: %s", login, e)
		}
	}
	src := testcorpus.Path(t, "ocrmypdf", "linn.pdf")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"process", "--approve-as", "frank", src}, "kein Terminal: --password-file angeben"},
		{[]string{"process", "--approve-as", "frank", "--password-file", pw["petra"], src}, "Anmeldung fehlgeschlagen"},
		{[]string{"process", "--approve-as", "erika", "--password-file", pw["frank"], src}, "Anmeldung fehlgeschlagen"},
		{[]string{"process", "--approve-as", "petra", "--password-file", pw["petra"], src}, `Keine Berechtigung: petra hat die Rolle "freigabe" nicht`},
		{[]string{"quarantine", "retry", "--password-file", pw["vera"], "x"}, "Bearbeiter sind eingerichtet: --as NAME angeben"},
		{[]string{"quarantine", "release", "--as", "frank", "--password-file", pw["frank"], "x"}, `Keine Berechtigung: frank hat die Rolle "verwaltung" nicht`},
		{[]string{"outbox", "retry", "--as", "petra", "--password-file", pw["petra"], "x"}, `Keine Berechtigung: petra hat die Rolle "verwaltung" nicht`},
		{[]string{"destruction", "release", "--batch", "x", "--department", "20", "--person", "frank", "--password-file", pw["frank"]},
			`Keine Berechtigung: frank hat die Rolle "verwaltung" nicht`},
	} {
		// Flags before the arguments: after the first argument the flag
		// package stops reading flags.
		n := 1
		if c.args[0] == "destruction" {
			n = 2 // destruction release [flags]
		}
		args := append(append(append([]string{}, c.args[:n]...), "--config", cfg), c.args[n:]...)
		out, e, code := run(t, bin, args...)
		if code != 1 || !strings.Contains(e, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 saying %q", c.args, code, e, c.want)
		}
		if strings.Contains(out, `"type":"document"`) {
			t.Errorf("%v: processed a file although refused:\n%s", c.args, out)
		}
	}
	// A quarantined file: released by the operator with verwaltung.
	bad := filepath.Join(t.TempDir(), "notiz.txt")
	os.WriteFile(bad, []byte("keine PDF-Datei"), 0o644)
	out, e, code := run(t, bin, "process", "--config", cfg, bad)
	if code != 0 {
		t.Fatalf("process (intake needs no person): %s", e)
	}
	qid := jsonLines(t, out)[1]["id"].(string)
	if _, e, code := run(t, bin, "quarantine", "--config", cfg, "release", "--as", "vera", "--password-file", pw["vera"], qid); code != 0 {
		t.Fatalf("release by vera: %s", e)
	}
	// Frank approves with his password: the whole path to the DMS.
	out, e, code = run(t, bin, "process", "--config", cfg, "--approve-as", "frank", "--password-file", pw["frank"], src)
	if code != 0 {
		t.Fatalf("process --approve-as frank: %d %s", code, e)
	}
	d := jsonLines(t, out)[1]
	if d["state"] != "exported" || d["metadata"].(map[string]any)["approved_by"] != "frank" {
		t.Fatalf("document %v", d)
	}
	st, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	checkJournal(t, st, ctx, "approve", d["id"].(string), "frank")
	checkJournal(t, st, ctx, "quarantine-release", qid, "vera")
	refused, _ := st.Journal(ctx, mailroom.JournalFilter{Action: "forbidden"})
	// petra's approval, frank's quarantine release and destruction release,
	// petra's outbox retry (the retry without a name never got that far).
	if len(refused) != 4 {
		for _, r := range refused {
			t.Logf("forbidden: %s %s", r.Actor, r.Detail)
		}
		t.Fatalf("%d refusals journaled, want 4", len(refused))
	}
}

// checkJournal finds the entry of action on doc by actor and checks that it
// names the command line and the OS user.
func checkJournal(t *testing.T, st *store.Store, ctx context.Context, action, doc, actor string) {
	t.Helper()
	es, _ := st.Journal(ctx, mailroom.JournalFilter{DocumentID: doc, Action: action})
	if len(es) != 1 || es[0].Actor != actor {
		t.Fatalf("%s of %s: %+v", action, doc, es)
	}
	var det map[string]any
	json.Unmarshal([]byte(es[0].Detail), &det)
	if det["via"] != "cli" || det["os_user"] != identity.OSUser().Login || det["method"] != "local" {
		t.Fatalf("%s journaled without the channel: %s", action, es[0].Detail)
	}
}
