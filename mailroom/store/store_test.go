package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"poststelle/mailroom"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func item(path string) mailroom.Item {
	return mailroom.Item{Source: "folder:test", Profile: mailroom.Profile{Name: "test", Department: "63", Protection: mailroom.ProtectionHoch},
		Path: path, Metadata: map[string]string{"subfolder": "a"}}
}

func TestIntakeStoresOriginalContentAddressed(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	content := "%PDF-1.4\nhello\n%%EOF\n"
	b, d, err := s.Intake(ctx, item(writeFile(t, "brief.pdf", content)))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(content))
	if b.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("sha %s", b.SHA256)
	}
	got, err := os.ReadFile(s.OriginalPath(b.SHA256))
	if err != nil || string(got) != content {
		t.Fatalf("original not stored unchanged: %v", err)
	}
	if fi, _ := os.Stat(s.OriginalPath(b.SHA256)); fi.Mode().Perm()&0o222 != 0 {
		t.Errorf("original is writable: %v", fi.Mode())
	}
	if b.MediaType != mailroom.MediaPDF || b.Filename != "brief.pdf" {
		t.Errorf("batch %+v", b)
	}
	if d.State != mailroom.StateReceived || d.Protection != mailroom.ProtectionHoch || d.Metadata["department"] != "63" || d.Metadata["subfolder"] != "a" {
		t.Errorf("document %+v", d)
	}
	ents, _ := os.ReadDir(filepath.Join(s.DataDir(), "originals", "tmp"))
	if len(ents) != 0 {
		t.Errorf("temp files left: %d", len(ents))
	}
}

func TestIntakeDuplicateSameSource(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	p := writeFile(t, "a.pdf", "%PDF-1.4 same")
	b1, _, err := s.Intake(ctx, item(p))
	if err != nil {
		t.Fatal(err)
	}
	b2, d2, err := s.Intake(ctx, item(writeFile(t, "renamed.pdf", "%PDF-1.4 same")))
	if !errors.Is(err, mailroom.ErrDuplicate) || b2.ID != b1.ID || d2 != nil {
		t.Fatalf("want duplicate of %s, got %v %v", b1.ID, b2, err)
	}
	other := item(p)
	other.Source = "folder:other"
	if _, _, err := s.Intake(ctx, other); err != nil {
		t.Fatalf("same content from another source must be taken: %v", err)
	}
	bs, _ := s.Batches(ctx)
	if len(bs) != 2 {
		t.Fatalf("batches %d, want 2", len(bs))
	}
	j, _ := s.Journal(ctx, mailroom.JournalFilter{Action: "intake-duplicate"})
	if len(j) != 1 {
		t.Fatalf("duplicate not journaled: %d", len(j))
	}
}

func TestTransitionJournaledAndChecked(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	_, d, err := s.Intake(ctx, item(writeFile(t, "a.pdf", "%PDF x")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, d.ID, mailroom.Change{To: mailroom.StateExported, Actor: "x"}); err == nil {
		t.Fatal("received → exported must be refused")
	}
	var te *mailroom.ErrTransition
	_, err = s.Transition(ctx, d.ID, mailroom.Change{To: mailroom.StateApproved, Actor: "x"})
	if !errors.As(err, &te) {
		t.Fatalf("want ErrTransition, got %v", err)
	}
	nd, err := s.Transition(ctx, d.ID, mailroom.Change{To: mailroom.StateQuarantined, Actor: "engine",
		Mutate: func(d *mailroom.Document) error { d.Reason = "kaputt / broken"; return nil }})
	if err != nil || nd.State != mailroom.StateQuarantined {
		t.Fatal(err)
	}
	got, _ := s.Document(ctx, d.ID)
	if got.State != mailroom.StateQuarantined || got.Reason != "kaputt / broken" {
		t.Fatalf("%+v", got)
	}
	// A failing mutation rolls back state and journal together.
	before, _ := s.Journal(ctx, mailroom.JournalFilter{})
	_, err = s.Transition(ctx, d.ID, mailroom.Change{To: mailroom.StateReceived, Actor: "x",
		Mutate: func(*mailroom.Document) error { return errors.New("boom") }})
	if err == nil {
		t.Fatal("mutation error ignored")
	}
	after, _ := s.Journal(ctx, mailroom.JournalFilter{})
	got, _ = s.Document(ctx, d.ID)
	if len(after) != len(before) || got.State != mailroom.StateQuarantined {
		t.Fatal("failed transition left traces")
	}
	j, _ := s.Journal(ctx, mailroom.JournalFilter{DocumentID: d.ID})
	if len(j) != 2 || j[1].Actor != "engine" {
		t.Fatalf("journal %+v", j)
	}
	if n, err := s.VerifyChain(ctx); err != nil || n != int64(len(after)) {
		t.Fatalf("chain: %d %v", n, err)
	}
}

func TestJournalTamperDetected(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := s.Append(ctx, "tester", "login", "", "", map[string]int{"i": i}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.db.Exec(`UPDATE journal SET actor = 'evil' WHERE seq = 2`); err == nil {
		t.Fatal("journal update must be refused by the trigger")
	}
	// Bypass the trigger like an attacker with file access would.
	if _, err := s.db.Exec(`DROP TRIGGER journal_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`UPDATE journal SET detail = '{"i":9}' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	_, err := s.VerifyChain(ctx)
	var ce *ChainError
	if !errors.As(err, &ce) || ce.Seq != 2 {
		t.Fatalf("want chain error at 2, got %v", err)
	}
}

func TestClaimSplitRecover(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	_, d, err := s.Intake(ctx, item(writeFile(t, "a.pdf", "%PDF 5 pages")))
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Claim(ctx, mailroom.StateReceived, mailroom.StateSplitting, "w1")
	if err != nil || c == nil || c.ID != d.ID || c.State != mailroom.StateSplitting {
		t.Fatalf("claim: %+v %v", c, err)
	}
	if again, _ := s.Claim(ctx, mailroom.StateSplitting, mailroom.StateSplitting, "w2"); again != nil {
		t.Fatal("leased document claimed twice")
	}
	// Crash: recovery sends it back to received.
	if n, err := s.Recover(ctx, "engine"); err != nil || n == 0 {
		t.Fatalf("recover %d %v", n, err)
	}
	got, _ := s.Document(ctx, d.ID)
	if got.State != mailroom.StateReceived {
		t.Fatalf("after recover: %s", got.State)
	}
	c, _ = s.Claim(ctx, mailroom.StateReceived, mailroom.StateSplitting, "w1")
	plan := mailroom.SplitPlan{
		Separators: []mailroom.Separator{{Page: 3, Symbology: "code39", Text: "PATCHT", Action: "split"}},
		Documents:  []mailroom.Segment{{Pages: []int{1, 2}}, {Pages: []int{4, 5}, Metadata: map[string]string{"asn": "7"}}},
	}
	docs, err := s.ApplySplit(ctx, c.ID, 5, plan, "w1")
	if err != nil || len(docs) != 2 {
		t.Fatalf("split: %v %d", err, len(docs))
	}
	if docs[0].ID != d.ID || docs[1].Seq != 2 || docs[1].Metadata["asn"] != "7" || docs[1].Metadata["department"] != "63" {
		t.Fatalf("split docs %+v %+v", docs[0], docs[1])
	}
	b, _ := s.Batch(ctx, d.BatchID)
	if b.PageCount != 5 || len(b.Separators) != 1 || b.Separators[0].Text != "PATCHT" {
		t.Fatalf("batch %+v", b)
	}
	rec, _ := s.Documents(ctx, mailroom.DocFilter{States: []mailroom.State{mailroom.StateRecognising}})
	if len(rec) != 2 {
		t.Fatalf("recognising %d", len(rec))
	}
	if r, err := s.IntegrityCheck(ctx); err != nil || r != "ok" {
		t.Fatalf("integrity %s %v", r, err)
	}
}

func TestSplitWithOnlySeparatorsRejects(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	_, d, _ := s.Intake(ctx, item(writeFile(t, "sep.pdf", "%PDF sep")))
	s.Claim(ctx, mailroom.StateReceived, mailroom.StateSplitting, "w")
	docs, err := s.ApplySplit(ctx, d.ID, 1, mailroom.SplitPlan{Separators: []mailroom.Separator{{Page: 1, Text: "PATCHT"}}}, "w")
	if err != nil || len(docs) != 1 || docs[0].State != mailroom.StateRejected || !docs[0].HasFlag(mailroom.FlagSeparatorOnly) {
		t.Fatalf("%v %+v", err, docs)
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 2; i++ {
		s, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		var mode string
		s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
		if mode != "wal" {
			t.Errorf("journal mode %s", mode)
		}
		s.Close()
	}
	db, _ := sql.Open("sqlite3", filepath.Join(dir, "poststelle.db"))
	defer db.Close()
	var n int
	db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n)
	if n < 1 {
		t.Fatal("no migrations recorded")
	}
}
