//go:build !windows

package ocr

import (
	"context"
	"image"
	"image/png"
	"os"
	"strings"
	"sync"
	"testing"

	"golang.org/x/image/tiff"

	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
	"poststelle/ocr/textscore"
)

func TestMain(m *testing.M) {
	SingleThreaded()
	os.Exit(m.Run())
}

func loadTIFF(t testing.TB, rel ...string) image.Image {
	f, err := os.Open(testcorpus.Path(t, rel...))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := tiff.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func loadPNG(t testing.TB, rel ...string) image.Image {
	f, err := os.Open(testcorpus.Path(t, rel...))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestPhototestCER(t *testing.T) {
	p, err := New(Options{Languages: "eng", Workers: 1, NoOSD: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	img := loadTIFF(t, "tesseract", "phototest.tif")
	want, _ := os.ReadFile(testcorpus.Path(t, "tesseract", "phototest.txt"))
	pt, err := p.Recognize(context.Background(), mailroom.Page{Image: img, DPI: 0})
	if err != nil {
		t.Fatal(err)
	}
	c := textscore.CER(pt.Text, string(want))
	t.Logf("CER %.4f, confidence %.1f, %d words", c, pt.Confidence, len(pt.Words))
	if c > 0.01 {
		t.Fatalf("CER %.4f > 0.01\n%s", c, pt.Text)
	}
	if pt.Confidence < 80 || len(pt.Words) < 50 {
		t.Fatalf("confidence %.1f, %d words", pt.Confidence, len(pt.Words))
	}
	// Word boxes lie inside the page and the first word is "This" at the top left.
	b := img.Bounds()
	for _, w := range pt.Words {
		if !w.Box.In(b) || w.Box.Empty() {
			t.Fatalf("word %q box %v outside page %v", w.Text, w.Box, b)
		}
	}
	if pt.Words[0].Text != "This" || pt.Words[0].Box.Min.Y > b.Dy()/4 {
		t.Fatalf("first word %+v", pt.Words[0])
	}
}

func TestPoolConcurrent(t *testing.T) {
	p, err := New(Options{Languages: "eng", Workers: 2, NoOSD: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Workers() != 2 {
		t.Fatalf("workers %d", p.Workers())
	}
	img := loadTIFF(t, "tesseract", "phototest.tif")
	var wg sync.WaitGroup
	texts := make([]string, 4)
	errs := make([]error, 4)
	for i := range texts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pt, err := p.Recognize(context.Background(), mailroom.Page{Image: img, DPI: 200})
			texts[i], errs[i] = pt.Text, err
		}()
	}
	wg.Wait()
	for i := range texts {
		if errs[i] != nil || texts[i] != texts[0] || !strings.Contains(texts[i], "quick brown dog") {
			t.Fatalf("result %d differs or failed: %v %q", i, errs[i], texts[i])
		}
	}
	// A cancelled context while all engines are busy returns at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a, _ := p.get(context.Background())
	b, _ := p.get(context.Background())
	if _, err := p.Recognize(ctx, mailroom.Page{Image: img}); err == nil {
		t.Fatal("want context error")
	}
	p.put(a)
	p.put(b)
}

func TestUnknownLanguage(t *testing.T) {
	if _, err := New(Options{Languages: "deu+xx_nonexistent"}); err == nil || !strings.Contains(err.Error(), "not installed") {
		t.Fatalf("want language error, got %v", err)
	}
}

func TestOrientation(t *testing.T) {
	p, err := New(Options{Languages: "eng", Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, c := range []struct {
		file string
		want int
	}{
		{"phototest-rotated-R.png", 270}, {"phototest-rotated-180.png", 180}, {"phototest-rotated-L.png", 90},
	} {
		img := loadPNG(t, "tesseract", c.file)
		deg, conf, ok, err := p.Orientation(context.Background(), Gray(img), 300)
		t.Logf("%s: deg %d conf %.2f ok %v err %v", c.file, deg, conf, ok, err)
		if err != nil || !ok || deg != c.want {
			t.Errorf("%s: correction %d°, want %d°", c.file, deg, c.want)
		}
	}
	img := loadTIFF(t, "tesseract", "phototest.tif")
	deg, conf, ok, err := p.Orientation(context.Background(), Gray(img), 300)
	t.Logf("upright: deg %d conf %.2f ok %v err %v", deg, conf, ok, err)
	if err != nil || !ok || deg != 0 {
		t.Errorf("upright page: correction %d°", deg)
	}
}
