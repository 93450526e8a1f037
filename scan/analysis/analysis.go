package analysis

import (
	"image"
	"math"
)

// BlankOptions tune blank-page detection. The zero value is the default.
type BlankOptions struct {
	// MaxInk is the largest share of ink in the page (margins excluded,
	// measured at about 75 dpi after noise removal) that still counts as
	// blank. 0 = 0.0003 (0.03 %).
	MaxInk float64
}

// analysisDPI is the resolution page analysis works at.
const analysisDPI = 75

// inkMask downsamples g to about analysisDPI by averaging and marks blocks
// clearly darker than the paper. It returns the mask, its width and height
// and the block size.
func inkMask(g *image.Gray, dpi float64) ([]bool, int, int, int) {
	if dpi <= 0 {
		dpi = 300
	}
	bs := int(math.Round(dpi / analysisDPI))
	if bs < 1 {
		bs = 1
	}
	b := g.Bounds()
	w, h := b.Dx()/bs, b.Dy()/bs
	if w == 0 || h == 0 {
		return nil, 0, 0, bs
	}
	avg := make([]uint8, w*h)
	sums := make([]int, w)
	for by := 0; by < h; by++ {
		for i := range sums {
			sums[i] = 0
		}
		for yy := 0; yy < bs; yy++ {
			row := g.Pix[g.PixOffset(b.Min.X, b.Min.Y+by*bs+yy):]
			for bx := 0; bx < w; bx++ {
				s := 0
				for _, v := range row[bx*bs : bx*bs+bs] {
					s += int(v)
				}
				sums[bx] += s
			}
		}
		for bx := 0; bx < w; bx++ {
			avg[by*w+bx] = uint8(sums[bx] / (bs * bs))
		}
	}
	// Paper brightness: a high percentile of the blocks.
	var hist [256]int
	for _, v := range avg {
		hist[v]++
	}
	paper := percentile(hist[:], len(avg), 0.90)
	// Ink: clearly darker than the paper (a third of its brightness, at
	// least 48 levels).
	delta := max(48, paper/3)
	thr := paper - delta
	mask := make([]bool, w*h)
	for i, v := range avg {
		mask[i] = int(v) < thr
	}
	return mask, w, h, bs
}

func percentile(hist []int, n int, p float64) int {
	k := int(float64(n) * p)
	c := 0
	for v, cnt := range hist {
		c += cnt
		if c > k {
			return v
		}
	}
	return len(hist) - 1
}

// InkRatio is the share of the page (a 5 % margin excluded) covered by ink
// in connected marks of at least 2 analysis pixels, measured on a ~75 dpi
// reduction, so scanner noise and dust do not count.
func InkRatio(g *image.Gray, dpi float64) float64 {
	mask, w, h, _ := inkMask(g, dpi)
	if w == 0 {
		return 0
	}
	// The margin is at least one block: the neighbour test below reads
	// one block to each side.
	mx, my := max(w/20, 1), max(h/20, 1)
	ink, total := 0, 0
	for y := my; y < h-my; y++ {
		for x := mx; x < w-mx; x++ {
			total++
			if !mask[y*w+x] {
				continue
			}
			// Isolated single blocks are noise.
			n := 0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if (dx != 0 || dy != 0) && mask[(y+dy)*w+x+dx] {
						n++
					}
				}
			}
			if n > 0 {
				ink++
			}
		}
	}
	if total == 0 {
		return 0
	}
	return float64(ink) / float64(total)
}

// IsBlank reports whether the page carries no content worth a look.
func IsBlank(g *image.Gray, dpi float64, o BlankOptions) (bool, float64) {
	max := o.MaxInk
	if max <= 0 {
		max = 0.0003
	}
	r := InkRatio(g, dpi)
	return r <= max, r
}

// DetectSkew estimates the skew of the text lines in degrees within
// ±maxDeg. Positive: the content is turned clockwise (lines run downhill to
// the right); it is corrected by turning it back counter-clockwise. It
// maximises the
// variance of the horizontal projection profile of the ink at about
// 75–150 dpi. ok is false when there is too little ink to tell.
func DetectSkew(g *image.Gray, dpi float64, maxDeg float64) (angle float64, ok bool) {
	pts := skewPoints(g, dpi)
	if len(pts) < 200 {
		return 0, false
	}
	score := newProfile(pts).score
	best, bestScore := 0.0, -1.0
	step := 0.5
	for a := -maxDeg; a <= maxDeg+1e-9; a += step {
		if sc := score(a); sc > bestScore {
			best, bestScore = a, sc
		}
	}
	lo, hi := best-step, best+step
	for a := lo; a <= hi+1e-9; a += 0.05 {
		if sc := score(a); sc > bestScore {
			best, bestScore = a, sc
		}
	}
	return math.Round(best*100) / 100, true
}

// inkSample is a page sampled at ~150 dpi with its ink threshold.
type inkSample struct {
	g          *image.Gray
	bs         int // source pixels per sample
	w, h       int // size in samples
	mx, my     int // margins left out, in samples
	thr        int // darker than this is ink
	minX, minY int
}

func (s *inkSample) dark(x, y int) bool {
	return int(s.g.Pix[s.g.PixOffset(s.minX+x*s.bs, s.minY+y*s.bs)]) < s.thr
}

// sampleInk prepares sampling g at ~150 dpi, the threshold at the midpoint
// between paper and ink; ok is false when g is too small.
func sampleInk(g *image.Gray, dpi float64) (inkSample, bool) {
	if dpi <= 0 {
		dpi = 300
	}
	bs := max(1, int(math.Round(dpi/150)))
	b := g.Bounds()
	s := inkSample{g: g, bs: bs, w: b.Dx() / bs, h: b.Dy() / bs, minX: b.Min.X, minY: b.Min.Y}
	if s.w < 8 || s.h < 8 {
		return s, false
	}
	var hist [256]int
	n := 0
	for y := 0; y < s.h; y += 2 {
		row := g.Pix[g.PixOffset(b.Min.X, b.Min.Y+y*bs):]
		for x := 0; x < s.w; x += 2 {
			hist[row[x*bs]]++
			n++
		}
	}
	paper := percentile(hist[:], n, 0.90)
	s.thr = paper - max(48, paper/3)
	s.mx, s.my = s.w/25, s.h/25
	return s, true
}

// profile projects points on their second coordinate, turned by an angle:
// the projection profile of text lines (bottom edges of marks pile up on
// the baselines).
type profile struct {
	pts  [][2]float64
	off  int
	bins []int32
}

func newProfile(pts [][2]float64) *profile {
	var maxX, maxY float64
	for _, p := range pts {
		maxX, maxY = math.Max(maxX, p[0]), math.Max(maxY, p[1])
	}
	off := int(maxX + maxY + 2)
	return &profile{pts: pts, off: off, bins: make([]int32, 2*off+2)}
}

// score is the sum of the squared bin counts of the points projected at
// deg degrees: large where many points share a line.
func (pr *profile) score(deg float64) float64 {
	s, c := math.Sincos(deg * math.Pi / 180)
	clear(pr.bins)
	for _, p := range pr.pts {
		pr.bins[int(p[1]*c-p[0]*s)+pr.off]++
	}
	var sum float64
	for _, n := range pr.bins {
		sum += float64(n) * float64(n)
	}
	return sum
}

// skewPoints returns the coordinates (in ~150 dpi units) of ink pixels at
// the bottom edge of marks, which line up along the text baselines.
func skewPoints(g *image.Gray, dpi float64) [][2]float64 {
	s, ok := sampleInk(g, dpi)
	if !ok {
		return nil
	}
	var pts [][2]float64
	for y := s.my; y < s.h-s.my-1; y++ {
		for x := s.mx; x < s.w-s.mx; x++ {
			if s.dark(x, y) && !s.dark(x, y+1) {
				pts = append(pts, [2]float64{float64(x), float64(y)})
			}
		}
	}
	return capPoints(pts)
}

// capPoints caps the work: it keeps an even sample of at most 20,000.
func capPoints(pts [][2]float64) [][2]float64 {
	const maxPts = 20000
	if len(pts) > maxPts {
		k := float64(len(pts)) / maxPts
		out := pts[:0]
		for i := 0.0; int(i) < len(pts); i += k {
			out = append(out, pts[int(i)])
		}
		pts = out
	}
	return pts
}
