package analysis

import (
	"image"
	"math"
)

// Correction is what page analysis decided to do to a page: turn it upright
// (clockwise, in steps of 90°) and then straighten it.
type Correction struct {
	Rotate int     // degrees clockwise: 0, 90, 180, 270
	Skew   float64 // degrees the content was turned clockwise; undone by turning it back
}

// Identity reports whether the correction changes nothing.
func (c Correction) Identity() bool { return c.Rotate%360 == 0 && c.Skew == 0 }

// affine is x' = a*x + b*y + c, y' = d*x + e*y + f (pixel coordinates, y down).
type affine struct{ a, b, c, d, e, f float64 }

func (m affine) apply(x, y float64) (float64, float64) {
	return m.a*x + m.b*y + m.c, m.d*x + m.e*y + m.f
}

func (m affine) then(n affine) affine {
	return affine{
		a: n.a*m.a + n.b*m.d, b: n.a*m.b + n.b*m.e, c: n.a*m.c + n.b*m.f + n.c,
		d: n.d*m.a + n.e*m.d, e: n.d*m.b + n.e*m.e, f: n.d*m.c + n.e*m.f + n.f,
	}
}

func (m affine) invert() affine {
	det := m.a*m.e - m.b*m.d
	ia, ib, id, ie := m.e/det, -m.b/det, -m.d/det, m.a/det
	return affine{a: ia, b: ib, c: -(ia*m.c + ib*m.f), d: id, e: ie, f: -(id*m.c + ie*m.f)}
}

// geometry returns the size of the corrected page and the map from source
// to corrected pixel coordinates. The page keeps its size (width and height
// swapped for 90° and 270°); straightening turns about the centre.
func (c Correction) geometry(w, h int) (int, int, affine) {
	W, H := float64(w), float64(h)
	var m affine
	dw, dh := w, h
	switch ((c.Rotate % 360) + 360) % 360 {
	case 90:
		m = affine{a: 0, b: -1, c: H, d: 1, e: 0, f: 0}
		dw, dh = h, w
	case 180:
		m = affine{a: -1, b: 0, c: W, d: 0, e: -1, f: H}
	case 270:
		m = affine{a: 0, b: 1, c: 0, d: -1, e: 0, f: W}
		dw, dh = h, w
	default:
		m = affine{a: 1, e: 1}
	}
	if c.Skew != 0 {
		s, co := math.Sincos(-c.Skew * math.Pi / 180)
		cx, cy := float64(dw)/2, float64(dh)/2
		r := affine{a: co, b: -s, c: cx - co*cx + s*cy, d: s, e: co, f: cy - s*cx - co*cy}
		m = m.then(r)
	}
	return dw, dh, m
}

// Apply returns the corrected copy of g (g itself if nothing changes).
// Areas turned in from outside the page are white.
func (c Correction) Apply(g *image.Gray) *image.Gray {
	if c.Identity() {
		return g
	}
	b := g.Bounds()
	sw, sh := b.Dx(), b.Dy()
	dw, dh, m := c.geometry(sw, sh)
	inv := m.invert()
	out := image.NewGray(image.Rect(0, 0, dw, dh))
	src, stride := g.Pix[g.PixOffset(b.Min.X, b.Min.Y):], g.Stride
	exact := c.Skew == 0
	for y := 0; y < dh; y++ {
		row := out.Pix[y*out.Stride : y*out.Stride+dw]
		// Source position of the centre of (0, y) and the step per x.
		sx, sy := inv.apply(0.5, float64(y)+0.5)
		dx, dy := inv.a, inv.d
		for x := range row {
			fx, fy := sx+float64(x)*dx-0.5, sy+float64(x)*dy-0.5
			if exact {
				ix, iy := int(math.Round(fx)), int(math.Round(fy))
				row[x] = src[iy*stride+ix]
				continue
			}
			x0, y0 := int(math.Floor(fx)), int(math.Floor(fy))
			if x0 < 0 || y0 < 0 || x0+1 >= sw || y0+1 >= sh {
				row[x] = 255
				continue
			}
			ax, ay := fx-float64(x0), fy-float64(y0)
			i := y0*stride + x0
			p00, p10 := float64(src[i]), float64(src[i+1])
			p01, p11 := float64(src[i+stride]), float64(src[i+stride+1])
			v := (p00*(1-ax)+p10*ax)*(1-ay) + (p01*(1-ax)+p11*ax)*ay
			row[x] = uint8(v + 0.5)
		}
	}
	return out
}

// MapRect returns the box, in the pixel coordinates of a w×h page, of r
// after the correction: the bounding box of its four corners.
func (c Correction) MapRect(r image.Rectangle, w, h int) image.Rectangle {
	_, _, m := c.geometry(w, h)
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, p := range [4][2]int{{r.Min.X, r.Min.Y}, {r.Max.X, r.Min.Y}, {r.Min.X, r.Max.Y}, {r.Max.X, r.Max.Y}} {
		x, y := m.apply(float64(p[0]), float64(p[1]))
		minX, minY = math.Min(minX, x), math.Min(minY, y)
		maxX, maxY = math.Max(maxX, x), math.Max(maxY, y)
	}
	dw, dh, _ := c.geometry(w, h)
	out := image.Rect(int(math.Floor(minX)), int(math.Floor(minY)), int(math.Ceil(maxX)), int(math.Ceil(maxY)))
	return out.Intersect(image.Rect(0, 0, dw, dh))
}

// PDFMatrix returns the PDF "cm" operands that place the source image
// (unit square) on a page of the corrected size at dpi, so that the page
// shows the corrected image while the image data stay as they came. It
// makes a Correction a pdfa.Placement.
func (c Correction) PDFMatrix(sw, sh int, dpi float64) (m [6]float64, pageW, pageH float64) {
	dw, dh, g := c.geometry(sw, sh)
	k := 72 / dpi
	pageW, pageH = float64(dw)*k, float64(dh)*k
	P := func(u, v float64) (float64, float64) {
		x, y := g.apply(u*float64(sw), (1-v)*float64(sh))
		return x * k, pageH - y*k
	}
	ex, ey := P(0, 0)
	ax, ay := P(1, 0)
	cx, cy := P(0, 1)
	return [6]float64{ax - ex, ay - ey, cx - ex, cy - ey, ex, ey}, pageW, pageH
}
