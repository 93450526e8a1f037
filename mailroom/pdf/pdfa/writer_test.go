package pdfa

import (
	"bytes"
	"errors"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/pdf"
)

// turned places the image turned by 90° clockwise (as analysis.Correction
// does for Rotate 90, without skew).
type turned struct{}

func (turned) PDFMatrix(w, h int, dpi float64) ([6]float64, float64, float64) {
	k := 72 / dpi
	pw, ph := float64(h)*k, float64(w)*k
	return [6]float64{0, -ph, pw, 0, 0, ph}, pw, ph
}

// What the writer writes, the reader reads back: a page without text is
// one full-page image, taken over with the size, depth, resolution and
// turn written; a page with a text layer is not (text operators). qpdf
// finds no fault, pdftotext the word.
func TestWriterReadBack(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 200, 300))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	for x := 20; x < 180; x++ {
		g.Pix[150*g.Stride+x] = 0
	}
	shaded := image.NewGray(g.Bounds())
	copy(shaded.Pix, g.Pix)
	shaded.Pix[10] = 128 // not bitonal: JPEG when lossy
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Info{Title: "Prüfung <1>", Created: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	words := []mailroom.Word{{Text: "Linie", Box: image.Rect(20, 140, 180, 160)}}
	gray := EncodeGray(g, false)
	if gray.BPC != 1 || gray.Filter != "FlateDecode" {
		t.Fatalf("bitonal page encoded as %d bits %s", gray.BPC, gray.Filter)
	}
	for _, p := range []Page{{Image: gray, DPI: 100}, {Image: EncodeGray(shaded, true), DPI: 150, Place: turned{}}, {Image: gray, DPI: 100, Words: words}} {
		if err := w.AddPage(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := pdf.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	pages, err := r.Pages()
	if err != nil || len(pages) != 3 {
		t.Fatalf("%d pages, %v", len(pages), err)
	}
	for i, want := range []struct {
		filter string
		dpi    float64
		bpc    int
		rotate int
	}{{"FlateDecode", 100, 1, 0}, {"DCTDecode", 150, 8, 90}} {
		pi, err := r.PageImage(pages[i], func(w, h int64) error { return nil })
		if err != nil {
			t.Fatalf("page %d: %v", i+1, err)
		}
		if string(pi.Filter) != want.filter || pi.DPI != want.dpi || pi.BPC != want.bpc || pi.Rotate != want.rotate || pi.Width != 200 || pi.Height != 300 {
			t.Errorf("page %d: %s %.0f dpi %d bits turned %d, %d×%d", i+1, pi.Filter, pi.DPI, pi.BPC, pi.Rotate, pi.Width, pi.Height)
		}
	}
	if _, err := r.PageImage(pages[2], func(w, h int64) error { return nil }); !errors.Is(err, pdf.ErrNoPassthrough) {
		t.Errorf("page with text layer taken for a scanned page: %v", err)
	}
	for _, want := range []string{"<pdfaid:part>2</pdfaid:part>", "Prüfung &lt;1&gt;", "/GTS_PDFA1", "/CreationDate (D:20250102030405Z)"} {
		if !bytes.Contains(buf.Bytes(), []byte(want)) {
			t.Errorf("%s missing", want)
		}
	}
	if _, err := exec.LookPath("qpdf"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("qpdf missing (Debian package in .ci/packages.txt)")
		}
		t.Skip("qpdf not installed")
	}
	p := filepath.Join(t.TempDir(), "out.pdf")
	os.WriteFile(p, buf.Bytes(), 0o600)
	if out, err := exec.Command("qpdf", "--check", p).CombinedOutput(); err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors") {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	if txt, err := exec.Command("pdftotext", "-f", "3", p, "-").Output(); err != nil || !strings.Contains(string(txt), "Linie") {
		t.Errorf("pdftotext: %v %q", err, txt)
	}
}
