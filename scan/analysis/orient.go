package analysis

import (
	"context"
	"image"
	"unicode"

	"poststelle/mailroom"
)

// Orientation check by recognition: tesseract's OSD decides most pages, but
// for sideways text it is often unsure (confidence 1–2 on ordinary letters
// where upright and upside-down pages score 2.5–4.6), while the direction it
// proposes is usually right. When OSD is unsure, a reduced crop of the page
// (the most inked square at ~150 dpi) is recognised at each candidate turn
// with the OCR engine, and the turn whose words read clearly better wins.

// orientCrop is the side of the checked square as a share of the page's
// shorter side.
const orientCrop = 0.35

// orientMinWords is the least number of word-like words the winning turn
// must read; orientMargin is how much more word-like reading it must show
// than every other candidate.
const (
	orientMinWords = 5
	orientMargin   = 1.5
)

// OrientationCheck is the result of CheckOrientation.
type OrientationCheck struct {
	Turn   int             // chosen clockwise turn (0 when undecided)
	Scores map[int]float64 // score per candidate turn
}

// CheckOrientation recognises a crop of small (the page at ~150 dpi as it
// stands) at each candidate turn and returns the turn that reads clearly
// best, or 0 when none does.
func CheckOrientation(ctx context.Context, rec mailroom.Recognizer, small *image.Gray, dpi float64, candidates []int) (OrientationCheck, error) {
	res := OrientationCheck{Scores: map[int]float64{}}
	crop := inkiestSquare(small, dpi)
	if crop == nil {
		return res, nil
	}
	words := map[int]int{}
	for _, c := range candidates {
		pt, err := rec.Recognize(ctx, mailroom.Page{Image: Correction{Rotate: c}.Apply(crop), DPI: dpi})
		if err != nil {
			return res, err
		}
		res.Scores[c], words[c] = wordScore(pt.Words)
	}
	best, second := -1, -1.0
	for _, c := range candidates {
		if best < 0 || res.Scores[c] > res.Scores[best] {
			best = c
		}
	}
	for _, c := range candidates {
		if c != best && res.Scores[c] > second {
			second = res.Scores[c]
		}
	}
	if best >= 0 && words[best] >= orientMinWords && res.Scores[best] >= orientMargin*second {
		res.Turn = best
	}
	return res, nil
}

// wordScore sums the confidence (0–1) of the word-like words: at least three
// letters, letters making up at least 80 % of the word, and lying (wider
// than tall). Text read in the wrong direction yields few of them, and with
// low confidence. Standing words do not count: with automatic page
// segmentation tesseract reads text turned by 90° clockwise about as well
// as upright text, as vertical lines.
func wordScore(ws []mailroom.Word) (float64, int) {
	var s float64
	n := 0
	for _, w := range ws {
		if w.Box.Dx() <= w.Box.Dy() {
			continue
		}
		letters, all := 0, 0
		for _, r := range w.Text {
			all++
			if unicode.IsLetter(r) {
				letters++
			}
		}
		if letters < 3 || letters*5 < all*4 {
			continue
		}
		n++
		s += w.Confidence / 100
	}
	return s, n
}

// inkiestSquare returns a copy of the square of g (side orientCrop of the
// shorter side, 5 % margins left out) holding the most ink, or nil when g is
// too small.
func inkiestSquare(g *image.Gray, dpi float64) *image.Gray {
	mask, w, h, bs := inkMask(g, dpi)
	if w < 8 || h < 8 {
		return nil
	}
	side := int(float64(min(w, h)) * orientCrop)
	mx, my := max(w/20, 1), max(h/20, 1)
	if side < 4 || side > w-2*mx || side > h-2*my {
		return nil
	}
	// Integral image of the mask.
	W := w + 1
	sum := make([]int32, W*(h+1))
	for y := 0; y < h; y++ {
		var row int32
		for x := 0; x < w; x++ {
			if mask[y*w+x] {
				row++
			}
			sum[(y+1)*W+x+1] = sum[y*W+x+1] + row
		}
	}
	bx, by, best := mx, my, int32(-1)
	step := max(1, side/8)
	for y := my; y+side <= h-my; y += step {
		for x := mx; x+side <= w-mx; x += step {
			n := sum[(y+side)*W+x+side] - sum[y*W+x+side] - sum[(y+side)*W+x] + sum[y*W+x]
			if n > best {
				bx, by, best = x, y, n
			}
		}
	}
	b := g.Bounds()
	r := image.Rect(b.Min.X+bx*bs, b.Min.Y+by*bs, b.Min.X+(bx+side)*bs, b.Min.Y+(by+side)*bs).Intersect(b)
	out := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := 0; y < r.Dy(); y++ {
		copy(out.Pix[y*out.Stride:y*out.Stride+r.Dx()], g.Pix[g.PixOffset(r.Min.X, r.Min.Y+y):])
	}
	return out
}
