package analysis

import (
	"context"
	"image"
	"image/color"
	"math"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
	"poststelle/ocr"
	"poststelle/scan/pages"
)

func openPage(t testing.TB, i int, rel ...string) mailroom.Page {
	t.Helper()
	ps, err := pages.NewOpener(pages.Options{DPI: 300}).Open(context.Background(), testcorpus.Path(t, rel...), "")
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	p, err := ps.Page(context.Background(), i, 0)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBlankPages(t *testing.T) {
	for _, c := range []struct {
		rel   []string
		blank bool
	}{
		{[]string{"naps2", "blank1.jpg"}, true},
		{[]string{"naps2", "notblank.jpg"}, false},
		{[]string{"ocrmypdf", "blank.pdf"}, true},
		{[]string{"naps2", "skewed.jpg"}, false},
		{[]string{"tesseract", "phototest.tif"}, false},
		{[]string{"scans", "batch-visible.pdf"}, false},
	} {
		p := openPage(t, 0, c.rel...)
		blank, ratio := IsBlank(ocr.Gray(p.Image), p.DPI, BlankOptions{})
		t.Logf("%s: ink %.5f blank %v", c.rel[1], ratio, blank)
		if blank != c.blank {
			t.Errorf("%s: blank = %v, want %v (ink ratio %.5f)", c.rel[1], blank, c.blank, ratio)
		}
	}
}

func TestDetectSkew(t *testing.T) {
	p := openPage(t, 0, "naps2", "skewed.jpg")
	g := ocr.Gray(p.Image)
	a, ok := DetectSkew(g, p.DPI, 20)
	t.Logf("skewed.jpg: %.2f° ok %v", a, ok)
	if !ok || math.Abs(math.Abs(a)-16) > 0.5 {
		t.Fatalf("skewed.jpg skew %.2f°, want 15.5…16.5°", a)
	}
	// After correction the residual skew is small.
	st := Correction{Skew: a}.Apply(g)
	r, _ := DetectSkew(st, p.DPI, 20)
	if math.Abs(r) > 0.5 {
		t.Fatalf("residual skew %.2f°", r)
	}
	// An artificially turned page is measured with the right sign.
	q := openPage(t, 0, "tesseract", "phototest.tif")
	qg := ocr.Gray(q.Image)
	base, _ := DetectSkew(qg, q.DPI, 20)
	for _, turn := range []float64{3, -7.5} {
		// Correction{Skew: -turn} turns the content clockwise by turn.
		tg := Correction{Skew: -turn}.Apply(qg)
		got, ok := DetectSkew(tg, q.DPI, 20)
		if !ok || math.Abs(got-base-turn) > 0.3 {
			t.Errorf("turned by %.1f°: measured %.2f° (base %.2f°)", turn, got, base)
		}
	}
}

func TestSkewPDF(t *testing.T) {
	p := openPage(t, 0, "ocrmypdf", "skew.pdf")
	g := ocr.Gray(p.Image)
	a, ok := DetectSkew(g, p.DPI, 20)
	st := Correction{Skew: a}.Apply(g)
	r, _ := DetectSkew(st, p.DPI, 20)
	t.Logf("skew.pdf: %.2f° ok %v, residual %.2f°", a, ok, r)
	if !ok || math.Abs(a) < 1 || math.Abs(r) > 0.5 {
		t.Fatalf("skew.pdf: measured %.2f°, residual %.2f°", a, r)
	}
}

// A tiny image (a 16×16 favicon attached to a mail) reduces to fewer than 20
// analysis blocks per side: the blank test must not read outside the mask.
func TestInkRatioTinyImage(t *testing.T) {
	for _, size := range []int{1, 2, 3, 16, 19} {
		g := image.NewGray(image.Rect(0, 0, size, size))
		for i := range g.Pix {
			g.Pix[i] = 255
		}
		for _, dpi := range []float64{0, 72, 300} {
			if r := InkRatio(g, dpi); r != 0 {
				t.Errorf("%d×%d white at %v dpi: ink ratio %v, want 0", size, size, dpi, r)
			}
		}
		if size < 16 {
			continue
		}
		// A dark square in the middle is content.
		for y := size / 4; y < size*3/4+1; y++ {
			for x := size / 4; x < size*3/4+1; x++ {
				g.SetGray(x, y, color.Gray{})
			}
		}
		if blank, r := IsBlank(g, 0, BlankOptions{}); blank {
			t.Errorf("%d×%d with a dark square: reported blank (ink %v)", size, size, r)
		}
	}
}

// MapRect turns a box with the page: a quarter turn moves it to the
// matching corner, straightening by a small angle widens it a little about
// the same centre.
func TestMapRect(t *testing.T) {
	r := image.Rect(100, 200, 300, 240)
	if got := (Correction{Rotate: 90}).MapRect(r, 1000, 2000); got != image.Rect(1760, 100, 1800, 300) {
		t.Errorf("quarter turn: %v", got)
	}
	got := (Correction{Skew: 1.5}).MapRect(r, 1000, 2000)
	if got.Dx() < 200 || got.Dx() > 203 || got.Dy() < 44 || got.Dy() > 48 {
		t.Errorf("straightened by 1.5°: %v (size %dx%d)", got, got.Dx(), got.Dy())
	}
	// The centre turns about the page centre (500, 1000) by 1.5°
	// counter-clockwise.
	sn, cs := math.Sincos(-1.5 * math.Pi / 180)
	wx, wy := cs*(200-500)-sn*(220-1000)+500, sn*(200-500)+cs*(220-1000)+1000
	c := got.Min.Add(got.Max).Div(2)
	if math.Abs(float64(c.X)-wx) > 2 || math.Abs(float64(c.Y)-wy) > 2 {
		t.Errorf("straightened box centre %v, want (%.0f, %.0f)", c, wx, wy)
	}
}

// LineDirection: text lines across the page give a ratio well below 1,
// the same pages turned by 90° one above sidewaysRatio's 1.3 (the scanned
// batch's first invoice, tesseract's phototest, the two-column linn page);
// too little ink is not ok.
func TestLineDirection(t *testing.T) {
	for _, rel := range [][]string{{"scans", "batch-visible.pdf"}, {"tesseract", "phototest.tif"}, {"ocrmypdf", "linn.png"}} {
		g := ocr.Gray(openPage(t, 0, rel...).Image)
		across, ok1 := LineDirection(g, 300, 20)
		down, ok2 := LineDirection(Correction{Rotate: 90}.Apply(g), 300, 20)
		t.Logf("%s: upright %.2f, turned %.2f", rel[len(rel)-1], across, down)
		if !ok1 || !ok2 || across >= 0.8 || down <= 1.3 {
			t.Errorf("%s: upright %.2f (ok %v), turned by 90° %.2f (ok %v)", rel[len(rel)-1], across, ok1, down, ok2)
		}
	}
	white := image.NewGray(image.Rect(0, 0, 2480, 3508))
	for i := range white.Pix {
		white.Pix[i] = 255
	}
	if _, ok := LineDirection(white, 300, 20); ok {
		t.Error("a white page is ok")
	}
}
