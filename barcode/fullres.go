package barcode

import (
	"errors"
	"image"

	"github.com/makiuchi-d/gozxing"
)

// fullRes is the page at full resolution. A rendered page (RGBA, four bytes
// a pixel) is converted to luminance row by row when a row is first read:
// Detect reads a small part of the full-resolution rows (the linear scan
// lines, the rows of code-like tiles, candidate crops), and converting the
// whole page would cost more than all the searching. Other images are
// converted at once.
type fullRes struct {
	w, h int
	g    *gray       // pix allocated; row y valid where done == nil or done[y]
	rgba *image.RGBA // the source of rows not yet converted; nil: all converted
	done []bool
	// Columns colFirst, colFirst+colStep, … as rows, gathered by the
	// reduction pass while it reads every row anyway (nil: not asked for).
	colFirst, colStep int
	cols              *gray
}

func newFullRes(img image.Image) *fullRes {
	if m, ok := img.(*image.RGBA); ok {
		b := m.Bounds()
		w, h := b.Dx(), b.Dy()
		return &fullRes{w: w, h: h, g: &gray{w: w, h: h, pix: make([]byte, w*h)}, rgba: m, done: make([]bool, h)}
	}
	return fullResGray(toGray(img))
}

// fullResGray wraps a converted gray image.
func fullResGray(g *gray) *fullRes { return &fullRes{w: g.w, h: g.h, g: g} }

// row returns row y, converting it first if need be.
func (p *fullRes) row(y int) []byte {
	r := p.g.pix[y*p.w : (y+1)*p.w]
	if p.done != nil && !p.done[y] {
		m := p.rgba
		o := m.PixOffset(m.Rect.Min.X, m.Rect.Min.Y+y)
		rgbaRowToGray(r, m.Pix[o:o+4*p.w])
		p.done[y] = true
	}
	return r
}

// gray returns the whole page as a gray image (converting what is left).
func (p *fullRes) gray() *gray {
	if p.done != nil {
		for y := 0; y < p.h; y++ {
			p.row(y)
		}
		p.done, p.rgba = nil, nil
	}
	return p.g
}

// crop copies the rectangle r (clipped) out of the page.
func (p *fullRes) crop(r image.Rectangle) *gray {
	r = r.Intersect(image.Rect(0, 0, p.w, p.h))
	out := &gray{w: r.Dx(), h: r.Dy(), pix: make([]byte, r.Dx()*r.Dy())}
	for y := 0; y < out.h; y++ {
		copy(out.pix[y*out.w:(y+1)*out.w], p.row(r.Min.Y + y)[r.Min.X:r.Max.X])
	}
	return out
}

// reduced returns the page reduced by f with a box filter. A rendered page
// reduced by 2 is averaged in RGBA and converted once per 2×2 block.
func (p *fullRes) reduced(f int) *gray {
	if p.done == nil || f != 2 {
		return p.gray().reduce(f)
	}
	m := p.rgba
	out := &gray{w: p.w / 2, h: p.h / 2, pix: make([]byte, (p.w/2)*(p.h/2))}
	var cols *gray
	if p.colStep > 0 {
		cols = newColumnRows(p.w, p.h, p.colFirst, p.colStep)
	}
	for y := 0; y < p.h; y++ {
		o := m.PixOffset(m.Rect.Min.X, m.Rect.Min.Y+y)
		if y%2 == 1 && y/2 < out.h {
			rgbaHalveRow(out.pix[(y/2)*out.w:(y/2+1)*out.w], m.Pix[o-m.Stride:o-m.Stride+8*out.w], m.Pix[o:o+8*out.w])
		}
		if cols != nil {
			for k, x := 0, 4*p.colFirst; k < cols.h; k, x = k+1, x+4*p.colStep {
				px := m.Pix[o+x : o+x+3 : o+x+3]
				cols.pix[k*p.h+y] = byte((77*uint32(px[0]) + 150*uint32(px[1]) + 29*uint32(px[2]) + 128) >> 8)
			}
		}
	}
	p.cols = cols
	return out
}

// gatherColumns asks the next reduction of a rendered page to take the
// columns first, first+step, … out as well (see columns).
func (p *fullRes) gatherColumns(first, step int) { p.colFirst, p.colStep = first, step }

// newColumnRows allocates the image of the columns first, first+step, … of
// a w×h page, one column a row.
func newColumnRows(w, h, first, step int) *gray {
	n := 0
	if first < w {
		n = (w-first-1)/step + 1
	}
	return &gray{w: h, h: n, pix: make([]byte, n*h)}
}

// rgbaHalveRow writes the luminance of the 2×2 means of two RGBA rows.
// Channels are summed two at a time in 16-bit lanes of a uint64.
func rgbaHalveRow(dst, r0, r1 []byte) {
	r0, r1 = r0[:8*len(dst)], r1[:8*len(dst)]
	const lo = 0x00ff00ff00ff00ff
	for x := range dst {
		a, b := le64(r0[8*x:]), le64(r1[8*x:])
		// R and B of both pixels of both rows, then G (A is ignored).
		rb := a&lo + b&lo
		g := (a>>8)&lo + (b>>8)&lo
		r := rb&0xffff + rb>>32&0xffff
		bl := rb>>16&0xffff + rb>>48
		gg := g&0xffff + g>>32&0xffff
		dst[x] = byte((77*r + 150*gg + 29*bl + 512) >> 10)
	}
}

func le64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// columns returns the columns first, first+step, … of the page as the rows
// of a new image (column k is row k): those the reduction gathered, or
// taken from the converted page.
func (p *fullRes) columns(first, step int) *gray {
	if p.cols != nil && p.colFirst == first && p.colStep == step {
		return p.cols
	}
	return p.gray().columns(first, step)
}

// rowSource is a gozxing.LuminanceSource over the rows of a fullRes, for
// the line scan (which reads rows only).
type rowSource struct {
	gozxing.LuminanceSourceBase
	p *fullRes
}

func newRowSource(p *fullRes) *rowSource {
	return &rowSource{LuminanceSourceBase: gozxing.LuminanceSourceBase{Width: p.w, Height: p.h}, p: p}
}

func (s *rowSource) GetRow(y int, row []byte) ([]byte, error) {
	if y < 0 || y >= s.p.h {
		return nil, errors.New("row out of range")
	}
	if cap(row) < s.p.w {
		row = make([]byte, s.p.w)
	}
	row = row[:s.p.w]
	copy(row, s.p.row(y))
	return row, nil
}

func (s *rowSource) GetMatrix() []byte               { return s.p.gray().pix }
func (s *rowSource) Invert() gozxing.LuminanceSource { return gozxing.LuminanceSourceInvert(s) }
func (s *rowSource) String() string                  { return gozxing.LuminanceSourceString(s) }
