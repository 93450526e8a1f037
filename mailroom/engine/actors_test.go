package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/store"
)

func actor(login string, via mailroom.Via, roles ...mailroom.Role) mailroom.Actor {
	return mailroom.Actor{Principal: mailroom.Principal{Login: login, Name: strings.ToUpper(login[:1]) + login[1:], Roles: roles,
		Method: mailroom.AuthLocal}, Via: via, From: "192.0.2.7:4711"}
}

// reviewDocument takes a file in and runs it to review.
func reviewDocument(t *testing.T, e *engine.Engine, st *store.Store, name string) *mailroom.Document {
	t.Helper()
	e.Opener, e.Recognition = opener{n: 2}, &recognition{}
	b := intake(t, e, name, "%PDF-1.7 "+name)
	if err := e.ProcessBatch(context.Background(), b.ID); err != nil {
		t.Fatal(err)
	}
	docs, _ := st.Documents(context.Background(), mailroom.DocFilter{BatchID: b.ID})
	if len(docs) != 1 || docs[0].State != mailroom.StateReview {
		t.Fatalf("not in review: %+v", docs)
	}
	return docs[0]
}

var qaPassed = mailroom.QAResult{Complete: true, Legible: true, Matches: true}

// Every action checks its role in the engine; a refusal is a German /
// English InputError with ErrForbidden, journaled as "forbidden" with the
// channel, and changes nothing.
func TestRolesEnforced(t *testing.T) {
	e, st := newEngine(t)
	ctx := context.Background()
	d := reviewDocument(t, e, st, "a.pdf")
	ref := mailroom.Ref{ID: d.ID, Version: d.Version}
	pruefer := actor("petra", mailroom.ViaAPI, mailroom.RolePruefung)
	erfasser := actor("erik", mailroom.ViaDesk, mailroom.RoleErfassung)
	ops := &engine.PageOps{Store: st, Docs: st}
	checks := map[string]func() error{
		"approve by pruefung": func() error { _, err := e.Approve(ctx, pruefer, ref); return err },
		"reject by erfassung": func() error { _, err := e.Reject(ctx, erfasser, ref, "x"); return err },
		"qa by erfassung":     func() error { _, err := e.RecordQA(ctx, erfasser, ref, qaPassed); return err },
		"rotate by pruefung":  func() error { _, err := ops.Rotate(ctx, pruefer, ref, 0, 90); return err },
		"split by pruefung":   func() error { _, _, err := ops.Split(ctx, pruefer, ref, 1); return err },
		"release by erfassung": func() error {
			_, err := e.ReleaseQuarantined(ctx, erfasser, ref)
			return err
		},
		"outbox retry by pruefung": func() error { _, err := e.RetryDelivery(ctx, pruefer, d.ID); return err },
		"metadata without a role": func() error {
			_, err := e.UpdateMetadata(ctx, actor("vera", mailroom.ViaCLI, mailroom.RoleVerwaltung), ref, map[string]string{"x": "y"})
			return err
		},
	}
	for name, f := range checks {
		err := f()
		ie, ok := mailroom.AsInputError(err)
		if !errors.Is(err, mailroom.ErrForbidden) || !ok || !strings.Contains(ie.DE, "Keine Berechtigung") {
			t.Errorf("%s: %v, want a refusal (ErrForbidden, German text)", name, err)
		}
	}
	now, _ := st.Document(ctx, d.ID)
	if now.Version != d.Version || now.State != mailroom.StateReview {
		t.Fatalf("a refused action changed the document: version %d→%d, %s", d.Version, now.Version, now.State)
	}
	refused, _ := st.Journal(ctx, mailroom.JournalFilter{Action: "forbidden"})
	if len(refused) != len(checks) {
		t.Fatalf("%d refusals journaled, want %d", len(refused), len(checks))
	}
	var det map[string]string
	for _, r := range refused {
		if r.Actor == "petra" && strings.Contains(r.Detail, `"approve"`) {
			json.Unmarshal([]byte(r.Detail), &det)
		}
	}
	if det["via"] != "api" || det["client"] != "192.0.2.7:4711" || det["needs"] != "freigabe" {
		t.Fatalf("refusal detail %v", det)
	}
	// The right roles pass, and the journal names who acted and via what.
	if _, err := e.RecordQA(ctx, pruefer, ref, qaPassed); err != nil {
		t.Fatal(err)
	}
	es, _ := st.Journal(ctx, mailroom.JournalFilter{DocumentID: d.ID, Action: "qa"})
	if len(es) != 1 || es[0].Actor != "petra" || !strings.Contains(es[0].Detail, `"via":"api"`) || !strings.Contains(es[0].Detail, `"person":"petra"`) {
		t.Fatalf("qa entry %+v", es)
	}
}

// A change made on an old version is refused with a German message naming
// who changed the document; nothing is overwritten.
func TestStaleVersionRefused(t *testing.T) {
	e, st := newEngine(t)
	ctx := context.Background()
	d := reviewDocument(t, e, st, "b.pdf")
	all := mailroom.Roles()
	anna, bert := actor("anna", mailroom.ViaAPI, all...), actor("bert", mailroom.ViaDesk, all...)
	shown := mailroom.Ref{ID: d.ID, Version: d.Version}
	nd, err := e.UpdateMetadata(ctx, anna, shown, map[string]string{"subject": "von Anna"})
	if err != nil {
		t.Fatal(err)
	}
	if nd.Version != d.Version+1 {
		t.Fatalf("version %d after a change of %d", nd.Version, d.Version)
	}
	_, err = e.UpdateMetadata(ctx, bert, shown, map[string]string{"subject": "von Bert"})
	ie, ok := mailroom.AsInputError(err)
	if !errors.Is(err, mailroom.ErrStale) || !ok || !strings.Contains(ie.DE, "inzwischen von anna geändert") ||
		!strings.Contains(ie.DE, "nicht gespeichert") {
		t.Fatalf("stale change: %v", err)
	}
	for name, f := range map[string]func() error{
		"approve": func() error { _, err := e.Approve(ctx, bert, shown); return err },
		"rotate": func() error {
			_, err := (&engine.PageOps{Store: st, Docs: st}).Rotate(ctx, bert, shown, 0, 90)
			return err
		},
		"qa": func() error { _, err := e.RecordQA(ctx, bert, shown, qaPassed); return err },
	} {
		if err := f(); !errors.Is(err, mailroom.ErrStale) {
			t.Errorf("%s on an old version: %v", name, err)
		}
	}
	now, _ := st.Document(ctx, d.ID)
	if now.Metadata["subject"] != "von Anna" || now.State != mailroom.StateReview || now.Version != nd.Version {
		t.Fatalf("overwritten: %+v", now)
	}
	if _, err := e.UpdateMetadata(ctx, bert, mailroom.Ref{ID: d.ID, Version: now.Version}, map[string]string{"subject": "von Bert"}); err != nil {
		t.Fatalf("change on the current version: %v", err)
	}
}

// A document open at one desk (a lease) cannot be changed by another person
// until the lease is given up or runs out.
func TestDeskLease(t *testing.T) {
	e, st := newEngine(t)
	ctx := context.Background()
	e.DeskLease = 300 * time.Millisecond
	d := reviewDocument(t, e, st, "c.pdf")
	all := mailroom.Roles()
	anna, bert := actor("anna", mailroom.ViaAPI, all...), actor("bert", mailroom.ViaAPI, all...)
	l, err := e.Hold(ctx, anna, d.ID)
	if err != nil || l.Login != "anna" || l.Name != "Anna" {
		t.Fatalf("hold: %+v %v", l, err)
	}
	if l, _ := e.Hold(ctx, bert, d.ID); l.Login != "anna" {
		t.Fatalf("bert took anna's lease: %+v", l)
	}
	ref := mailroom.Ref{ID: d.ID, Version: d.Version}
	_, err = e.Reject(ctx, bert, ref, "doppelt")
	ie, ok := mailroom.AsInputError(err)
	if !errors.Is(err, mailroom.ErrLocked) || !ok || !strings.Contains(ie.DE, "in Bearbeitung durch Anna (anna)") {
		t.Fatalf("change under another's lease: %v", err)
	}
	if cur, _ := st.Document(ctx, d.ID); cur.Desk == nil || cur.Desk.Login != "anna" || cur.Version != d.Version {
		t.Fatalf("lease not stored or version changed: %+v", cur)
	}
	// Renewing keeps it; leaving frees it.
	if _, err := e.Hold(ctx, anna, d.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.Leave(ctx, bert, d.ID); err != nil {
		t.Fatal(err)
	}
	if l, _ := e.Hold(ctx, bert, d.ID); l.Login != "anna" {
		t.Fatal("bert's leave dropped anna's lease")
	}
	if err := e.Leave(ctx, anna, d.ID); err != nil {
		t.Fatal(err)
	}
	if l, _ := e.Hold(ctx, bert, d.ID); l.Login != "bert" {
		t.Fatalf("lease after anna left: %+v", l)
	}
	// Bert's lease runs out by itself.
	time.Sleep(400 * time.Millisecond)
	if _, err := e.Reject(ctx, anna, ref, "doppelt"); err != nil {
		t.Fatalf("change after bert's lease ran out: %v", err)
	}
}

// scanned_by comes from the source, never from the item's own metadata.
func TestScannedBy(t *testing.T) {
	cases := []struct {
		name     string
		prof     mailroom.Profile
		meta     map[string]string
		operator string
		want     string
	}{
		{"station", mailroom.Profile{ScannedBy: "sven"}, nil, "", "sven"},
		{"operator folder", mailroom.Profile{OperatorFolders: true}, map[string]string{"subfolder_1": "Anna"}, "", "anna"},
		{"operator folder, no sub-folder", mailroom.Profile{OperatorFolders: true}, nil, "", ""},
		{"bad folder name", mailroom.Profile{OperatorFolders: true}, map[string]string{"subfolder_1": "a b*"}, "", ""},
		{"injected", mailroom.Profile{}, map[string]string{"scanned_by": "mallory"}, "", ""},
		{"logged-in importer wins", mailroom.Profile{ScannedBy: "sven"}, map[string]string{"scanned_by": "mallory"}, "petra", "petra"},
		{"mail", mailroom.Profile{ScannedBy: mailroom.ScannedByMail}, nil, "", "E-Mail-Eingang"},
	}
	for _, c := range cases {
		it := engine.WithScannedBy(mailroom.Item{Profile: c.prof, Metadata: c.meta}, c.operator)
		if got := it.Metadata[mailroom.MetaScannedBy]; got != c.want {
			t.Errorf("%s: scanned_by %q, want %q", c.name, got, c.want)
		}
	}
	// Through Accept into the batch and the document.
	e, st := newEngine(t)
	ctx := context.Background()
	p := t.TempDir() + "/s.pdf"
	writeFile(t, p, "%PDF-1.7 s")
	if err := e.Accept(ctx, mailroom.Item{Source: "folder:station", Profile: mailroom.Profile{Name: "x", ScannedBy: "sven"}, Path: p,
		Metadata: map[string]string{"scanned_by": "mallory"}}); err != nil {
		t.Fatal(err)
	}
	docs, _ := st.Documents(ctx, mailroom.DocFilter{})
	b, _ := st.Batch(ctx, docs[0].BatchID)
	if docs[0].Metadata["scanned_by"] != "sven" || b.Metadata["scanned_by"] != "sven" {
		t.Fatalf("accepted: document %q, batch %q", docs[0].Metadata["scanned_by"], b.Metadata["scanned_by"])
	}
}

func writeFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), 0o640); err != nil {
		t.Fatal(err)
	}
}
