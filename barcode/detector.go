package barcode

import (
	"context"
	"image"
	"math"
	"sort"

	"poststelle/mailroom"
)

// Options tune a Detector. The zero value is the default.
type Options struct {
	// NoPatch turns the patch-code decoder off.
	NoPatch bool
	// NoBarcodes turns the barcode readers off (patch codes only).
	NoBarcodes bool
}

// Detector finds barcodes and patch codes on page images. It keeps no state
// between calls and is safe for concurrent use.
type Detector struct {
	opt Options
}

var _ mailroom.Detector = (*Detector)(nil)

// New returns a Detector.
func New(opt Options) *Detector { return &Detector{opt: opt} }

// Symbologies reported by the Detector.
const (
	QRCode     = "qrcode"
	DataMatrix = "datamatrix"
	Code128    = "code128"
	Code39     = "code39"
	EAN13      = "ean13"
	UPCA       = "upca"
	Aztec      = "aztec"
	ITF        = "itf"
	Patch      = "patch"
)

// pageDPI is the page's resolution, or an estimate from its size (a page of
// about A4/Letter) when it is unknown.
func pageDPI(p mailroom.Page, w, h int) float64 {
	if p.DPI > 0 {
		return p.DPI
	}
	return math.Max(72, float64(max(w, h))/11.3)
}

// Detect implements mailroom.Detector. Symbols come in reading order (top to
// bottom, then left to right); boxes are in the page image's coordinates.
func (d *Detector) Detect(ctx context.Context, p mailroom.Page) ([]mailroom.Symbol, error) {
	if p.Image == nil {
		return nil, nil
	}
	b := p.Image.Bounds()
	if b.Dx() < 8 || b.Dy() < 8 {
		return nil, nil
	}
	dpi := pageDPI(p, b.Dx(), b.Dy())
	// The reduced page (about 150 dpi) serves the 2D search on large pages
	// and, reduced further, the patch decoder.
	f := max(1, int(math.Round(dpi/150)))
	if b.Dx()*b.Dy() <= matrixDirectLimit {
		f = 1
	}
	full := newFullRes(p.Image)
	step := lineStep(dpi, full.w, full.h)
	if !d.opt.NoBarcodes {
		full.gatherColumns(step/2, step)
	}
	small := full.reduced(f)
	var fs []found
	if !d.opt.NoBarcodes {
		fs = append(fs, detectLinear(full, step)...)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fs = append(fs, detectMatrix(full, small, f, dpi)...)
	}
	if !d.opt.NoPatch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ps := detectPatches(small, dpi/float64(f))
		for i := range ps {
			b := ps[i].box
			ps[i].box = image.Rect(b.Min.X*f, b.Min.Y*f, b.Max.X*f, b.Max.Y*f)
		}
		fs = append(fs, ps...)
	}
	fs = dedupe(fs)
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i].box, fs[j].box
		if a.Min.Y != b.Min.Y {
			return a.Min.Y < b.Min.Y
		}
		return a.Min.X < b.Min.X
	})
	off := p.Image.Bounds().Min
	out := make([]mailroom.Symbol, 0, len(fs))
	for _, f := range fs {
		out = append(out, mailroom.Symbol{Symbology: f.symbology, Text: f.text, Box: f.box.Add(off), Mirrored: f.mirrored})
	}
	return out, nil
}

// lineStep is the spacing of the linear scan lines: about 1 mm.
func lineStep(dpi float64, w, h int) int {
	return max(1, min(int(dpi*0.04), max(h, w)>>8))
}

// detectLinear scans rows and columns of the full-resolution image every
// step pixels, so it touches a small part of the pixels.
func detectLinear(p *fullRes, step int) []found {
	decs := newLineDecoders()
	rows := scanLines(p.row, step/2, step, p.h, decs, nil)
	// The columns, taken out in one pass over the rows, are scanned as
	// rows of their own; hits are numbered by their column of the page.
	cs := p.columns(step/2, step)
	cols := scanLines(func(k int) []byte { return cs.pix[k*cs.w : (k+1)*cs.w] }, 0, 1, cs.h, decs, nil)
	for i := range cols {
		cols[i].line = step/2 + cols[i].line*step
	}
	minLines := 2
	out := clusterHits(rows, step, false, minLines)
	out = append(out, clusterHits(cols, step, true, minLines)...)
	return out
}

// matrixDirectLimit: images up to this many pixels are searched for 2D codes
// at full resolution directly.
const matrixDirectLimit = 3_000_000

// maxEnlarged bounds the side of an enlarged candidate region, in pixels.
const maxEnlarged = 600

// detectMatrix looks for 2D codes on a reduced image first; on large pages it
// then decodes candidate regions at full resolution.
func detectMatrix(full *fullRes, small *gray, f int, dpi float64) []found {
	if f == 1 {
		out := scanMatrixHarder(small)
		if len(out) == 0 && max(small.w, small.h) < 300 {
			// Tiny images: the detectors need a quiet zone and a few
			// pixels per module; try again enlarged on a white margin.
			out = scanMatrixEnlarged(small, 2)
		}
		return out
	}
	out := scanMatrix(small, f, image.Point{}, true)
	for _, r := range matrixCandidates(full, small, f, dpi, out) {
		crop := full.crop(r)
		got := scanMatrixHarder(crop)
		// Modules of 2–3 px are few pixels for the detectors, blurred
		// ones even fewer: try again enlarged (small regions only, so
		// the work stays bounded).
		for k := 2; k <= 3 && len(got) == 0 && k*max(crop.w, crop.h) <= maxEnlarged; k++ {
			got = scanMatrixEnlarged(crop, k)
		}
		for i := range got {
			got[i].box = got[i].box.Add(r.Min)
		}
		out = append(out, got...)
	}
	return out
}

// dedupe merges symbols with the same symbology and text whose boxes
// overlap (the same symbol read in rows and in columns, or twice).
func dedupe(fs []found) []found {
	var out []found
	for _, f := range fs {
		if f.symbology == Patch {
			out = append(out, f) // one per pattern already; corners touch
			continue
		}
		merged := false
		for i := range out {
			o := &out[i]
			m := max(8, min(o.box.Dx(), o.box.Dy())/2)
			if o.symbology == f.symbology && o.text == f.text && o.box.Inset(-m).Overlaps(f.box) {
				o.box = o.box.Union(f.box)
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, f)
		}
	}
	return out
}
