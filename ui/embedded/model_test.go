package embedded_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"poststelle/barcode"
	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/identity"
	"poststelle/mailroom/store"
	"poststelle/mailroom/testcorpus"
	"poststelle/scan/pages"
	"poststelle/ui/embedded"
)

type fixture struct {
	cfg *mailroom.Config
	st  *store.Store
	e   *engine.Engine
	m   *embedded.Model
}

func newFixture(t *testing.T, ops ...mailroom.OperatorConfig) *fixture {
	t.Helper()
	cfg, err := mailroom.Default(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Operators = ops
	st, err := store.Open(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	op := pages.NewOpener(pages.Options{})
	e := &engine.Engine{Config: cfg, Store: st, Opener: op, OneShot: true}
	m := embedded.New(cfg, st, e, op)
	t.Cleanup(m.Renderer().Close)
	return &fixture{cfg, st, e, m}
}

// intake takes a corpus file in and runs the pipeline until it rests.
func (f *fixture) intake(t *testing.T, prof mailroom.Profile, meta map[string]string, rel ...string) []*mailroom.Document {
	t.Helper()
	ctx := context.Background()
	src := testcorpus.Path(t, rel...)
	b, _, err := f.st.Intake(ctx, mailroom.Item{Source: "folder:eingang", Profile: prof, Path: src, Name: filepath.Base(src), Metadata: meta})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.e.ProcessBatch(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	docs, err := f.st.Documents(ctx, mailroom.DocFilter{BatchID: b.ID})
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

var normal = mailroom.Profile{Name: "eingang", Protection: mailroom.ProtectionNormal, Class: "Eingangspost"}

// hash makes an argon2id operator hash (mailroom/identity).
func hash(pw string) string {
	h, err := identity.HashPassword(pw)
	if err != nil {
		panic(err)
	}
	return h
}

func TestLoginOperatorsAndFailedLoginsJournaled(t *testing.T) {
	f := newFixture(t, mailroom.OperatorConfig{Login: "anna", Name: "Anna Schmidt", PasswordHash: hash("geheim")})
	ctx := context.Background()
	if !f.m.NeedsPassword() {
		t.Fatal("operators configured but no password needed")
	}
	if _, err := f.m.Login(ctx, "anna", "falsch"); !errors.Is(err, embedded.ErrLogin) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := f.m.Login(ctx, "niemand", "geheim"); err == nil {
		t.Fatal("unknown user logged in")
	}
	op, err := f.m.Login(ctx, "anna", "geheim")
	if err != nil {
		t.Fatal(err)
	}
	if op.Person() != "anna" || op.Name != "Anna Schmidt" {
		t.Fatalf("operator %+v", op)
	}
	failed, _ := f.st.Journal(ctx, mailroom.JournalFilter{Action: "login-failed"})
	if len(failed) != 2 {
		t.Fatalf("%d failed logins journaled, want 2", len(failed))
	}
	for _, e := range failed {
		if contains(e.Detail, "falsch") || contains(e.Detail, "geheim") {
			t.Fatalf("password in the journal: %s", e.Detail)
		}
	}
	ok, _ := f.st.Journal(ctx, mailroom.JournalFilter{Action: "login"})
	if len(ok) != 1 || ok[0].Actor != "anna" {
		t.Fatalf("login entries %+v", ok)
	}
}

func contains(s, sub string) bool {
	return len(sub) > 0 && len(s) >= len(sub) && (s == sub || index(s, sub) >= 0)
}

func index(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestLoginOSUser(t *testing.T) {
	f := newFixture(t)
	if f.m.NeedsPassword() {
		t.Fatal("no operators but password needed")
	}
	op, err := f.m.Login(context.Background(), "", "")
	if err != nil || op.Login == "" {
		t.Fatalf("%+v %v", op, err)
	}
}

func TestDocumentsPagesAndImages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	docs := f.intake(t, normal, nil, "ocrmypdf", "multipage.pdf")
	if len(docs) != 1 || docs[0].State != mailroom.StateReview {
		t.Fatalf("pipeline: %d docs, %s", len(docs), docs[0].State)
	}
	rows, err := f.m.Documents(ctx, mailroom.StateReview)
	if err != nil || len(rows) != 1 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	if rows[0].Pages != 6 || rows[0].Source != "folder:eingang" || rows[0].Filename != "multipage.pdf" || rows[0].Class != "Eingangspost" {
		t.Fatalf("row %+v", rows[0])
	}
	c, _ := f.m.Counts(ctx)
	if c[mailroom.StateReview] != 1 {
		t.Fatalf("counts %v", c)
	}
	v, err := f.m.Document(ctx, docs[0].ID)
	if err != nil || len(v.Pages) != 6 || v.Pages[2].Source != 3 {
		t.Fatalf("view %+v %v", v, err)
	}
	img, err := f.m.PageImage(ctx, docs[0].ID, 1, 0, 400)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if max(b.Dx(), b.Dy()) != 400 || b.Dy() <= b.Dx() {
		t.Fatalf("portrait page rendered %v", b)
	}
	rot, err := f.m.PageImage(ctx, docs[0].ID, 1, 90, 400)
	if err != nil {
		t.Fatal(err)
	}
	if rb := rot.Bounds(); rb.Dx() != b.Dy() || rb.Dy() != b.Dx() {
		t.Fatalf("rotated %v from %v", rb, b)
	}
	// Thumbnails are cached on disk.
	if _, err := f.m.PageImage(ctx, docs[0].ID, 2, 0, 160); err != nil {
		t.Fatal(err)
	}
	matches, _ := filepath.Glob(filepath.Join(f.cfg.DataDir, "work", "desk-thumbs", "*", "2-160.jpg"))
	if len(matches) != 1 {
		t.Fatalf("thumbnail not cached on disk: %v", matches)
	}
	if _, err := f.m.PageImage(ctx, docs[0].ID, 99, 0, 160); err == nil {
		t.Fatal("page 99 rendered")
	}
}

// ref is the document with the version the desk would show now.
func (f *fixture) ref(t *testing.T, id string) mailroom.Ref {
	t.Helper()
	v, err := f.m.Document(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return v.Ref()
}

// login logs the fixture's model in (the OS user without operators).
func (f *fixture) login(t *testing.T, login, password string) {
	t.Helper()
	if _, err := f.m.Login(context.Background(), login, password); err != nil {
		t.Fatal(err)
	}
}

func TestSplitApplyQAApprove(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.login(t, "", "")
	f.e.Policy = &evidence.Policy{SampleRate: 1} // every document needs a passed QA
	docs := f.intake(t, normal, nil, "ocrmypdf", "multipage.pdf")
	id := docs[0].ID
	tail, err := f.m.Split(ctx, f.ref(t, id), 4)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.m.Rotate(ctx, f.ref(t, tail), 0, 90); err != nil {
		t.Fatal(err)
	}
	if err := f.m.Approve(ctx, f.ref(t, id)); !errors.Is(err, mailroom.ErrNotAllowed) {
		t.Fatalf("approve with unapplied page changes: %v", err)
	}
	for _, d := range []string{id, tail} {
		if err := f.m.ApplyPages(ctx, f.ref(t, d)); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := f.st.Batch(ctx, docs[0].BatchID)
	if err := f.e.ProcessBatch(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{id, tail} {
		v, err := f.m.Document(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if v.State != mailroom.StateReview || v.Changed() {
			t.Fatalf("%s after re-making: %s changed=%v", d, v.State, v.Changed())
		}
		if err := f.m.Approve(ctx, v.Ref()); !errors.Is(err, mailroom.ErrNotAllowed) {
			t.Fatalf("approve without QA under sample rate 1: %v", err)
		}
		// The three changes are made on the version shown, one after the
		// other, as the desk does (the model carries its own new versions).
		qa := mailroom.QAResult{Person: "anna", Complete: true, Legible: true, Matches: true, ExpectedPages: len(v.Pages), ActualPages: len(v.Pages)}
		if err := f.m.RecordQA(ctx, v.Ref(), qa); err != nil {
			t.Fatal(err)
		}
		if err := f.m.UpdateMetadata(ctx, v.Ref(), map[string]string{"subject": "Test", "sender": "Stadtwerke"}); err != nil {
			t.Fatal(err)
		}
		if err := f.m.Approve(ctx, v.Ref()); err != nil {
			t.Fatal(err)
		}
	}
	hd, _ := f.st.Document(ctx, id)
	tl, _ := f.st.Document(ctx, tail)
	if hd.State != mailroom.StateApproved || tl.State != mailroom.StateApproved {
		t.Fatalf("states %s %s", hd.State, tl.State)
	}
	if len(hd.Pages) != 4 || len(tl.Pages) != 2 || mailroom.Rotations(tl)[5] != 90 {
		t.Fatalf("pages %v %v rot %v", hd.Pages, tl.Pages, mailroom.Rotations(tl))
	}
}

func TestFourEyesAndProtection(t *testing.T) {
	all := []string{"erfassung", "pruefung", "freigabe"}
	f := newFixture(t, mailroom.OperatorConfig{Login: "anna", PasswordHash: hash("anna-geheim"), Roles: all},
		mailroom.OperatorConfig{Login: "bernd", PasswordHash: hash("bernd-geheim"), Roles: all})
	ctx := context.Background()
	f.e.Policy = &evidence.Policy{}
	prof := mailroom.Profile{Name: "eingang", Protection: mailroom.ProtectionSehrHoch}
	docs := f.intake(t, prof, map[string]string{"scanned_by": "bernd"}, "ocrmypdf", "multipage.pdf")
	id := docs[0].ID
	v, _ := f.m.Document(ctx, id)
	if v.ScannedBy != "bernd" {
		t.Fatalf("scanned by %q", v.ScannedBy)
	}
	f.login(t, "anna", "anna-geheim")
	bernd := embedded.New(f.cfg, f.st, f.e, nil)
	if _, err := bernd.Login(ctx, "bernd", "bernd-geheim"); err != nil {
		t.Fatal(err)
	}
	qa := mailroom.QAResult{Person: "anna", Complete: true, Legible: true, Matches: true}
	if err := f.m.RecordQA(ctx, f.ref(t, id), qa); err != nil {
		t.Fatal(err)
	}
	if err := bernd.Approve(ctx, f.ref(t, id)); !errors.Is(err, mailroom.ErrNotAllowed) {
		t.Fatalf("the scanner approved a 'sehr hoch' document: %v", err)
	}
	if err := f.m.SetProtection(ctx, f.ref(t, id), mailroom.ProtectionNormal); err == nil {
		t.Fatal("protection lowered")
	}
	if err := f.m.Approve(ctx, f.ref(t, id)); err != nil {
		t.Fatal(err)
	}
}

func TestQuarantineRetryRelease(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.login(t, "", "")
	docs := f.intake(t, normal, nil, "badpdf", "bad1.pdf")
	if docs[0].State != mailroom.StateQuarantined || docs[0].Reason == "" {
		t.Fatalf("bad1.pdf: %s %q", docs[0].State, docs[0].Reason)
	}
	rows, _ := f.m.Documents(ctx, mailroom.StateQuarantined)
	if len(rows) != 1 || rows[0].Reason == "" {
		t.Fatalf("quarantine rows %+v", rows)
	}
	if err := f.m.Retry(ctx, rows[0].Ref()); err != nil {
		t.Fatal(err)
	}
	d, _ := f.st.Document(ctx, docs[0].ID)
	if d.State != mailroom.StateReceived {
		t.Fatalf("retry → %s", d.State)
	}
	f.e.ProcessBatch(ctx, d.BatchID)
	if err := f.m.Release(ctx, f.ref(t, docs[0].ID)); err != nil {
		t.Fatal(err)
	}
	d, _ = f.st.Document(ctx, docs[0].ID)
	if d.State != mailroom.StateReview {
		t.Fatalf("release → %s", d.State)
	}
	if err := f.m.Reject(ctx, f.ref(t, d.ID), "nicht lesbar"); err != nil {
		t.Fatal(err)
	}
	es, _ := f.m.Journal(ctx, mailroom.JournalFilter{DocumentID: d.ID, Text: "nicht lesbar"})
	if len(es) != 1 {
		t.Fatalf("rejection not found in the journal: %d", len(es))
	}
	_ = os.Remove
}

func TestIndexSheetFlagged(t *testing.T) {
	f := newFixture(t)
	rules, err := barcode.NewRules(f.cfg.Separators)
	if err != nil {
		t.Fatal(err)
	}
	f.e.Detector, f.e.Rules = barcode.New(barcode.Options{}), rules
	docs := f.intake(t, normal, nil, "paperless_barcodes", "split-by-asn-1.pdf")
	if len(docs) != 5 {
		t.Fatalf("%d documents, want 5", len(docs))
	}
	v, err := f.m.Document(context.Background(), docs[1].ID) // starts with the ASN00124 sheet (page 3)
	if err != nil {
		t.Fatal(err)
	}
	if v.Pages[0].Source != 3 || len(v.Pages[0].Flags) == 0 || v.Pages[0].Flags[0] != embedded.FlagSeparator {
		t.Fatalf("index sheet page %+v", v.Pages[0])
	}
}
