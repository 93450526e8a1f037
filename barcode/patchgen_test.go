package barcode

import (
	"image"
	"math"
	"math/rand/v2"
)

// frect is a rectangle in inches on the sheet.
type frect struct{ x0, y0, x1, y1 float64 }

// sheetSpec describes a generated A4 sheet.
type sheetSpec struct {
	dpi      float64
	code     string  // patch code 1,2,3,4,6,T or "" for none
	vertical bool    // bars vertical along the left edge (else horizontal along the top)
	along    float64 // position of the bars along the edge, inches from the corner
	widen    float64 // photocopy widening of each bar edge, inches
	skewDeg  float64
	noise    float64 // Gaussian noise sigma (grey levels)
	seed     uint64
	content  bool // text-like lines, a table and an ordinary barcode
}

const a4W, a4H = 8.27, 11.69

// patchBars returns the bars of a patch code read from the edge inward,
// starting inset inches from the edge, 3 in long.
func patchBars(code string, vertical bool, inset, along, widen float64) []frect {
	var seq string
	for s, c := range patchCodes {
		if c == code {
			seq = s
		}
	}
	var out []frect
	pos := inset
	for i, c := range seq {
		w := 0.08
		if c == 'W' {
			w = 0.20
		}
		a, b := pos-widen, pos+w+widen
		if vertical {
			out = append(out, frect{a, along, b, along + 3})
		} else {
			out = append(out, frect{along, a, along + 3, b})
		}
		pos += w
		if i < 3 {
			pos += 0.08
		}
	}
	return out
}

// contentRects draws what ordinary pages carry: lines of text-sized marks,
// a ruled table and a Code 39-like barcode with thin bars.
func contentRects(r *rand.Rand) []frect {
	var out []frect
	for line := 0; line < 25; line++ {
		y := 2.0 + float64(line)*0.22
		x := 1.4
		for x < 7.2 {
			// a glyph of three strokes 0.012 in wide, like 12 pt type
			w := 0.05 + r.Float64()*0.04
			if r.IntN(7) == 0 {
				x += 0.08 // word gap
			}
			out = append(out, frect{x, y, x + 0.012, y + 0.11}, frect{x + w - 0.012, y, x + w, y + 0.11})
			hy := y + float64(r.IntN(3))*0.049
			out = append(out, frect{x, hy, x + w, hy + 0.012})
			x += w + 0.025
		}
	}
	// table 4 columns × 6 rows, rules 0.01 in
	for i := 0; i <= 6; i++ {
		y := 8.0 + float64(i)*0.3
		out = append(out, frect{1.4, y, 6.4, y + 0.01})
	}
	for i := 0; i <= 4; i++ {
		x := 1.4 + float64(i)*1.25
		out = append(out, frect{x, 8.0, x + 0.01, 9.81})
	}
	// an ordinary barcode, 1 in tall
	x := 2.0
	for k := 0; k < 60; k++ {
		w := 0.0075 * float64(1+r.IntN(3))
		out = append(out, frect{x, 10.2, x + w, 11.2})
		x += w + 0.0075*float64(1+r.IntN(3))
	}
	return out
}

// renderSheet draws the sheet turned by skewDeg about its centre, with noise.
func renderSheet(s sheetSpec) *image.Gray {
	r := rand.New(rand.NewPCG(s.seed, 7))
	var rects []frect
	if s.code != "" {
		rects = patchBars(s.code, s.vertical, 0.5, s.along, s.widen)
	}
	if s.content {
		rects = append(rects, contentRects(r)...)
	}
	w, h := int(a4W*s.dpi), int(a4H*s.dpi)
	img := image.NewGray(image.Rect(0, 0, w, h))
	sin, cos := math.Sincos(s.skewDeg * math.Pi / 180)
	cx, cy := float64(w)/2, float64(h)/2
	// Bounding boxes of the rectangles in pixels after rotation, for speed.
	type prect struct {
		fr             frect
		x0, y0, x1, y1 int
	}
	var pr []prect
	for _, fr := range rects {
		minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for _, c := range [][2]float64{{fr.x0, fr.y0}, {fr.x1, fr.y0}, {fr.x0, fr.y1}, {fr.x1, fr.y1}} {
			u, v := c[0]*s.dpi-cx, c[1]*s.dpi-cy
			x, y := cx+u*cos-v*sin, cy+u*sin+v*cos
			minX, minY, maxX, maxY = math.Min(minX, x), math.Min(minY, y), math.Max(maxX, x), math.Max(maxY, y)
		}
		pr = append(pr, prect{fr, max(0, int(minX)-1), max(0, int(minY)-1), min(w, int(maxX)+2), min(h, int(maxY)+2)})
	}
	for i := range img.Pix {
		img.Pix[i] = 245
	}
	for _, p := range pr {
		for y := p.y0; y < p.y1; y++ {
			for x := p.x0; x < p.x1; x++ {
				// back-rotate the pixel centre into sheet inches
				u, v := float64(x)+0.5-cx, float64(y)+0.5-cy
				sx, sy := (cx+u*cos+v*sin)/s.dpi, (cy-u*sin+v*cos)/s.dpi
				if sx >= p.fr.x0 && sx < p.fr.x1 && sy >= p.fr.y0 && sy < p.fr.y1 {
					img.Pix[y*w+x] = 20
				}
			}
		}
	}
	if s.noise > 0 {
		for i, v := range img.Pix {
			n := float64(v) + r.NormFloat64()*s.noise
			if r.IntN(200) == 0 { // salt and pepper
				n = float64(255 * r.IntN(2))
			}
			img.Pix[i] = uint8(math.Max(0, math.Min(255, n)))
		}
	}
	return img
}

func gray180(img *image.Gray) *image.Gray {
	g := toGray(img).rotate180()
	return &image.Gray{Pix: g.pix, Stride: g.w, Rect: image.Rect(0, 0, g.w, g.h)}
}
