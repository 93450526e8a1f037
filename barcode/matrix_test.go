package barcode

import (
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
)

// smallCodeTexts are what separator and index sheets carry.
var smallCodeTexts = []string{"ASN00123", "TAG:invoice", "Az 32-4711/2024", "PATCHT", "DEPT:Ordnungsamt", "ASN4711", "TAG:receipt", "Bauamt 63"}

// smallCodePage draws a 300-dpi A4 letter page with a small DataMatrix and a
// small QR code (modules of 2 or 3 px, at odd pixel offsets so that the
// 150-dpi copy blurs neighbouring modules together) placed among the text,
// with the quiet zone their specifications ask for (QR 4 modules, DataMatrix
// 1 module). scanned adds a scanner's blur and noise; turned turns the page
// by 180°. The codes' boxes are returned in the coordinates of the result.
func smallCodePage(t *testing.T, seed uint64, scanned, turned bool) (image.Image, []codeSpec, []image.Rectangle) {
	t.Helper()
	const dpi = 300.0
	r := rand.New(rand.NewPCG(seed, 3))
	w, h := int(a4W*dpi), int(a4H*dpi)
	var codes []codeSpec
	var keep []image.Rectangle
	for i, sym := range []string{DataMatrix, QRCode} {
		c := codeSpec{symbology: sym, text: smallCodeTexts[(int(seed)*2+i)%len(smallCodeTexts)], module: 2 + r.IntN(2)}
		if sym == QRCode {
			c.module = 2 // modules of 3 px are 1.5 px on the 150-dpi copy, which often reads them
		}
		m := encodeModules(t, c.symbology, c.text)
		size := len(m) * c.module
		quiet := 1
		if sym == QRCode {
			quiet = 4
		}
		for {
			// Odd offsets on the final page (w and h are odd, sizes even).
			c.x = 300 + r.IntN(w-600-size) | 1
			c.y = 500 + r.IntN(h-1000-size) | 1
			if turned {
				c.x, c.y = c.x-1, c.y-1
			}
			box := image.Rect(c.x, c.y, c.x+size, c.y+size).Inset(-quiet * c.module)
			if len(keep) == 0 || !keep[0].Inset(-50).Overlaps(box) {
				keep = append(keep, box)
				break
			}
		}
		codes = append(codes, c)
	}
	img := textPage(t, dpi, seed, keep)
	var boxes []image.Rectangle
	for _, c := range codes {
		quiet := 1
		if c.symbology == QRCode {
			quiet = 4
		}
		b := placeCode(t, img, c, quiet)
		if turned {
			b = image.Rect(w-b.Max.X, h-b.Max.Y, w-b.Min.X, h-b.Min.Y)
		}
		if b.Min.X%2 == 0 || b.Min.Y%2 == 0 {
			t.Fatalf("code at even offset %v", b.Min)
		}
		boxes = append(boxes, b)
	}
	if scanned {
		scanLike(img, 8, seed)
	}
	if turned {
		return rotate180(img), codes, boxes
	}
	return img, codes, boxes
}

// The 150-dpi copy cannot read codes with 2–3 px modules; the candidate
// regions found on it must be decoded at full resolution.
func TestMatrixSmallCodesOnFullPage(t *testing.T) {
	d := New(Options{})
	found, total := 0, 0
	for seed := uint64(1); seed <= 4; seed++ {
		for _, scanned := range []bool{false, true} {
			name := fmt.Sprintf("seed%d", seed)
			if scanned {
				name += "-scanned"
			}
			turned := seed == 3
			if turned {
				name += "-180"
			}
			page, codes, boxes := smallCodePage(t, seed, scanned, turned)
			g := toGray(page)
			// Premise: the reduced page alone does not read them.
			for _, s := range scanMatrix(g.reduce(2), 2, image.Point{}, true) {
				for _, c := range codes {
					if s.text == c.text {
						t.Errorf("%s: the 150-dpi copy already reads %s %q (module %d px); the page does not test the full-resolution step", name, c.symbology, c.text, c.module)
					}
				}
			}
			syms, err := d.Detect(context.Background(), mailroom.Page{Image: page, DPI: 300})
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range codes {
				total++
				m := encodeModules(t, c.symbology, c.text)
				want := boxes[i]
				hit := false
				for _, s := range syms {
					if s.Symbology == c.symbology && s.Text == c.text && s.Box.Overlaps(want) {
						hit = true
					}
				}
				if hit {
					found++
				} else {
					t.Errorf("%s: %s %q (%d×%d modules of %d px at %v) not read; got %v", name, c.symbology, c.text, len(m[0]), len(m), c.module, want.Min, texts(syms))
				}
			}
			if len(syms) != len(codes) {
				t.Errorf("%s: %d symbols, want %d: %v", name, len(syms), len(codes), texts(syms))
			}
		}
	}
	t.Logf("small 2D codes read at full resolution: %d/%d", found, total)
}

// Text pages must neither yield symbols nor make the candidate search decode
// many regions: the uncapped number of candidates per page stays within the
// cap, so the cap is not what keeps the work small.
func TestMatrixCandidatesOnTextPages(t *testing.T) {
	d := New(Options{})
	type pg struct {
		name string
		img  image.Image
	}
	var pages []pg
	for seed := uint64(10); seed < 13; seed++ {
		img := textPage(t, 300, seed, nil)
		if seed == 12 {
			scanLike(img, 8, seed)
		}
		pages = append(pages, pg{fmt.Sprintf("generated text page %d", seed), img})
	}
	for i, p := range loadPages(t, testcorpus.Path(t, "scans", "batch-visible.pdf")) {
		pages = append(pages, pg{fmt.Sprintf("batch-visible.pdf p%d", i+1), p.Image})
	}
	all := 0
	for _, p := range pages {
		g := toGray(p.img)
		n := len(findMatrixRegions(fullResGray(g), g.reduce(2), 2, 150, nil, 0))
		all += n
		if n > maxMatrixCandidates {
			t.Errorf("%s: %d candidate regions (cap %d)", p.name, n, maxMatrixCandidates)
		}
		syms, err := d.Detect(context.Background(), mailroom.Page{Image: p.img, DPI: 300})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range syms {
			if s.Symbology != Patch {
				t.Errorf("%s: false symbol %s %q", p.name, s.Symbology, s.Text)
			}
		}
	}
	t.Logf("%d text pages: %d candidate regions in all", len(pages), all)

	// Separator sheets: Code 39 and QR codes the reduced page reads, the
	// Kodak patch sheet's small bold text; no region is left to decode.
	files, err := filepath.Glob(filepath.Join(testcorpus.Path(t, "paperless_barcodes"), "*.pdf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("paperless_barcodes: %v", err)
	}
	all, n := 0, 0
	for _, file := range files {
		for i, p := range loadPages(t, file) {
			g := toGray(p.Image)
			k := len(findMatrixRegions(fullResGray(g), g.reduce(2), 2, 150, nil, 0))
			all += k
			n++
			if k > maxMatrixCandidates {
				t.Errorf("%s p%d: %d candidate regions (cap %d)", filepath.Base(file), i+1, k, maxMatrixCandidates)
			}
		}
	}
	t.Logf("%d paperless_barcodes pages: %d candidate regions in all", n, all)
}
