package analysis

import (
	"image"
	"math"
)

// LineDirection tells whether a page's text lines run across the page (as
// on an upright or upside-down page) or up and down (a page turned by 90°),
// from the ink alone, in a few milliseconds. Text lines put the bottom
// edges of their marks on common baselines: projected along the lines,
// those edges pile up in few bins. It measures how strongly the bottom
// edges pile up along rows and the right-hand edges along columns (each at
// its best angle within ±maxDeg, sampled at ~150 dpi), and returns
// columns / rows: well below 1 for lines across the page, well above 1 for
// lines up and down. ok is false when there is too little ink to tell.
func LineDirection(g *image.Gray, dpi float64, maxDeg float64) (ratio float64, ok bool) {
	rows, cols := edgePoints(g, dpi)
	if len(rows) < 200 || len(cols) < 200 {
		return 0, false
	}
	return pileUp(cols, maxDeg) / pileUp(rows, maxDeg), true
}

// edgePoints returns the bottom edges of ink marks (x, y) and their
// right-hand edges as (y, x), so that both pile up along the second
// coordinate, in ~150 dpi units, each capped to an even sample.
func edgePoints(g *image.Gray, dpi float64) (rows, cols [][2]float64) {
	s, ok := sampleInk(g, dpi)
	if !ok {
		return nil, nil
	}
	for y := s.my; y < s.h-s.my-1; y++ {
		for x := s.mx; x < s.w-s.mx-1; x++ {
			if !s.dark(x, y) {
				continue
			}
			if !s.dark(x, y+1) {
				rows = append(rows, [2]float64{float64(x), float64(y)})
			}
			if !s.dark(x+1, y) {
				cols = append(cols, [2]float64{float64(y), float64(x)})
			}
		}
	}
	return capPoints(rows), capPoints(cols)
}

// pileUp is the largest, over angles within ±maxDeg in 1° steps, of the
// sum of squared bin counts of the points projected on their second
// coordinate, divided by the number of points: the mean number of points
// sharing a point's bin.
func pileUp(pts [][2]float64, maxDeg float64) float64 {
	pr := newProfile(pts)
	best := 0.0
	for a := -maxDeg; a <= maxDeg+1e-9; a++ {
		best = math.Max(best, pr.score(a)/float64(len(pts)))
	}
	return best
}
