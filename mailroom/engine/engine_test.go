package engine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/store"
)

// The engine is tested on a real SQLite store in a temp dir with small
// in-memory page openers and detectors.

type pages struct{ n int }

func (p pages) Len() int { return p.n }
func (p pages) Page(ctx context.Context, i int, dpi float64) (mailroom.Page, error) {
	return mailroom.Page{Index: i}, nil
}
func (p pages) Close() error { return nil }

type opener struct {
	n   int
	err error
}

func (o opener) Open(ctx context.Context, path, mt string) (mailroom.PageSet, error) {
	if o.err != nil {
		return nil, o.err
	}
	return pages{o.n}, nil
}

// separatorOn reports a separator symbol on the given 0-based pages.
type separatorOn map[int]bool

func (s separatorOn) Detect(ctx context.Context, p mailroom.Page) ([]mailroom.Symbol, error) {
	if s[p.Index] {
		return []mailroom.Symbol{{Symbology: "code39", Text: "PATCHT"}}, nil
	}
	return nil, nil
}

// cutAtSymbols drops every page with a symbol and starts a new document after it.
type cutAtSymbols struct{}

func (cutAtSymbols) Plan(n int, found []mailroom.PageSymbols) (mailroom.SplitPlan, error) {
	sep := map[int]bool{}
	var plan mailroom.SplitPlan
	for _, ps := range found {
		sep[ps.Page] = true
		plan.Separators = append(plan.Separators, mailroom.Separator{Page: ps.Page})
	}
	var cur []int
	for p := 1; p <= n; p++ {
		if sep[p] {
			if len(cur) > 0 {
				plan.Documents = append(plan.Documents, mailroom.Segment{Pages: cur})
			}
			cur = nil
			continue
		}
		cur = append(cur, p)
	}
	if len(cur) > 0 {
		plan.Documents = append(plan.Documents, mailroom.Segment{Pages: cur})
	}
	return plan, nil
}

type recognition struct{ calls atomic.Int32 }

func (r *recognition) Recognise(ctx context.Context, job mailroom.RecognitionJob) (mailroom.RecognitionResult, error) {
	r.calls.Add(1)
	out := filepath.Join(job.OutDir, mailroom.FileDocument)
	if err := os.MkdirAll(job.OutDir, 0o750); err != nil {
		return mailroom.RecognitionResult{}, err
	}
	if err := os.WriteFile(out, []byte("%PDF-1.7\n"), 0o640); err != nil {
		return mailroom.RecognitionResult{}, err
	}
	res := mailroom.RecognitionResult{Output: out}
	for _, p := range job.Pages {
		res.Pages = append(res.Pages, mailroom.PageResult{Page: p, Text: "Seite"})
	}
	return res, nil
}

func newEngine(t *testing.T) (*engine.Engine, *store.Store) {
	t.Helper()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg, err := mailroom.Default(st.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	return &engine.Engine{Config: cfg, Store: st, OneShot: true}, st
}

func intake(t *testing.T, e *engine.Engine, name, content string) *mailroom.Batch {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	os.WriteFile(p, []byte(content), 0o640)
	b, _, err := e.Store.Intake(context.Background(), mailroom.Item{Source: "test", Path: p, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSplitAndRecogniseToReview(t *testing.T) {
	e, st := newEngine(t)
	rec := &recognition{}
	e.Opener, e.Detector, e.Rules, e.Recognition = opener{n: 5}, separatorOn{2: true}, cutAtSymbols{}, rec
	b := intake(t, e, "scan.pdf", "%PDF-1.7 batch")
	if err := e.ProcessBatch(context.Background(), b.ID); err != nil {
		t.Fatal(err)
	}
	docs, err := st.Documents(context.Background(), mailroom.DocFilter{BatchID: b.ID})
	if err != nil {
		t.Fatal(err)
	}
	var got [][]int
	for _, d := range docs {
		if d.State != mailroom.StateReview {
			t.Fatalf("document %s is %s, want review", d.ID, d.State)
		}
		got = append(got, d.Pages)
		if _, err := os.Stat(mailroom.Layout{Root: st.DataDir()}.OutFile(d.ID, mailroom.FileMetadata)); err != nil {
			t.Fatalf("no metadata.json: %v", err)
		}
	}
	if len(got) != 2 || len(got[0]) != 2 || len(got[1]) != 2 || got[1][0] != 4 {
		t.Fatalf("documents %v, want [[1 2] [4 5]] (separator page 3 dropped)", got)
	}
	if rec.calls.Load() != 2 {
		t.Fatalf("recognition ran %d times, want 2", rec.calls.Load())
	}
}

func TestBadInputIsQuarantinedWithReason(t *testing.T) {
	e, st := newEngine(t)
	e.Opener = opener{err: mailroom.BadInput("Datei ist beschädigt", "file is damaged", errors.New("xref"))}
	b := intake(t, e, "bad.pdf", "%PDF-1.7 broken")
	if err := e.ProcessBatch(context.Background(), b.ID); err != nil {
		t.Fatal(err)
	}
	docs, _ := st.Documents(context.Background(), mailroom.DocFilter{BatchID: b.ID})
	if len(docs) != 1 || docs[0].State != mailroom.StateQuarantined || !strings.Contains(docs[0].Reason, "beschädigt") {
		t.Fatalf("got %+v, want one quarantined document with the reason", docs[0])
	}
	if _, err := os.Stat(st.OriginalPath(b.SHA256)); err != nil {
		t.Fatalf("original lost: %v", err)
	}
}

func TestUnsupportedFormatNamesAcceptedOnes(t *testing.T) {
	e, st := newEngine(t)
	b := intake(t, e, "notes.txt", "plain text")
	e.ProcessBatch(context.Background(), b.ID)
	docs, _ := st.Documents(context.Background(), mailroom.DocFilter{BatchID: b.ID})
	if docs[0].State != mailroom.StateQuarantined || !strings.Contains(docs[0].Reason, "PDF, TIFF, JPEG, PNG") {
		t.Fatalf("got %s %q", docs[0].State, docs[0].Reason)
	}
}

// A transient error is retried with backoff instead of quarantining at once
// (not one-shot), and a panic in a stage counts as an error.
func TestTransientErrorIsRetriedAndPanicIsCaught(t *testing.T) {
	e, st := newEngine(t)
	e.OneShot = false
	e.Config.Pipeline.Retry.Duration = time.Millisecond
	e.Opener = panicOpener{}
	b := intake(t, e, "scan.pdf", "%PDF-1.7 x")
	docs, _ := st.Documents(context.Background(), mailroom.DocFilter{BatchID: b.ID})
	e.Advance(context.Background(), docs[0])
	d, _ := st.Document(context.Background(), docs[0].ID)
	if d.State == mailroom.StateQuarantined || d.Attempts != 1 {
		t.Fatalf("after a panic: state %s attempts %d, want a retry (1 attempt recorded)", d.State, d.Attempts)
	}
	// After max_tries the document is quarantined with the error, not retried forever.
	e.Config.Pipeline.MaxTries = 2
	e.Advance(context.Background(), d)
	d, _ = st.Document(context.Background(), d.ID)
	if d.State != mailroom.StateQuarantined || !strings.Contains(d.Reason, "panic") {
		t.Fatalf("after max_tries: state %s reason %q, want quarantined naming the panic", d.State, d.Reason)
	}
}

type panicOpener struct{}

func (panicOpener) Open(ctx context.Context, path, mt string) (mailroom.PageSet, error) {
	panic("decoder bug")
}

func TestRunStopsAndReleasesOnCancel(t *testing.T) {
	e, _ := newEngine(t)
	e.Config.Pipeline.Idle.Duration = 10 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}
