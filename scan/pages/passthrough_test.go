package pages

import (
	"context"
	"errors"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/pdf"
	"poststelle/mailroom/testcorpus"
	"poststelle/ocr"
)

// The decoded copy of a passed-through page matches MuPDF's rendering of
// it (same orientation, same polarity, same size).
func TestPassthroughDecodeMatchesRender(t *testing.T) {
	for _, f := range [][]string{{"scans", "batch-visible.pdf"}, {"ocrmypdf", "ccitt.pdf"}} {
		ps, err := NewOpener(Options{DPI: 100}).Open(context.Background(), testcorpus.Path(t, f...), mailroom.MediaPDF)
		if err != nil {
			t.Fatal(err)
		}
		ri, err := ps.(*PDFSet).Passthrough(0)
		if err != nil {
			t.Fatalf("%s: %v", f[1], err)
		}
		pg, err := ps.Page(context.Background(), 0, ri.DPI/4)
		ps.Close()
		if err != nil {
			t.Fatal(err)
		}
		rg := ocr.Gray(pg.Image)
		small := shrink(ri.Gray, 4)
		b := rg.Bounds()
		if d := small.Bounds().Dx() - b.Dx(); d < -2 || d > 2 {
			t.Fatalf("%s: size %v vs rendered %v", f[1], small.Bounds(), b)
		}
		// mean absolute difference over the common area
		var sum, n float64
		for y := 0; y < min(b.Dy(), small.Bounds().Dy()); y++ {
			for x := 0; x < min(b.Dx(), small.Bounds().Dx()); x++ {
				d := float64(rg.GrayAt(x, y).Y) - float64(small.GrayAt(x, y).Y)
				if d < 0 {
					d = -d
				}
				sum += d
				n++
			}
		}
		t.Logf("%s: %.0f dpi, mean difference to MuPDF %.1f levels", f[1], ri.DPI, sum/n)
		if sum/n > 12 {
			t.Errorf("%s: decoded copy differs from the rendered page (mean %.1f levels)", f[1], sum/n)
		}
	}
}

// shrink averages k×k blocks.
func shrink(g *image.Gray, k int) *image.Gray {
	b := g.Bounds()
	w, h := b.Dx()/k, b.Dy()/k
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			s := 0
			for yy := 0; yy < k; yy++ {
				for xx := 0; xx < k; xx++ {
					s += int(g.Pix[g.PixOffset(b.Min.X+x*k+xx, b.Min.Y+y*k+yy)])
				}
			}
			out.Pix[y*out.Stride+x] = uint8(s / (k * k))
		}
	}
	return out
}

// The reader copes with classic xref tables, xref and object streams; pages
// that are not one full-page image are rendered instead.
func TestPassthroughReaderVariants(t *testing.T) {
	needTool(t, "qpdf")
	dir := t.TempDir()
	orig := testcorpus.Path(t, "scans", "batch-visible.pdf")
	try := func(name string, args ...string) (*Passthrough, error) {
		t.Helper()
		p := filepath.Join(dir, name+".pdf")
		if out, err := exec.Command("qpdf", append(append([]string{"--empty", "--pages", orig, "1", "--"}, args...), p)...).CombinedOutput(); err != nil {
			t.Fatalf("qpdf: %v %s", err, out)
		}
		return rawFirst(t, p)
	}
	for _, v := range [][]string{{"--object-streams=generate"}, {"--object-streams=disable"}, {"--qdf"}} {
		ri, err := try(strings.Trim(v[0], "-="), v...)
		if err != nil || ri.PDF.Filter != "DCTDecode" || ri.DPI != 300 || ri.Gray.Bounds().Dx() != 2480 {
			t.Errorf("%v: %v", v, err)
		}
	}
	// Edited placements: half the page, mirrored.
	qdf := filepath.Join(dir, "qdf.pdf")
	data, _ := os.ReadFile(qdf)
	for name, cm := range map[string]string{
		"half":     "297.6 0 0 420.96 0 0 cm",
		"mirrored": "-595.2 0 0 841.92 595.2 0 cm",
		"text":     "595.2 0 0 841.92 0 0 cm /Im0 Do Q BT ET q",
	} {
		i := strings.Index(string(data), "595.2000 0 0 841.9200 0.0000 0.0000 cm")
		if i < 0 {
			t.Fatal("content stream not found in qdf file")
		}
		edited := string(data[:i]) + cm + string(data[i+len("595.2000 0 0 841.9200 0.0000 0.0000 cm"):])
		p := filepath.Join(dir, name+".pdf")
		os.WriteFile(p, []byte(edited), 0o600)
		fixed := filepath.Join(dir, name+"-fixed.pdf")
		if out, err := exec.Command("qpdf", p, fixed).CombinedOutput(); err != nil && !strings.Contains(string(out), "warning") {
			t.Fatalf("qpdf: %v %s", err, out)
		}
		_, err := rawFirst(t, fixed)
		t.Logf("%s: %v", name, err)
		if !errors.Is(err, pdf.ErrNoPassthrough) {
			t.Errorf("%s: taken over (err %v)", name, err)
		}
	}
}

func rawFirst(t *testing.T, p string) (*Passthrough, error) {
	ps, err := NewOpener(Options{}).Open(context.Background(), p, mailroom.MediaPDF)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	return ps.(*PDFSet).Passthrough(0)
}

func needTool(t *testing.T, name string) {
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s missing (Debian package in .ci/packages.txt)", name)
		}
		t.Skipf("%s not installed", name)
	}
}
