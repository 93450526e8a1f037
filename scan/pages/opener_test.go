package pages

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
)

func TestOpenerPages(t *testing.T) {
	op := NewOpener(Options{DPI: 150})
	ctx := context.Background()
	cases := []struct {
		rel   []string
		mt    string
		pages int
		minW  int
	}{
		{[]string{"paperless_barcodes", "patch-code-t-middle.pdf"}, mailroom.MediaPDF, 3, 1000},
		{[]string{"paperless_barcodes", "patch-code-t-middle.tiff"}, mailroom.MediaTIFF, 3, 1000},
		{[]string{"ocrmypdf", "ccitt.pdf"}, mailroom.MediaPDF, 1, 500},
		{[]string{"naps2", "blank1.jpg"}, mailroom.MediaJPEG, 1, 1000},
		{[]string{"ocrmypdf", "linn.png"}, mailroom.MediaPNG, 1, 500},
		{[]string{"tesseract", "phototest.tif"}, mailroom.MediaTIFF, 1, 500},
		{[]string{"scans", "batch-visible.pdf"}, "", 11, 1000},
	}
	for _, c := range cases {
		t.Run(c.rel[len(c.rel)-1], func(t *testing.T) {
			ps, err := op.Open(ctx, testcorpus.Path(t, c.rel...), c.mt)
			if err != nil {
				t.Fatal(err)
			}
			defer ps.Close()
			if ps.Len() != c.pages {
				t.Fatalf("pages = %d, want %d", ps.Len(), c.pages)
			}
			for i := 0; i < ps.Len(); i++ {
				p, err := ps.Page(ctx, i, 0)
				if err != nil {
					t.Fatalf("page %d: %v", i, err)
				}
				if p.Index != i || p.DPI < 50 || p.Image.Bounds().Dx() < c.minW/2 {
					t.Fatalf("page %d: index %d dpi %v size %v", i, p.Index, p.DPI, p.Image.Bounds())
				}
				if i == 0 && !strings.HasSuffix(c.rel[1], ".pdf") && p.Image.Bounds().Dx() < c.minW {
					t.Fatalf("image page narrower than expected: %v", p.Image.Bounds())
				}
			}
		})
	}
}

func TestOpenerPDFResolution(t *testing.T) {
	ps, err := NewOpener(Options{DPI: 100}).Open(context.Background(), testcorpus.Path(t, "paperless_barcodes", "patch-code-t.pdf"), mailroom.MediaPDF)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	p, err := ps.Page(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := ps.Page(context.Background(), 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	if p.DPI != 100 || p2.DPI != 200 {
		t.Fatalf("dpi %v / %v", p.DPI, p2.DPI)
	}
	r := float64(p2.Image.Bounds().Dx()) / float64(p.Image.Bounds().Dx())
	if r < 1.9 || r > 2.1 {
		t.Fatalf("200 dpi page is %.2f× the 100 dpi page, want 2×", r)
	}
}

func TestOpenerBadInput(t *testing.T) {
	op := NewOpener(Options{DPI: 72})
	ctx := context.Background()
	for _, rel := range [][]string{
		{"badpdf", "bad1.pdf"},
		{"ocrmypdf", "invalid.pdf"},
		{"paperless_barcodes", "negative", "password-is-test.pdf"},
	} {
		_, err := op.Open(ctx, testcorpus.Path(t, rel...), mailroom.MediaPDF)
		ie, ok := mailroom.AsInputError(err)
		if !ok {
			t.Fatalf("%s: want InputError, got %v", rel[len(rel)-1], err)
		}
		if ie.DE == "" || ie.EN == "" {
			t.Fatalf("%s: reason missing: %q", rel[len(rel)-1], ie.Reason())
		}
		if rel[len(rel)-1] == "password-is-test.pdf" && !strings.Contains(ie.Reason(), "passwortgeschützt") {
			t.Fatalf("password PDF: reason %q", ie.Reason())
		}
	}
}

func TestOpenerDecompressionBomb(t *testing.T) {
	op := NewOpener(Options{DPI: 300, MaxPixels: 1_000_000})
	ctx := context.Background()
	// An image over the limit is refused at open.
	_, err := op.Open(ctx, testcorpus.Path(t, "naps2", "blank1.jpg"), mailroom.MediaJPEG)
	if ie, ok := mailroom.AsInputError(err); !ok || !strings.Contains(ie.EN, "decompression bomb") {
		t.Fatalf("jpeg over limit: %v", err)
	}
	_, err = op.Open(ctx, testcorpus.Path(t, "paperless_barcodes", "patch-code-t-middle.tiff"), mailroom.MediaTIFF)
	if _, ok := mailroom.AsInputError(err); !ok {
		t.Fatalf("tiff over limit: %v", err)
	}
	// A PDF page whose rendering would exceed the limit is refused before rendering.
	ps, err := op.Open(ctx, testcorpus.Path(t, "paperless_barcodes", "patch-code-t.pdf"), mailroom.MediaPDF)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	_, err = ps.Page(ctx, 0, 0)
	if ie, ok := mailroom.AsInputError(err); !ok || !strings.Contains(ie.DE, "Dekompressionsbombe") {
		t.Fatalf("pdf page over limit: %v", err)
	}
}

// Every malformed PDF of the corpus opens and renders, or is refused as bad
// input, quickly and without a crash.
func TestOpenerBadPDFCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testcorpus.Dir(t), "badpdf", "*.pdf"))
	if len(files) < 20 {
		t.Fatalf("only %d files in badpdf", len(files))
	}
	op := NewOpener(Options{DPI: 72, PageTimeout: 20 * time.Second})
	for _, f := range files {
		start := time.Now()
		ps, err := op.Open(context.Background(), f, "")
		if err == nil {
			for i := 0; i < ps.Len() && err == nil; i++ {
				_, err = ps.Page(context.Background(), i, 0)
			}
			ps.Close()
		}
		if err != nil {
			if _, ok := mailroom.AsInputError(err); !ok {
				t.Errorf("%s: error is not an InputError: %v", filepath.Base(f), err)
			}
		}
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("%s took %s", filepath.Base(f), d)
		}
		t.Logf("%s: err=%v", filepath.Base(f), err)
	}
}

// A PDF cut off during transfer (the first 3000 bytes of a scanned batch)
// is repaired by MuPDF to zero pages: the reason names truncation, not
// just "no pages".
func TestOpenerTruncatedPDF(t *testing.T) {
	b, err := os.ReadFile(testcorpus.Path(t, "scans", "batch-visible.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "truncated.pdf")
	if err := os.WriteFile(p, b[:3000], 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = NewOpener(Options{DPI: 72}).Open(context.Background(), p, mailroom.MediaPDF)
	ie, ok := mailroom.AsInputError(err)
	if !ok {
		t.Fatalf("want InputError, got %v", err)
	}
	if !strings.Contains(ie.DE, "abgeschnitten") || !strings.Contains(ie.EN, "truncated") {
		t.Fatalf("reason %q", ie.Reason())
	}
}
