package desk_test

import (
	"context"
	"image"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/desk"
	"poststelle/mailroom/testcorpus"
	"poststelle/scan/pages"
)

func TestRotateAndFit(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 40, 20))
	src.Set(0, 0, image.White) // top-left marker
	r := desk.Rotate(src, 90)
	if b := r.Bounds(); b.Dx() != 20 || b.Dy() != 40 {
		t.Fatalf("90°: %v", b)
	}
	if _, _, _, a := r.At(19, 0).RGBA(); a == 0 {
		t.Fatal("90°: top-left pixel not at top-right")
	}
	if r2 := desk.Rotate(src, -90); r2.At(0, 39) != r.At(19, 0) {
		t.Fatal("-90°: top-left pixel not at bottom-left")
	}
	if f := desk.Fit(src, 10); f.Bounds().Dx() != 10 || f.Bounds().Dy() != 5 {
		t.Fatalf("fit %v", f.Bounds())
	}
}

// BenchmarkFirstPreview is the cold open of a scanned page: open the PDF
// with MuPDF and render page 1 at preview size (1400 px), no cache.
func BenchmarkFirstPreview(b *testing.B) {
	src := testcorpus.Path(b, "scans", "batch-visible.pdf")
	op := pages.NewOpener(pages.Options{})
	for i := 0; i < b.N; i++ {
		r := desk.NewRenderer(op, "")
		if _, err := r.Page(context.Background(), "k", src, mailroom.MediaPDF, 1, 0, 1400); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

// BenchmarkThumbnail renders one page at thumbnail size (160 px) with the
// PDF already open and no image cache.
func BenchmarkThumbnail(b *testing.B) {
	src := testcorpus.Path(b, "scans", "batch-visible.pdf")
	op := pages.NewOpener(pages.Options{})
	for i := 0; i < b.N; i++ {
		r := desk.NewRenderer(op, "")
		for p := 1; p <= 11; p++ {
			if _, err := r.Page(context.Background(), "k", src, mailroom.MediaPDF, p, 0, 160); err != nil {
				b.Fatal(err)
			}
		}
		r.Close()
	}
}
