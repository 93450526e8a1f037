package engine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
)

// stuckOpener stands for a decoder stuck in C code: Open ignores its
// context and returns only when release is closed. Files named fast*.pdf
// open at once.
type stuckOpener struct {
	release chan struct{}
	once    sync.Once
	entered chan struct{}
}

func newStuckOpener() *stuckOpener {
	return &stuckOpener{release: make(chan struct{}), entered: make(chan struct{}, 16)}
}

func (o *stuckOpener) Open(ctx context.Context, path, mt string) (mailroom.PageSet, error) {
	o.entered <- struct{}{}
	<-o.release
	return nil, errors.New("came back too late")
}

func (o *stuckOpener) free() { o.once.Do(func() { close(o.release) }) }

// fastOrStuck opens documents of batches named fast*.pdf at once.
type fastOrStuck struct {
	stuck *stuckOpener
	fast  map[string]bool // original paths that open at once
	mu    sync.Mutex
}

func (f *fastOrStuck) Open(ctx context.Context, path, mt string) (mailroom.PageSet, error) {
	f.mu.Lock()
	fast := f.fast[path]
	f.mu.Unlock()
	if fast {
		return pages{1}, nil
	}
	return f.stuck.Open(ctx, path, mt)
}

// TestStageDeadlineQuarantinesAndAbandons: a step that ignores its context
// (C code) is given up after stage_timeout and the grace: the document is
// quarantined with "Verarbeitung dauerte zu lange", Advance returns, the
// step counts as stuck until it ends by itself.
func TestStageDeadlineQuarantinesAndAbandons(t *testing.T) {
	defer engine.SetStepGrace(100 * time.Millisecond)()
	e, st := newEngine(t)
	e.Config.Pipeline.StageTimeout.Duration = 300 * time.Millisecond
	o := newStuckOpener()
	defer o.free()
	e.Opener = o
	b := intake(t, e, "stuck.pdf", "%PDF-1.7 stuck")
	before := mailroom.StuckCalls()
	start := time.Now()
	if err := e.ProcessBatch(context.Background(), b.ID); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("took %v, deadline 300 ms", el)
	}
	docs, _ := st.Documents(context.Background(), mailroom.DocFilter{BatchID: b.ID})
	if len(docs) != 1 || docs[0].State != mailroom.StateQuarantined ||
		!strings.Contains(docs[0].Reason, "Verarbeitung dauerte zu lange (Schritt split, höchstens 300ms) / processing took too long") {
		t.Fatalf("got %s %q, want quarantined as too slow", docs[0].State, docs[0].Reason)
	}
	if n := mailroom.StuckCalls() - before; n != 1 {
		t.Errorf("stuck calls +%d, want +1", n)
	}
	o.free()
	waitUntil(t, 2*time.Second, func() bool { return mailroom.StuckCalls() == before })
	// What the abandoned step did when it came back changed nothing.
	d, _ := st.Document(context.Background(), docs[0].ID)
	if d.State != mailroom.StateQuarantined {
		t.Errorf("after the late return: %s", d.State)
	}
}

// TestStuckStepsRestartTheEngine: with one worker a stuck step is
// quarantined, then Run returns ErrStuck so the service manager starts a
// clean process; a second engine on the same store finishes other work.
func TestStuckStepsRestartTheEngine(t *testing.T) {
	defer engine.SetStepGrace(100 * time.Millisecond)()
	e, st := newEngine(t)
	e.OneShot = false
	e.Config.Pipeline.Workers = 1
	e.Config.Pipeline.Idle.Duration = 10 * time.Millisecond
	e.Config.Pipeline.StageTimeout.Duration = 300 * time.Millisecond
	o := newStuckOpener()
	defer o.free()
	e.Opener = o
	b := intake(t, e, "stuck.pdf", "%PDF-1.7 stuck")
	done := make(chan error, 1)
	go func() { done <- e.Run(context.Background()) }()
	select {
	case err := <-done:
		if !errors.Is(err, engine.ErrStuck) {
			t.Fatalf("Run: %v, want ErrStuck", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not ask for a restart")
	}
	docs, _ := st.Documents(context.Background(), mailroom.DocFilter{BatchID: b.ID})
	if docs[0].State != mailroom.StateQuarantined || !strings.Contains(docs[0].Reason, "dauerte zu lange") {
		t.Fatalf("stuck document %s %q, want quarantined before the restart", docs[0].State, docs[0].Reason)
	}
}

// TestEngineKeepsWorkingBesideAStuckStep: with two workers, while one step
// hangs, the other worker takes and finishes further files; then the stuck
// document is quarantined.
func TestEngineKeepsWorkingBesideAStuckStep(t *testing.T) {
	defer engine.SetStepGrace(100 * time.Millisecond)()
	e, st := newEngine(t)
	e.OneShot = false
	e.Config.Pipeline.Workers = 3 // stuck limit 3: one stuck call does not restart
	e.Config.Pipeline.Idle.Duration = 10 * time.Millisecond
	e.Config.Pipeline.StageTimeout.Duration = 2 * time.Second
	o := newStuckOpener()
	defer o.free()
	fo := &fastOrStuck{stuck: o, fast: map[string]bool{}}
	e.Opener, e.Recognition = fo, &recognition{}
	stuck := intake(t, e, "stuck.pdf", "%PDF-1.7 stuck")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	<-o.entered
	var fast []*mailroom.Batch
	for i := 0; i < 3; i++ {
		p := writeTemp(t, "fast.pdf", "%PDF-1.7 fast "+string(rune('a'+i)))
		b, _, err := st.Intake(ctx, mailroom.Item{Source: "test", Path: p, Name: "fast.pdf"})
		if err != nil {
			t.Fatal(err)
		}
		fo.mu.Lock()
		fo.fast[st.OriginalPath(b.SHA256)] = true
		fo.mu.Unlock()
		fast = append(fast, b)
	}
	waitUntil(t, 5*time.Second, func() bool {
		for _, b := range fast {
			docs, _ := st.Documents(ctx, mailroom.DocFilter{BatchID: b.ID})
			if len(docs) == 0 || docs[0].State != mailroom.StateReview {
				return false
			}
		}
		return true
	})
	if d, _ := st.Documents(ctx, mailroom.DocFilter{BatchID: stuck.ID}); d[0].State == mailroom.StateQuarantined {
		t.Errorf("the stuck document was quarantined before its deadline")
	}
	waitUntil(t, 5*time.Second, func() bool {
		d, _ := st.Documents(ctx, mailroom.DocFilter{BatchID: stuck.ID})
		return d[0].State == mailroom.StateQuarantined
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestShutdownIsBoundedAndReleases: at shutdown a stuck step gets
// shutdown_timeout, then Run returns and the document's lease is dropped
// (it is redone at the next start, never lost).
func TestShutdownIsBoundedAndReleases(t *testing.T) {
	defer engine.SetStepGrace(100 * time.Millisecond)()
	e, st := newEngine(t)
	e.OneShot = false
	e.Config.Pipeline.Workers = 2
	e.Config.Pipeline.Idle.Duration = 10 * time.Millisecond
	e.Config.Pipeline.ShutdownTimeout.Duration = 500 * time.Millisecond
	o := newStuckOpener()
	defer o.free()
	e.Opener = o
	b := intake(t, e, "stuck.pdf", "%PDF-1.7 stuck")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	<-o.entered
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return within 5 s of the shutdown")
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("shutdown took %v, shutdown_timeout 500 ms", el)
	}
	n, err := st.Recover(context.Background(), "test")
	docs, _ := st.Documents(context.Background(), mailroom.DocFilter{BatchID: b.ID})
	if err != nil || n != 1 || docs[0].State != mailroom.StateReceived {
		t.Fatalf("after recovery: %d recovered (%v), state %s; want the document back in received", n, err, docs[0].State)
	}
}

func waitUntil(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o640); err != nil {
		t.Fatal(err)
	}
	return p
}
