package engine_test

import (
	"context"
	"hash/maphash"
	"image"
	"os"
	"reflect"
	"sync"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/testcorpus"
	"poststelle/ocr"
	"poststelle/ocr/ocrcache"
	scanpages "poststelle/scan/pages"
	scanrecognition "poststelle/scan/recognition"
)

func TestMain(m *testing.M) {
	ocr.SingleThreaded()
	os.Exit(m.Run())
}

// tesseractCalls counts what reaches tesseract, per page image.
type tesseractCalls struct {
	next mailroom.Recognizer
	seed maphash.Seed
	mu   sync.Mutex
	seen map[uint64]int
}

func (c *tesseractCalls) Recognize(ctx context.Context, p mailroom.Page) (mailroom.PageText, error) {
	if g, ok := p.Image.(*image.Gray); ok {
		c.mu.Lock()
		c.seen[maphash.Bytes(c.seed, g.Pix)]++
		c.mu.Unlock()
	}
	return c.next.Recognize(ctx, p)
}

// TestAutoSplitAppliedOnScannedBatch runs the real pipeline (MuPDF,
// tesseract, PDF/A) on the corpus' scanned batch of four invoices without
// separator sheets in apply mode: it becomes the four documents, each part
// is recognised with its own pages, and no page image reaches tesseract
// twice (the parts are answered from the OCR cache).
func TestAutoSplitAppliedOnScannedBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("recognises 11 pages")
	}
	src := testcorpus.Path(t, "scans", "batch-visible.pdf")
	e, _ := newEngine(t)
	e.Config.Separators.AutoSplit = mailroom.AutoSplitApply
	rc := e.Config.Recognition
	pool, err := ocr.New(ocr.Options{Languages: rc.Languages, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	calls := &tesseractCalls{next: pool, seed: maphash.MakeSeed(), seen: map[uint64]int{}}
	cache := ocrcache.New(calls, 0)
	e.Opener = scanpages.NewOpener(scanpages.Options{DPI: rc.DPI, MaxPixels: rc.MaxPixels})
	e.Recognition = scanrecognition.New(scanrecognition.Options{Config: rc, Recognizer: cache, Orienter: pool, Workers: 2})
	b := intakeFile(t, e, src)
	docs := batchDocs(t, e, b)
	var got [][]int
	for _, d := range docs {
		if d.State != mailroom.StateReview {
			t.Errorf("document %v is %s (%s), want review", d.Pages, d.State, d.Reason)
		}
		if _, err := os.Stat(d.Output); err != nil {
			t.Errorf("document %v has no PDF: %v", d.Pages, err)
		}
		got = append(got, d.Pages)
	}
	if want := [][]int{{1, 2}, {3, 4}, {5, 6, 7, 8}, {9, 10, 11}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("documents %v, want %v", got, want)
	}
	for h, n := range calls.seen {
		if n > 1 {
			t.Errorf("a page image reached tesseract %d times (%x)", n, h)
		}
	}
	hits, misses := cache.Stats()
	t.Logf("OCR cache: %d hits, %d misses; %d distinct images recognised", hits, misses, len(calls.seen))
	if hits < 11 {
		t.Errorf("%d cache hits, want at least one per page (11)", hits)
	}
}

func intakeFile(t *testing.T, e *engine.Engine, path string) *mailroom.Batch {
	t.Helper()
	b, _, err := e.Store.Intake(context.Background(), mailroom.Item{Source: "test", Path: path, Name: "batch-visible.pdf"})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
