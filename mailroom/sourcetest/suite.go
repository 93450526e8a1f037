package sourcetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"poststelle/mailroom"
)

// Harness connects the suite to one implementation over a fresh backing
// (a folder, a mailbox).
type Harness struct {
	// New returns a source over the backing; a second call is a restart.
	New func() mailroom.Source
	// Put hands an item with a unique name and content to the backing.
	Put func(name string, data []byte)
	// Pending counts the items in the backing not yet acknowledged.
	Pending func() int
	// Content returns an item's content as the backing holds it, to compare
	// with what was delivered; nil means data as Put.
	Content func(data []byte) []byte
	// Wait bounds how long an item may take to be delivered (stable delay,
	// polling interval); 0 means 30 s.
	Wait time.Duration
}

// Run runs the suite; each subtest gets a fresh harness.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("DeliversEachItemOnce", func(t *testing.T) { testOnce(t, newHarness(t)) })
	t.Run("FailedAcceptKeepsItem", func(t *testing.T) { testFailedAccept(t, newHarness(t)) })
	t.Run("RestartDoesNotRedeliver", func(t *testing.T) { testRestart(t, newHarness(t)) })
	t.Run("StopsWhenContextEnds", func(t *testing.T) { testStop(t, newHarness(t)) })
}

// recorder is an accept func that records what it was given.
type recorder struct {
	mu   sync.Mutex
	got  map[string]int    // content → deliveries
	item map[string]string // content → source name given
	fail func(mailroom.Item) error
}

func newRecorder() *recorder { return &recorder{got: map[string]int{}, item: map[string]string{}} }

func (r *recorder) accept(ctx context.Context, it mailroom.Item) error {
	data, err := os.ReadFile(it.Path)
	if err != nil {
		return fmt.Errorf("reading the delivered item: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(it); err != nil {
			return err
		}
	}
	r.got[string(data)]++
	r.item[string(data)] = it.Source
	return nil
}

func (r *recorder) count(content []byte) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got[string(content)]
}

// start runs src in the background; stop cancels it and waits for Run.
func start(t *testing.T, src mailroom.Source, accept func(context.Context, mailroom.Item) error) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, accept) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				err = errors.New("Run did not return within 10 s after its context ended")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

func waitFor(t *testing.T, h Harness, what string, cond func() bool) {
	t.Helper()
	d := h.Wait
	if d == 0 {
		d = 30 * time.Second
	}
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func content(h Harness, data []byte) []byte {
	if h.Content != nil {
		return h.Content(data)
	}
	return data
}

func items(n int, tag string) [][]byte {
	var out [][]byte
	for i := 0; i < n; i++ {
		out = append(out, []byte(fmt.Sprintf("%s item %d\n%s", tag, i, bytes.Repeat([]byte("x"), 100*i))))
	}
	return out
}

func testOnce(t *testing.T, h Harness) {
	src := h.New()
	if src.Name() == "" {
		t.Fatal("Name() is empty")
	}
	rec := newRecorder()
	stop := start(t, src, rec.accept)
	data := items(3, "once")
	for i, d := range data {
		h.Put(fmt.Sprintf("once-%d", i), d)
	}
	waitFor(t, h, "3 items acknowledged", func() bool { return h.Pending() == 0 })
	time.Sleep(200 * time.Millisecond) // a late second delivery would show now
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for i, d := range data {
		if n := rec.count(content(h, d)); n != 1 {
			t.Errorf("item %d delivered %d times, want once", i, n)
		}
		if s := rec.item[string(content(h, d))]; s != src.Name() {
			t.Errorf("item %d: Item.Source %q, want the source's name %q", i, s, src.Name())
		}
	}
}

func testFailedAccept(t *testing.T, h Harness) {
	rec := newRecorder()
	var mu sync.Mutex
	failing := true
	calls := 0
	rec.fail = func(mailroom.Item) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if failing {
			return errors.New("disk full (test)")
		}
		return nil
	}
	stop := start(t, h.New(), rec.accept)
	d := items(1, "fail")[0]
	h.Put("fail-0", d)
	waitFor(t, h, "a delivery attempt", func() bool { mu.Lock(); defer mu.Unlock(); return calls > 0 })
	time.Sleep(200 * time.Millisecond)
	if n := h.Pending(); n != 1 {
		t.Fatalf("after a failed accept %d items are pending at the source, want 1 (it must not be acknowledged)", n)
	}
	mu.Lock()
	failing = false
	mu.Unlock()
	waitFor(t, h, "the item delivered again and acknowledged", func() bool { return h.Pending() == 0 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if n := rec.count(content(h, d)); n != 1 {
		t.Fatalf("accepted %d times, want once", n)
	}
}

func testRestart(t *testing.T, h Harness) {
	rec := newRecorder()
	stop := start(t, h.New(), rec.accept)
	first := items(2, "before")
	for i, d := range first {
		h.Put(fmt.Sprintf("before-%d", i), d)
	}
	waitFor(t, h, "items acknowledged", func() bool { return h.Pending() == 0 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	stop = start(t, h.New(), rec.accept)
	later := items(1, "after")[0]
	h.Put("after-0", later)
	waitFor(t, h, "the new item after the restart", func() bool { return rec.count(content(h, later)) == 1 })
	time.Sleep(300 * time.Millisecond)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for i, d := range first {
		if n := rec.count(content(h, d)); n != 1 {
			t.Errorf("item %d delivered %d times over a restart, want once", i, n)
		}
	}
}

func testStop(t *testing.T, h Harness) {
	stop := start(t, h.New(), newRecorder().accept)
	time.Sleep(100 * time.Millisecond)
	begin := time.Now()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Fatalf("Run took %v to return after its context ended", d)
	}
}
