package barcode

import (
	"image"
	"image/draw"
	"math"
)

// gray is an 8-bit luminance image: 0 black, 255 white, row-major, no padding.
type gray struct {
	w, h int
	pix  []byte
}

func (g *gray) at(x, y int) byte { return g.pix[y*g.w+x] }

// toGray converts img to luminance with fast paths for the image types that
// decoders and renderers produce.
func toGray(img image.Image) *gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	g := &gray{w: w, h: h, pix: make([]byte, w*h)}
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < h; y++ {
			o := m.PixOffset(b.Min.X, b.Min.Y+y)
			copy(g.pix[y*w:(y+1)*w], m.Pix[o:o+w])
		}
	case *image.YCbCr:
		for y := 0; y < h; y++ {
			o := m.YOffset(b.Min.X, b.Min.Y+y)
			copy(g.pix[y*w:(y+1)*w], m.Y[o:o+w])
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			o := m.PixOffset(b.Min.X, b.Min.Y+y)
			rgbaRowToGray(g.pix[y*w:(y+1)*w], m.Pix[o:o+4*w])
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			out := g.pix[y*w : (y+1)*w]
			for x := range out {
				p := row[4*x : 4*x+4 : 4*x+4]
				a := uint32(p[3])
				l := (299*uint32(p[0]) + 587*uint32(p[1]) + 114*uint32(p[2]) + 500) / 1000
				// composite over white
				out[x] = byte((l*a + 255*(255-a)) / 255)
			}
		}
	default:
		rgba := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(rgba, rgba.Bounds(), image.White, image.Point{}, draw.Src)
		draw.Draw(rgba, rgba.Bounds(), img, b.Min, draw.Over)
		return toGray(rgba)
	}
	return g
}

// rgbaRowToGray converts one row of RGBA pixels (len(src) = 4*len(dst)).
func rgbaRowToGray(dst, src []byte) {
	src = src[:4*len(dst)]
	for x := range dst {
		p := src[4*x : 4*x+3 : 4*x+3]
		dst[x] = byte((77*uint32(p[0]) + 150*uint32(p[1]) + 29*uint32(p[2]) + 128) >> 8)
	}
}

// halveRows writes the 2×2 means of rows r0 and r1 into o (len(o) pixels).
func halveRows(o, r0, r1 []byte) {
	r0, r1 = r0[:2*len(o)], r1[:2*len(o)]
	for x := range o {
		o[x] = byte((uint32(r0[2*x]) + uint32(r0[2*x+1]) + uint32(r1[2*x]) + uint32(r1[2*x+1]) + 2) >> 2)
	}
}

// reduce shrinks g by the integer factor f with a box filter.
func (g *gray) reduce(f int) *gray {
	if f <= 1 {
		return g
	}
	w, h := g.w/f, g.h/f
	if w < 1 || h < 1 {
		return g
	}
	if f == 2 {
		return g.halve()
	}
	out := &gray{w: w, h: h, pix: make([]byte, w*h)}
	acc := make([]uint32, w)
	n := uint32(f * f)
	for y := 0; y < h; y++ {
		for i := range acc {
			acc[i] = 0
		}
		for dy := 0; dy < f; dy++ {
			row := g.pix[(y*f+dy)*g.w : (y*f+dy)*g.w+w*f]
			for x := 0; x < w; x++ {
				s := uint32(0)
				for _, v := range row[x*f : x*f+f] {
					s += uint32(v)
				}
				acc[x] += s
			}
		}
		o := out.pix[y*w : (y+1)*w]
		for x := range o {
			o[x] = byte((acc[x] + n/2) / n)
		}
	}
	return out
}

// columns returns the columns first, first+step, … of g as the rows of a
// new image (column k of g is row k). g is read in bands of 32 rows, so
// the rows being read stay in the cache while the columns are gathered.
func (g *gray) columns(first, step int) *gray {
	out := newColumnRows(g.w, g.h, first, step)
	n := out.h
	const band = 32
	for y0 := 0; y0 < g.h; y0 += band {
		y1 := min(y0+band, g.h)
		for k := 0; k < n; k++ {
			dst := out.pix[k*g.h+y0 : k*g.h+y1]
			for i, o := 0, y0*g.w+first+k*step; i < len(dst); i, o = i+1, o+g.w {
				dst[i] = g.pix[o]
			}
		}
	}
	return out
}

// transpose returns g mirrored at its main diagonal (rows become columns).
func (g *gray) transpose() *gray {
	out := &gray{w: g.h, h: g.w, pix: make([]byte, len(g.pix))}
	const blk = 32
	for y0 := 0; y0 < g.h; y0 += blk {
		for x0 := 0; x0 < g.w; x0 += blk {
			for y := y0; y < y0+blk && y < g.h; y++ {
				for x := x0; x < x0+blk && x < g.w; x++ {
					out.pix[x*out.w+y] = g.pix[y*g.w+x]
				}
			}
		}
	}
	return out
}

// crop copies the rectangle r (clipped) out of g.
func (g *gray) crop(r image.Rectangle) *gray {
	r = r.Intersect(image.Rect(0, 0, g.w, g.h))
	out := &gray{w: r.Dx(), h: r.Dy(), pix: make([]byte, r.Dx()*r.Dy())}
	for y := 0; y < out.h; y++ {
		copy(out.pix[y*out.w:(y+1)*out.w], g.pix[(r.Min.Y+y)*g.w+r.Min.X:])
	}
	return out
}

// rotate180 returns g turned by 180 degrees.
func (g *gray) rotate180() *gray {
	out := &gray{w: g.w, h: g.h, pix: make([]byte, len(g.pix))}
	n := len(g.pix)
	for i, v := range g.pix {
		out.pix[n-1-i] = v
	}
	return out
}

// otsu returns the Otsu threshold of g's histogram: pixels <= t are dark.
func (g *gray) otsu() int {
	var hist [256]int
	for _, v := range g.pix {
		hist[v]++
	}
	total := len(g.pix)
	sum := 0
	for i, c := range hist {
		sum += i * c
	}
	sumB, wB := 0, 0
	best, bestT := -1.0, 127
	for t := 0; t < 256; t++ {
		wB += hist[t]
		if wB == 0 {
			continue
		}
		wF := total - wB
		if wF == 0 {
			break
		}
		sumB += t * hist[t]
		mB := float64(sumB) / float64(wB)
		mF := float64(sum-sumB) / float64(wF)
		between := float64(wB) * float64(wF) * (mB - mF) * (mB - mF)
		if between > best {
			best, bestT = between, t
		}
	}
	return bestT
}

// halve is reduce(2), unrolled.
func (g *gray) halve() *gray {
	w, h := g.w/2, g.h/2
	out := &gray{w: w, h: h, pix: make([]byte, w*h)}
	for y := 0; y < h; y++ {
		halveRows(out.pix[y*w:(y+1)*w], g.pix[2*y*g.w:(2*y+1)*g.w], g.pix[(2*y+1)*g.w:(2*y+2)*g.w])
	}
	return out
}

// bilinear returns the luminance at (x, y) (pixel centres at integers),
// interpolated between the four neighbours; outside the image the edge
// pixels continue.
func (g *gray) bilinear(x, y float64) float64 {
	x = math.Min(math.Max(x, 0), float64(g.w-1))
	y = math.Min(math.Max(y, 0), float64(g.h-1))
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, g.w-1), min(y0+1, g.h-1)
	fx, fy := x-float64(x0), y-float64(y0)
	top := float64(g.at(x0, y0))*(1-fx) + float64(g.at(x1, y0))*fx
	bot := float64(g.at(x0, y1))*(1-fx) + float64(g.at(x1, y1))*fx
	return top*(1-fy) + bot*fy
}

// stretchBelow: images whose 1st to 99th percentile span less than this many
// grey levels are stretched to the full range by stretched.
const stretchBelow = 128

// stretched returns g with its 1st to 99th percentile mapped to 0..255, and
// false when g's contrast is high enough already.
func (g *gray) stretched() (*gray, bool) {
	var hist [256]int
	for _, v := range g.pix {
		hist[v]++
	}
	n := len(g.pix)
	lo, hi, acc := -1, 255, 0
	for v := 0; v < 256; v++ {
		acc += hist[v]
		if lo < 0 && acc*100 >= n {
			lo = v
		}
		if acc*100 >= 99*n {
			hi = v
			break
		}
	}
	lo = max(lo, 0)
	if hi-lo >= stretchBelow || hi <= lo {
		return nil, false
	}
	var lut [256]byte
	for v := range lut {
		lut[v] = byte(min(max((v-lo)*255/(hi-lo), 0), 255))
	}
	out := &gray{w: g.w, h: g.h, pix: make([]byte, len(g.pix))}
	for i, v := range g.pix {
		out.pix[i] = lut[v]
	}
	return out, true
}

// inverted returns g with dark and light swapped.
func (g *gray) inverted() *gray {
	out := &gray{w: g.w, h: g.h, pix: make([]byte, len(g.pix))}
	for i, v := range g.pix {
		out.pix[i] = 255 - v
	}
	return out
}
