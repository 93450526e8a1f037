package barcode

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
)

func patchSymbols(syms []mailroom.Symbol) []mailroom.Symbol {
	var out []mailroom.Symbol
	for _, s := range syms {
		if s.Symbology == Patch {
			out = append(out, s)
		}
	}
	return out
}

// Generated sheets of all six codes at 200/300/600 dpi, bars along the top
// or the left edge, with noise, 2° skew and (some) photocopy widening,
// upright and upside down: each must be identified. A mirrored partner
// counts only when reported as mirrored.
func TestPatchGeneratedSheets(t *testing.T) {
	d := New(Options{})
	codes := []string{"1", "2", "3", "4", "6", "T"}
	n := 0
	for _, dpi := range []float64{200, 300, 600} {
		for i, code := range codes {
			n++
			spec := sheetSpec{dpi: dpi, code: code, vertical: i%2 == 1, along: 1.0 + float64(i)*0.6,
				skewDeg: []float64{2, -2}[i%2], noise: 18, seed: uint64(n), content: true}
			if i%3 == 0 {
				spec.widen = 0.015
			}
			upright := renderSheet(spec)
			for _, turned := range []bool{false, true} {
				img := upright
				if turned {
					img = gray180(upright)
				}
				name := fmt.Sprintf("patch %s %gdpi vertical=%v widen=%g skew=%g upside-down=%v", code, dpi, spec.vertical, spec.widen, spec.skewDeg, turned)
				syms, err := d.Detect(context.Background(), mailroom.Page{Image: img, DPI: dpi})
				if err != nil {
					t.Fatal(err)
				}
				ps := patchSymbols(syms)
				if len(ps) != 1 {
					t.Errorf("%s: want exactly one patch code, got %+v", name, ps)
					continue
				}
				got := ps[0]
				ok := got.Text == code || (got.Text == PatchMirror(code) && got.Mirrored && code != PatchMirror(code))
				if !ok {
					t.Errorf("%s: read %q mirrored=%v", name, got.Text, got.Mirrored)
				}
				if others := len(syms) - len(ps); others > 0 {
					t.Logf("%s: also %v", name, texts(syms))
				}
			}
		}
	}
}

// Pages without patch codes: a sheet with only text, a table and an
// ordinary barcode, and the naps2 scans that carry none.
func TestPatchNegatives(t *testing.T) {
	d := New(Options{NoBarcodes: true})
	for _, dpi := range []float64{200, 300, 600} {
		img := renderSheet(sheetSpec{dpi: dpi, noise: 18, seed: 99, content: true, skewDeg: 1})
		syms, _ := d.Detect(context.Background(), mailroom.Page{Image: img, DPI: dpi})
		if len(syms) > 0 {
			t.Errorf("content sheet %g dpi: false patch codes %+v", dpi, syms)
		}
	}
	for _, f := range []string{"image_upc_barcode.jpg", "blank1.jpg", "notblank.jpg", "skewed.jpg"} {
		for _, p := range loadPages(t, testcorpus.Path(t, "naps2", f)) {
			syms, err := d.Detect(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if len(syms) > 0 {
				t.Errorf("%s: no patch code expected, got %+v", f, syms)
			}
		}
	}
}

// naps2/patcht.jpg with its Code 39 blanked out: Patch T from the bars alone.
func TestPatchTFromBarsAlone(t *testing.T) {
	pages := loadPages(t, testcorpus.Path(t, "naps2", "patcht.jpg"))
	src := pages[0].Image
	img := image.NewRGBA(src.Bounds())
	draw.Draw(img, img.Bounds(), src, src.Bounds().Min, draw.Src)
	draw.Draw(img, image.Rect(914, 1643, 1722, 1825), image.White, image.Point{}, draw.Src)
	syms, err := New(Options{}).Detect(context.Background(), mailroom.Page{Image: img, DPI: 300})
	if err != nil {
		t.Fatal(err)
	}
	ps := patchSymbols(syms)
	if len(ps) == 0 {
		t.Fatalf("no patch code found; symbols %v", texts(syms))
	}
	for _, s := range syms {
		if s.Symbology == Code39 {
			t.Errorf("the Code 39 was blanked out but still read: %+v", s)
		}
	}
	for _, s := range ps {
		if s.Text != "T" {
			t.Errorf("patch read as %q mirrored=%v at %v, want T", s.Text, s.Mirrored, s.Box)
		}
	}
	// The sheet carries the pattern along all four edges, each read from its
	// edge inward: the top and left ones in image direction, the bottom and
	// right ones against it (mirrored).
	if len(ps) != 4 {
		t.Errorf("want the 4 edge patterns, got %d: %+v", len(ps), ps)
	}
	r := mustRules(t, defaultSeparators(t))
	plan, err := r.Plan(1, []mailroom.PageSymbols{{Page: 1, Symbols: syms}})
	if err != nil || len(plan.Documents) != 0 || len(plan.Separators) != 1 || plan.Separators[0].Symbology != Patch {
		t.Errorf("plan %+v, %v: want one patch separator and no document", plan, err)
	}
}

// The patch decoder must not fire on ordinary barcodes: none of the zxing
// images (large Code 128, Code 39, QR, DataMatrix, false-positive photos)
// may yield a patch code, upright or turned by 90°.
func TestPatchNotOnOrdinaryBarcodes(t *testing.T) {
	d := New(Options{NoBarcodes: true})
	for _, set := range []string{"code128-1", "code39-1", "qrcode-1", "datamatrix-1", "falsepositives-2"} {
		for _, c := range zxingSet(t, set) {
			img := loadImage(t, c.path)
			g := toGray(img).transpose()
			turned := &image.Gray{Pix: g.pix, Stride: g.w, Rect: image.Rect(0, 0, g.w, g.h)}
			for _, im := range []image.Image{img, turned} {
				syms, _ := d.Detect(context.Background(), mailroom.Page{Image: im})
				if len(syms) > 0 {
					t.Errorf("%s/%s: patch code on an ordinary image: %+v", set, c.path, syms)
				}
			}
		}
	}
}

// naps2/patcht.jpg as a scanner might deliver it: turned a little, seen in
// perspective, blurred, noisy, pale or grey-printed, unevenly lit, on a dark
// scanner background and shifted, at 200 dpi, as a black-and-white scan;
// with and without its Code 39. The Patch T must be read from the bars on every variant and the page
// must become one separator.
func TestPatchTDistortedScans(t *testing.T) {
	pages := loadPages(t, testcorpus.Path(t, "naps2", "patcht.jpg"))
	src := toGray(pages[0].Image)
	blank := toGray(pages[0].Image)
	for y := 1643; y < 1825; y++ {
		for x := 914; x < 1722; x++ {
			blank.pix[y*blank.w+x] = 255
		}
	}
	d := New(Options{})
	r := mustRules(t, defaultSeparators(t))
	for i, dist := range []scanDistortion{
		{rotDeg: 1.5},
		{rotDeg: -2.5},
		{rotDeg: 4},
		{keystone: 0.02, rotDeg: 1},
		{blur: 1.5},
		{blur: 2.5, noise: 12},
		{noise: 25},
		{rotDeg: 2, keystone: 0.015, blur: 1.2, noise: 15},
		{ink: 110, blur: 1.5, noise: 10},
		{scale: 2.0 / 3, rotDeg: -1, blur: 1, noise: 10},
		{scale: 2.0 / 3, rotDeg: 3, keystone: 0.01, blur: 1.3, noise: 15, ink: 80},
		{ink: 180, noise: 5},
		{ink: 185, noise: 8, blur: 1.5, rotDeg: -1.5, shade: 0.15},
		{ink: 170, shade: 0.25, blur: 1.5, rotDeg: 2, noise: 8},
		{rotDeg: 3, bg: 30, noise: 5},
		{rotDeg: -2, bg: 30, shiftX: 0.03},
		{scale: 2.0 / 3, bilevel: true, blur: 1.5, noise: 60, rotDeg: 2},
	} {
		dist.seed = uint64(i + 1)
		for _, base := range []struct {
			name string
			g    *gray
		}{{"with Code 39", src}, {"Code 39 blanked", blank}} {
			img := distort(base.g, dist)
			dpi := 300 * max(dist.scale, 0)
			if dpi == 0 {
				dpi = 300
			}
			syms, err := d.Detect(context.Background(), mailroom.Page{Image: img, DPI: dpi})
			if err != nil {
				t.Fatal(err)
			}
			ps := patchSymbols(syms)
			name := fmt.Sprintf("%s, %v", base.name, dist)
			if len(ps) == 0 {
				t.Errorf("%s: no patch code; symbols %v", name, texts(syms))
				continue
			}
			for _, s := range ps {
				if s.Text != "T" {
					t.Errorf("%s: patch read as %q mirrored=%v at %v, want T", name, s.Text, s.Mirrored, s.Box)
				}
			}
			plan, err := r.Plan(1, []mailroom.PageSymbols{{Page: 1, Symbols: syms}})
			if err != nil || len(plan.Documents) != 0 || len(plan.Separators) != 1 {
				t.Errorf("%s: plan %+v, %v: want one separator and no document", name, plan, err)
			}
			t.Logf("%s: %d patterns, %v", name, len(ps), texts(syms))
		}
	}
}
