package dmstest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"poststelle/mailroom"
	"poststelle/mailroom/dms"
)

// Object is one document as the target holds it (main documents only, not
// sidecars or evidence files).
type Object struct {
	Name   string
	SHA256 string
	Size   int64
}

// Options for a connector under test.
type Options struct {
	Timeout        time.Duration // per request
	BadCredentials bool          // connect with wrong credentials
}

// Target is a DMS (real, or a test server that follows its published API)
// the suite runs against. One Target per sub-test.
type Target struct {
	// New returns an unwrapped connector to the target.
	New func(t *testing.T, o Options) mailroom.Exporter
	// Objects lists the documents the target holds.
	Objects func(t *testing.T) []Object
	// Faults sits between connector and server; nil for targets without a
	// network (folder) — the fault tests are skipped then, with a message.
	Faults *FaultProxy
	// NoAuth: the target has no authentication (folder).
	NoAuth bool
}

// Run runs the suite. newTarget makes a fresh, empty target.
func Run(t *testing.T, newTarget func(t *testing.T) *Target) {
	t.Run("Create", func(t *testing.T) { testCreate(t, newTarget(t)) })
	t.Run("CrashBetweenUploadAndReceipt", func(t *testing.T) { testCrash(t, newTarget) })
	t.Run("Transient", func(t *testing.T) { testTransient(t, newTarget) })
	t.Run("AuthenticationPermanent", func(t *testing.T) { testAuth(t, newTarget(t)) })
	t.Run("Large", func(t *testing.T) { testLarge(t, newTarget(t)) })
}

// NewDoc writes a document file of size bytes (a PDF header and random
// bytes, streamed) plus a Transfervermerk in dir and returns its ExportDoc.
func NewDoc(t testing.TB, dir string, size int64) mailroom.ExportDoc {
	t.Helper()
	id := uuid.NewString()
	p := filepath.Join(dir, id+".pdf")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	w := io.MultiWriter(f, h)
	head := []byte("%PDF-1.7\n% poststelle test document " + id + "\n")
	if _, err := w.Write(head); err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(w, rand.Reader, size-int64(len(head))); err != nil && size > int64(len(head)) {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	tv := filepath.Join(dir, id+"-transfervermerk.xml")
	os.WriteFile(tv, []byte(`<?xml version="1.0" encoding="UTF-8"?><transfervermerk document="`+id+`"/>`), 0o640)
	return mailroom.ExportDoc{
		ID: id, Filename: "Brief Müller 2024.pdf", PDF: p, SHA256: hex.EncodeToString(h.Sum(nil)),
		Metadata: map[string]string{"title": "Brief Müller", "department": "63", "document_class": "Eingangspost",
			"received_at": "2024-05-02T09:30:00Z", "document_id": id},
		Files: map[string]string{"transfervermerk.xml": tv},
	}
}

func count(t *testing.T, tg *Target, sha string) int {
	n := 0
	for _, o := range tg.Objects(t) {
		if o.SHA256 == sha {
			n++
		}
	}
	return n
}

func testCreate(t *testing.T, tg *Target) {
	ctx := context.Background()
	exp := tg.New(t, Options{Timeout: 10 * time.Second})
	doc := NewDoc(t, t.TempDir(), 64<<10)
	rc, err := exp.Export(ctx, doc)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	if rc.ObjectID == "" || rc.Target != exp.Name() || rc.Time.IsZero() {
		t.Fatalf("incomplete receipt %+v (target name %q)", rc, exp.Name())
	}
	if n := count(t, tg, doc.SHA256); n != 1 {
		t.Fatalf("target holds the document %d times, want 1", n)
	}
	// The same document again (the receipt was lost): no second copy, same object.
	rc2, err := exp.Export(ctx, doc)
	if err != nil {
		t.Fatalf("second export: %v", err)
	}
	if rc2.ObjectID != rc.ObjectID {
		t.Errorf("second export names object %q, first %q", rc2.ObjectID, rc.ObjectID)
	}
	if n := count(t, tg, doc.SHA256); n != 1 {
		t.Fatalf("after a repeated export the target holds the document %d times, want 1", n)
	}
	// A second document is a second object.
	doc2 := NewDoc(t, t.TempDir(), 1000)
	if _, err := exp.Export(ctx, doc2); err != nil {
		t.Fatal(err)
	}
	if got := len(tg.Objects(t)); got != 2 {
		t.Fatalf("target holds %d documents, want 2", got)
	}
}

func testCrash(t *testing.T, newTarget func(t *testing.T) *Target) {
	ctx := context.Background()
	tg := newTarget(t)
	exp := tg.New(t, Options{Timeout: 5 * time.Second})
	if tg.Faults == nil {
		// No network: a crash between writing and the receipt means Export
		// runs again for the same document.
		doc := NewDoc(t, t.TempDir(), 4096)
		for i := 0; i < 3; i++ {
			if _, err := exp.Export(ctx, doc); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, tg, doc.SHA256); n != 1 {
			t.Fatalf("target holds the document %d times, want 1", n)
		}
		return
	}
	// Drop the answer to the k-th write after the server did it, for every
	// write the connector makes; then export again without faults.
	for k := 1; k <= 6; k++ {
		doc := NewDoc(t, t.TempDir(), 8192)
		tg.Faults.Clear()
		tg.Faults.InjectAtWrite(DropAfter, k)
		before := tg.Faults.Injected.Load()
		_, err := exp.Export(ctx, doc)
		hit := tg.Faults.Injected.Load() > before
		tg.Faults.Clear()
		if hit && err == nil {
			t.Fatalf("write %d: connection dropped but Export reported success", k)
		}
		if err != nil && mailroom.IsPermanent(err) {
			t.Fatalf("write %d: a dropped connection must not be permanent: %v", k, err)
		}
		if _, err := exp.Export(ctx, doc); err != nil {
			t.Fatalf("write %d: export after the crash: %v", k, err)
		}
		if n := count(t, tg, doc.SHA256); n != 1 {
			t.Fatalf("write %d dropped: target holds the document %d times, want 1", k, n)
		}
		if !hit {
			t.Logf("the connector makes %d write(s) per document; all crash points covered", k-1)
			break
		}
	}
}

func testTransient(t *testing.T, newTarget func(t *testing.T) *Target) {
	for _, f := range []Fault{Status500, Status503, Status429, Hang, DropBefore} {
		t.Run(f.String(), func(t *testing.T) {
			tg := newTarget(t)
			if tg.Faults == nil {
				t.Skip("target has no network: no transient HTTP faults to inject")
			}
			ctx := context.Background()
			exp := tg.New(t, Options{Timeout: 800 * time.Millisecond})
			doc := NewDoc(t, t.TempDir(), 4096)
			tg.Faults.Inject(f, 1, true)
			start := time.Now()
			_, err := exp.Export(ctx, doc)
			if err == nil {
				t.Fatalf("%s: export succeeded through the fault", f)
			}
			if mailroom.IsPermanent(err) {
				t.Fatalf("%s: error is permanent, want transient: %v", f, err)
			}
			if f == Hang && time.Since(start) > 10*time.Second {
				t.Fatalf("hanging server: export took %s despite a 800ms timeout", time.Since(start))
			}
			// The retry wrapper gets it through two more faults.
			tg.Faults.Inject(f, 2, true)
			r := dms.WithRetry(exp, dms.RetryPolicy{Retries: 4, Base: 50 * time.Millisecond, Max: 2 * time.Second})
			if _, err := r.Export(ctx, doc); err != nil {
				t.Fatalf("%s: export with retries: %v", f, err)
			}
			if n := count(t, tg, doc.SHA256); n != 1 {
				t.Fatalf("%s: target holds the document %d times, want 1", f, n)
			}
		})
	}
}

func testAuth(t *testing.T, tg *Target) {
	if tg.NoAuth {
		t.Skip("target has no authentication")
	}
	exp := tg.New(t, Options{Timeout: 5 * time.Second, BadCredentials: true})
	doc := NewDoc(t, t.TempDir(), 4096)
	_, err := exp.Export(context.Background(), doc)
	if err == nil {
		t.Fatal("export with wrong credentials succeeded")
	}
	if !mailroom.IsPermanent(err) {
		t.Fatalf("authentication failure is not permanent: %v", err)
	}
	if n := len(tg.Objects(t)); n != 0 {
		t.Fatalf("target holds %d documents after a rejected login", n)
	}
	if c, ok := exp.(dms.Checker); ok {
		if _, err := c.Check(context.Background()); err == nil {
			t.Error("Check with wrong credentials passed")
		}
	}
}

// LargeSize is the size of the large-file test: 200 MB (20 MB with -short).
func LargeSize() int64 {
	if testing.Short() {
		return 20 << 20
	}
	return 200 << 20
}

func testLarge(t *testing.T, tg *Target) {
	size := LargeSize()
	doc := NewDoc(t, t.TempDir(), size)
	exp := tg.New(t, Options{Timeout: 5 * time.Minute})
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
		}
	}()
	start := time.Now()
	_, err := exp.Export(context.Background(), doc)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("export of %d MB: %v", size>>20, err)
	}
	d := time.Since(start)
	if n := count(t, tg, doc.SHA256); n != 1 {
		t.Fatalf("target holds the large document %d times, want 1", n)
	}
	grow := int64(peak.Load()) - int64(base.HeapInuse)
	t.Logf("%d MB exported in %s (%.0f MB/s); heap grew by at most %.1f MB", size>>20, d.Round(time.Millisecond),
		float64(size>>20)/d.Seconds(), float64(grow)/(1<<20))
	if grow > 64<<20 {
		t.Fatalf("heap grew by %d MB for a %d MB file: the file is not streamed", grow>>20, size>>20)
	}
}

// Fatalf-free helper for error messages.
