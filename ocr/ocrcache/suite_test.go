//go:build !windows

package ocrcache

import (
	"context"
	"image"
	"image/draw"
	"os"
	"testing"

	"golang.org/x/image/tiff"

	"poststelle/mailroom"
	"poststelle/mailroom/recognizertest"
	"poststelle/mailroom/testcorpus"
	"poststelle/ocr"
)

func TestMain(m *testing.M) {
	ocr.SingleThreaded()
	os.Exit(m.Run())
}

// The cache in front of the real tesseract pool passes the suite every
// Recognizer passes, and answers a gray page the second time from memory
// with the same words.
func TestRecognizerSuite(t *testing.T) {
	p, err := ocr.New(ocr.Options{Languages: "eng", Workers: 2, NoOSD: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c := New(p, 0)
	recognizertest.Run(t, c, recognizertest.Options{})

	f, err := os.Open(testcorpus.Path(t, "tesseract", "phototest.tif"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := tiff.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	g := image.NewGray(img.Bounds())
	draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Src)
	ctx := context.Background()
	a, err := c.Recognize(ctx, mailroom.Page{Image: g, DPI: 300})
	if err != nil {
		t.Fatal(err)
	}
	h0, _ := c.Stats()
	b, err := c.Recognize(ctx, mailroom.Page{Image: g, DPI: 300})
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := c.Stats(); h != h0+1 || a.Text != b.Text || len(a.Words) != len(b.Words) || len(a.Words) == 0 {
		t.Fatalf("second call: hits %d→%d, %d vs %d words", h0, h, len(a.Words), len(b.Words))
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Recognize(cctx, mailroom.Page{Image: g, DPI: 300}); err == nil {
		t.Fatal("a cached page answered a cancelled call")
	}
}
