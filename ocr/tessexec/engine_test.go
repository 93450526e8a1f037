package tessexec_test

import (
	"context"
	"image"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/tiff"

	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
	"poststelle/ocr"
	"poststelle/ocr/tessexec"
	"poststelle/ocr/textscore"
)

// TestMain makes the process single-threaded for the linked ocr.Pool the
// comparison tests use (libgomp reads OMP_THREAD_LIMIT only at start).
func TestMain(m *testing.M) {
	if err := ocr.SingleThreaded(); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

func newEngine(t testing.TB, langs string) *tessexec.Engine {
	t.Helper()
	e, err := tessexec.New(tessexec.Options{Languages: langs})
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("tesseract: %v", err)
		}
		t.Skipf("tesseract not usable here: %v", err)
	}
	return e
}

func loadImage(t testing.TB, rel ...string) image.Image {
	t.Helper()
	f, err := os.Open(testcorpus.Path(t, rel...))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var img image.Image
	if strings.HasSuffix(rel[len(rel)-1], ".tif") {
		img, err = tiff.Decode(f)
	} else {
		img, err = png.Decode(f)
	}
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestRecognizePhototest(t *testing.T) {
	e := newEngine(t, "eng")
	img := loadImage(t, "tesseract", "phototest.tif")
	pt, err := e.Recognize(context.Background(), mailroom.Page{Image: img, DPI: 300})
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(testcorpus.Path(t, "tesseract", "phototest.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if c := textscore.CER(pt.Text, string(want)); c > 0.02 {
		t.Errorf("CER %.4f > 0.02; text:\n%s", c, pt.Text)
	}
	if len(pt.Words) < 50 || pt.Confidence < 80 {
		t.Errorf("%d words, confidence %.1f: want ≥ 50 words with confidence ≥ 80", len(pt.Words), pt.Confidence)
	}
	// Boxes lie inside the page and are in reading order on the first line.
	b := img.Bounds()
	for _, w := range pt.Words {
		if !w.Box.In(b) || w.Box.Empty() {
			t.Fatalf("word %q box %v outside page %v", w.Text, w.Box, b)
		}
	}
	if pt.Words[0].Text != "This" || pt.Words[1].Box.Min.X <= pt.Words[0].Box.Min.X {
		t.Errorf("first words %q %v, %q %v", pt.Words[0].Text, pt.Words[0].Box, pt.Words[1].Text, pt.Words[1].Box)
	}
}

// TestBoxesFollowImageOrigin: a sub-image keeps page coordinates.
func TestBoxesFollowImageOrigin(t *testing.T) {
	e := newEngine(t, "eng")
	img := loadImage(t, "tesseract", "phototest.tif")
	g := ocr.Gray(img)
	sub := g.SubImage(image.Rect(0, 80, g.Bounds().Dx(), 200)).(*image.Gray)
	pt, err := e.Recognize(context.Background(), mailroom.Page{Image: sub, DPI: 300})
	if err != nil {
		t.Fatal(err)
	}
	if len(pt.Words) == 0 {
		t.Fatal("no words in the strip")
	}
	for _, w := range pt.Words {
		if !w.Box.In(sub.Bounds()) {
			t.Fatalf("word %q box %v outside the sub-image %v", w.Text, w.Box, sub.Bounds())
		}
	}
}

// TestSameTextAsLinkedPool: the process engine and the linked gosseract pool
// produce the same text on the same page (same tesseract, same reading order).
func TestSameTextAsLinkedPool(t *testing.T) {
	e := newEngine(t, "eng")
	p, err := ocr.New(ocr.Options{Languages: "eng", Workers: 1, NoOSD: true})
	if err != nil {
		t.Skipf("linked pool unavailable: %v", err)
	}
	defer p.Close()
	page := mailroom.Page{Image: loadImage(t, "tesseract", "phototest.tif"), DPI: 300}
	a, err := e.Recognize(context.Background(), page)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Recognize(context.Background(), page)
	if err != nil {
		t.Fatal(err)
	}
	if c := textscore.CER(a.Text, b.Text); c > 0.01 {
		t.Errorf("texts differ (CER %.4f):\nprocess:\n%s\nlinked:\n%s", c, a.Text, b.Text)
	}
	if len(a.Words) != len(b.Words) {
		t.Errorf("process %d words, linked %d", len(a.Words), len(b.Words))
	}
}

func TestOrientation(t *testing.T) {
	e := newEngine(t, "eng")
	for file, want := range map[string]int{
		"phototest.tif": 0, "phototest-rotated-R.png": 270, "phototest-rotated-180.png": 180, "phototest-rotated-L.png": 90,
	} {
		g := ocr.Gray(loadImage(t, "tesseract", file))
		deg, conf, ok, err := e.Orientation(context.Background(), g, 300)
		if err != nil || !ok || deg != want {
			t.Errorf("%s: deg %d conf %.1f ok %v err %v; want %d", file, deg, conf, ok, err, want)
		}
	}
}

func TestOrientationBlank(t *testing.T) {
	e := newEngine(t, "eng")
	g := image.NewGray(image.Rect(0, 0, 800, 1000))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	deg, _, ok, err := e.Orientation(context.Background(), g, 300)
	if err != nil || ok {
		t.Errorf("blank page: deg %d ok %v err %v; want ok=false, no error", deg, ok, err)
	}
}

func TestBlankAndEmptyPages(t *testing.T) {
	e := newEngine(t, "eng")
	pt, err := e.Recognize(context.Background(), mailroom.Page{Image: image.NewGray(image.Rectangle{})})
	if err != nil || pt.Text != "" {
		t.Errorf("empty image: %q %v", pt.Text, err)
	}
	g := image.NewGray(image.Rect(0, 0, 600, 800))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	pt, err = e.Recognize(context.Background(), mailroom.Page{Image: g, DPI: 300})
	if err != nil || len(pt.Words) != 0 {
		t.Errorf("white page: %d words, err %v", len(pt.Words), err)
	}
}

func TestMissingLanguageAndBinary(t *testing.T) {
	newEngine(t, "eng")
	if _, err := tessexec.New(tessexec.Options{Languages: "eng+qqq"}); err == nil || !strings.Contains(err.Error(), `"qqq"`) {
		t.Errorf("missing language: err %v", err)
	}
	if _, err := tessexec.New(tessexec.Options{Binary: "/nonexistent/tesseract"}); err == nil {
		t.Error("missing binary: no error")
	}
}

func TestCancel(t *testing.T) {
	e := newEngine(t, "eng")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := e.Recognize(ctx, mailroom.Page{Image: loadImage(t, "ocrmypdf", "linn.png"), DPI: 300})
	if err == nil {
		t.Fatal("no error after the context ended")
	}
}

// Benchmarks: one page of linn.png (2550×3300, 300 dpi), deu+eng, one
// worker; process per page versus the linked pool.
//
//	go test -run XXX -bench . -benchtime 5x ./ocr/tessexec
func BenchmarkProcessLinn(b *testing.B) {
	e := newEngine(b, "deu+eng")
	page := mailroom.Page{Image: loadImage(b, "ocrmypdf", "linn.png"), DPI: 300}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.Recognize(context.Background(), page); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLinkedPoolLinn(b *testing.B) {
	p, err := ocr.New(ocr.Options{Languages: "deu+eng", Workers: 1, NoOSD: true})
	if err != nil {
		b.Skip(err)
	}
	defer p.Close()
	page := mailroom.Page{Image: loadImage(b, "ocrmypdf", "linn.png"), DPI: 300}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.Recognize(context.Background(), page); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProcessOrientation(b *testing.B) {
	e := newEngine(b, "deu+eng")
	g := ocr.Gray(loadImage(b, "ocrmypdf", "linn.png"))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, _, err := e.Orientation(context.Background(), g, 300); err != nil {
			b.Fatal(err)
		}
	}
}

// The small page shows the fixed cost per page: process start and model load.
func BenchmarkProcessPhototest(b *testing.B) {
	e := newEngine(b, "deu+eng")
	page := mailroom.Page{Image: loadImage(b, "tesseract", "phototest.tif"), DPI: 300}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.Recognize(context.Background(), page); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLinkedPoolPhototest(b *testing.B) {
	p, err := ocr.New(ocr.Options{Languages: "deu+eng", Workers: 1, NoOSD: true})
	if err != nil {
		b.Skip(err)
	}
	defer p.Close()
	page := mailroom.Page{Image: loadImage(b, "tesseract", "phototest.tif"), DPI: 300}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.Recognize(context.Background(), page); err != nil {
			b.Fatal(err)
		}
	}
}
