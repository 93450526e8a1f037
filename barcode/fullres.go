package barcode

import (
	"encoding/binary"
	"image"
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

// block writes the luminance of r (inside the page) into buf, row-major,
// and returns it: converted rows are copied, the others converted from the
// RGBA source without marking the rows done (the candidate search reads
// scattered tiles, converting their whole rows would cost more).
func (p *fullRes) block(r image.Rectangle, buf []byte) []byte {
	w := r.Dx()
	buf = buf[:w*r.Dy()]
	for y := r.Min.Y; y < r.Max.Y; y++ {
		dst := buf[(y-r.Min.Y)*w : (y-r.Min.Y+1)*w]
		if p.done == nil || p.done[y] {
			copy(dst, p.g.pix[y*p.w+r.Min.X:y*p.w+r.Max.X])
			continue
		}
		m := p.rgba
		o := m.PixOffset(m.Rect.Min.X+r.Min.X, m.Rect.Min.Y+y)
		rgbaRowToGray(dst, m.Pix[o:o+4*w])
	}
	return buf
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
	var band []byte // the columns of the last colBand rows, one column a run
	if p.colStep > 0 {
		cols = newColumnRows(p.w, p.h, p.colFirst, p.colStep)
		band = make([]byte, cols.h*colBand)
	}
	for y := 0; y < p.h; y++ {
		o := m.PixOffset(m.Rect.Min.X, m.Rect.Min.Y+y)
		if y%2 == 1 && y/2 < out.h {
			rgbaHalveRow(out.pix[(y/2)*out.w:(y/2+1)*out.w], m.Pix[o-m.Stride:o-m.Stride+8*out.w], m.Pix[o:o+8*out.w])
		}
		if cols == nil {
			continue
		}
		j := y % colBand
		for k, x := 0, o+4*p.colFirst; k < cols.h; k, x = k+1, x+4*p.colStep {
			px := m.Pix[x : x+3 : x+3]
			band[k*colBand+j] = byte((77*uint32(px[0]) + 150*uint32(px[1]) + 29*uint32(px[2]) + 128) >> 8)
		}
		if j == colBand-1 || y == p.h-1 {
			// Written out a band at a time: a write stream per column for
			// every row would miss the TLB on each pixel.
			y0 := y - j
			for k := 0; k < cols.h; k++ {
				copy(cols.pix[k*p.h+y0:k*p.h+y+1], band[k*colBand:k*colBand+j+1])
			}
		}
	}
	p.cols = cols
	return out
}

// colBand is the number of rows whose column pixels are gathered before
// they are written out.
const colBand = 64

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
// Channels are summed in 16-bit lanes of a uint64 (two pixels a load), the
// two pixels' lanes folded onto each other.
func rgbaHalveRow(dst, r0, r1 []byte) {
	n := len(dst)
	r0, r1 = r0[:8*n], r1[:8*n]
	const lo = 0x00ff00ff00ff00ff
	for x := 0; x < n; x++ {
		i := 8 * x
		a := binary.LittleEndian.Uint64(r0[i : i+8 : i+8])
		b := binary.LittleEndian.Uint64(r1[i : i+8 : i+8])
		rb := a&lo + b&lo          // lanes R, B, R, B
		g := (a>>8)&lo + (b>>8)&lo // lanes G, A, G, A
		rb += rb >> 32
		g += g >> 32
		dst[x] = byte((77*(rb&0xffff) + 150*(g&0xffff) + 29*(rb>>16&0xffff) + 512) >> 10)
	}
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
