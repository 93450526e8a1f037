package barcode

import (
	"context"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"testing"

	"poststelle/mailroom"
	"poststelle/scan/pages"
)

// loadPages opens any input the engine accepts (PDF, TIFF, JPEG, PNG) with the
// real pages.Opener at 300 dpi.
func loadPages(t testing.TB, path string) []mailroom.Page {
	t.Helper()
	ctx := context.Background()
	ps, err := pages.NewOpener(pages.Options{DPI: 300}).Open(ctx, path, "")
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer ps.Close()
	var out []mailroom.Page
	for i := 0; i < ps.Len(); i++ {
		p, err := ps.Page(ctx, i, 0)
		if err != nil {
			t.Fatalf("page %d of %s: %v", i+1, path, err)
		}
		out = append(out, p)
	}
	return out
}

// loadImage decodes a plain image file (the zxing sets include GIF).
func loadImage(t testing.TB, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return img
}

func rotate180(img image.Image) image.Image {
	g := toGray(img)
	r := g.rotate180()
	return &image.Gray{Pix: r.pix, Stride: r.w, Rect: image.Rect(0, 0, r.w, r.h)}
}
