package evidence_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/evidence/evidencetest"
	"poststelle/mailroom/store"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func appendEntry(t *testing.T, st *store.Store, n int) mailroom.JournalEntry {
	t.Helper()
	e, err := st.Append(context.Background(), "test", "note", "", "", map[string]int{"n": n})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// Stamp stamps the head only when it moved; the stamps verify against the
// TSA (the local openssl TSA).
func TestJournalStamperStampsMovedHead(t *testing.T) {
	ctx := context.Background()
	pki := evidencetest.NewPKI(t)
	url, _ := evidencetest.StartTSA(t, pki)
	st := openStore(t)
	s := &evidence.JournalStamper{Journal: st, Records: st, TSA: &evidence.TSAClient{URL: url}, Interval: time.Hour}
	stamps := func() []evidence.JournalStamp {
		t.Helper()
		js, err := st.JournalStamps(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return js
	}
	if head, _ := st.Journal(ctx, mailroom.JournalFilter{Newest: true, Limit: 1}); len(head) == 0 {
		if err := s.Stamp(ctx); err != nil || len(stamps()) != 0 {
			t.Fatalf("empty journal: %v, %d stamps", err, len(stamps()))
		}
	}
	first := appendEntry(t, st, 1)
	if err := s.Stamp(ctx); err != nil {
		t.Fatal(err)
	}
	if js := stamps(); len(js) != 1 || js[0].Seq != first.Seq || js[0].Hash != first.Hash || len(js[0].Token) == 0 {
		t.Fatalf("first stamp: %+v, head %d", js, first.Seq)
	}
	if err := s.Stamp(ctx); err != nil || len(stamps()) != 1 {
		t.Fatalf("unmoved head stamped again: %v, %d stamps", err, len(stamps()))
	}
	appendEntry(t, st, 2)
	second := appendEntry(t, st, 3)
	if err := s.Stamp(ctx); err != nil {
		t.Fatal(err)
	}
	js := stamps()
	if len(js) != 2 || js[1].Seq != second.Seq {
		t.Fatalf("moved head: %+v, head %d", js, second.Seq)
	}
	trust := x509.NewCertPool()
	trust.AddCert(pki.CA)
	rep, err := evidence.VerifyJournal(ctx, "journal", evidence.VerifyOptions{Trust: trust, Records: st, ChainCheck: store.VerifyEntries,
		Journal: func(ctx context.Context) ([]mailroom.JournalEntry, error) {
			return st.Journal(ctx, mailroom.JournalFilter{})
		}})
	if err != nil {
		t.Fatal(err)
	}
	if c := check(rep, "journal-stamps"); !rep.OK() || c == nil || !strings.Contains(c.EN, "2 timestamps") {
		t.Fatalf("verify: %+v", rep.Checks)
	}
}

// Run stamps at start and again after the head moved, and returns nil when
// its context ends.
func TestJournalStamperRunLoop(t *testing.T) {
	pki := evidencetest.NewPKI(t)
	url, _ := evidencetest.StartTSA(t, pki)
	st := openStore(t)
	appendEntry(t, st, 1)
	s := &evidence.JournalStamper{Journal: st, Records: st, TSA: &evidence.TSAClient{URL: url}, Interval: 50 * time.Millisecond}
	var _ mailroom.Runner = s
	if s.Name() != "journal timestamps" {
		t.Errorf("name %q", s.Name())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	waitStamps := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if js, _ := st.JournalStamps(context.Background()); len(js) >= n {
				return
			}
		}
		t.Fatalf("fewer than %d stamps after 20 s", n)
	}
	waitStamps(1)
	head := appendEntry(t, st, 2)
	waitStamps(2)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	js, _ := st.JournalStamps(context.Background())
	if len(js) != 2 || js[1].Seq != head.Seq {
		t.Fatalf("stamps %+v, head %d", js, head.Seq)
	}
	if err := (&evidence.JournalStamper{Journal: st, Records: st}).Run(context.Background()); err == nil {
		t.Error("Run without an interval must fail")
	}
}

// A TSA that does not answer: the failure is logged and journaled, and the
// runner goes on.
func TestJournalStamperFailureJournaled(t *testing.T) {
	srv := httptest.NewServer(nil)
	url := srv.URL
	srv.Close()
	st := openStore(t)
	appendEntry(t, st, 1)
	var logged bytes.Buffer
	s := &evidence.JournalStamper{Journal: st, Records: st, TSA: &evidence.TSAClient{URL: url}, Interval: 30 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(&logged, nil))}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := s.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	errs, err := st.Journal(context.Background(), mailroom.JournalFilter{Action: "error"})
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) < 2 || errs[0].Actor != "evidence" || !strings.Contains(errs[0].Detail, `"step":"journal-timestamp"`) {
		t.Fatalf("journaled errors (want one per attempt, at least 2): %+v", errs)
	}
	if !strings.Contains(logged.String(), "journal timestamp failed") {
		t.Errorf("log: %s", logged.String())
	}
	if js, _ := st.JournalStamps(context.Background()); len(js) != 0 {
		t.Errorf("stamps without a TSA: %+v", js)
	}
}

// The configuration's hash is journaled once, and again only after it
// changed.
func TestJournalConfigOnlyOnChange(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	cfg, err := mailroom.Default(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	entries := func() []mailroom.JournalEntry {
		t.Helper()
		es, err := st.Journal(ctx, mailroom.JournalFilter{Action: "config"})
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	for i := 0; i < 2; i++ {
		if err := evidence.JournalConfig(ctx, st, cfg, "1.0"); err != nil {
			t.Fatal(err)
		}
	}
	es := entries()
	if len(es) != 1 || es[0].Actor != "engine" {
		t.Fatalf("after two calls with one configuration: %+v", es)
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(es[0].Detail), &d); err != nil {
		t.Fatal(err)
	}
	if h, _ := d["sha256"].(string); len(h) != 64 || d["version"] != "1.0" || d["qa_sample_rate"] != cfg.Evidence.QASampleRate || d["seal"] != false {
		t.Fatalf("detail %v", d)
	}
	cfg.Evidence.QASampleRate = 0.5
	if err := evidence.JournalConfig(ctx, st, cfg, "1.0"); err != nil {
		t.Fatal(err)
	}
	es = entries()
	var d2 map[string]any
	json.Unmarshal([]byte(es[len(es)-1].Detail), &d2)
	if len(es) != 2 || d2["sha256"] == d["sha256"] || d2["qa_sample_rate"] != 0.5 {
		t.Fatalf("changed configuration: %+v", es)
	}
}
