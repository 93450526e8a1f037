package barcode

import (
	"image"
	"sort"
)

// Kodak patch codes: four bars and three spaces across 0.80 in. Wide bars are
// 0.20 in, narrow bars and all spaces 0.08 in; the bars are at least 2 in
// long and lie along a page edge. Reading from the page edge inward:
//
//	Patch 1 WWNN, 2 WNNW, 3 WNWN, 4 NWWN, 6 NNWW, T NWNW
//
// 1/6 and 3/T are mirror images of each other; 2 and 4 read the same both ways.
var patchCodes = map[string]string{
	"WWNN": "1", "WNNW": "2", "WNWN": "3", "NWWN": "4", "NNWW": "6", "NWNW": "T",
}

// PatchMirror returns the code a patch reads as when its bars are read in the
// opposite direction: 1↔6, 3↔T; 2 and 4 are their own mirror.
func PatchMirror(code string) string {
	switch code {
	case "1":
		return "6"
	case "6":
		return "1"
	case "3":
		return "T"
	case "T":
		return "3"
	}
	return code
}

// Geometry in inches and the tolerances of the decoder.
const (
	patchWidthIn    = 0.80 // nominal pattern width; 10 units of 0.08 in
	patchMinWidthIn = 0.60 // printed reduced (fit to page), skew
	patchMaxWidthIn = 1.05 // photocopy widening, skew
	patchMinLenIn   = 1.4  // nominal ≥ 2 in; parts may be lost to noise or overlap
	patchGapIn      = 0.25 // longest run of lines without a reading inside one pattern
	patchTargetDPI  = 60   // the decoder works on a page reduced to about this resolution
	// patchMaxSkew is the largest slope of the bars against the page edge
	// (tan 6°). Scanners' patch readers tolerate a few degrees; a sheet
	// turned further is not a patch code (naps2/skewed.jpg, 16°, is not read).
	patchMaxSkew = 0.105
)

// patchDecoderLine is one pattern found on one scan line.
type patchRead struct {
	line, a, b int // line index, start and end (exclusive) along the line
	seq        string
}

// detectPatches finds patch codes on g (resolution dpi): bars parallel to
// either page edge, anywhere on the page.
func detectPatches(g *gray, dpi float64) []found {
	f := max(1, int(dpi/patchTargetDPI))
	s := g.reduce(f)
	sdpi := dpi / float64(f)
	th, ok := patchThreshold(s)
	if !ok {
		return nil
	}
	var out []found
	// Rows cross vertical bars; columns (rows of the transposed page)
	// cross horizontal bars.
	for _, t := range []bool{false, true} {
		img := s
		if t {
			img = s.transpose()
		}
		dark := make([]bool, len(img.pix))
		for i, v := range img.pix {
			dark[i] = int(v) <= th
		}
		var reads []patchRead
		for y := 0; y < img.h; y++ {
			reads = scanPatchLine(dark[y*img.w:(y+1)*img.w], y, sdpi, reads)
		}
		for _, tr := range trackPatches(reads, sdpi) {
			code, mirrored := orientPatch(tr.seq, tr.a, tr.b, img.w)
			box := image.Rect(tr.a*f, tr.l0*f, tr.b*f, (tr.l1+1)*f)
			if t {
				box = image.Rect(tr.l0*f, tr.a*f, (tr.l1+1)*f, tr.b*f)
			}
			out = append(out, found{symbology: Patch, text: code, box: box, mirrored: mirrored})
		}
	}
	return out
}

// patchMinContrast: a page whose darkest marks are less than this below its
// paper carries no printed bars.
const patchMinContrast = 50

// patchThreshold separates bars from paper on the reduced page s: Otsu's
// threshold, but at most halfway between paper and ink (an almost white
// page: Otsu splits the paper noise) and no lower than 170 for that reason
// alone (black ink), so that pale or grey-printed bars, whose halfway point
// is above 170, are still dark.
func patchThreshold(s *gray) (int, bool) {
	paper, ink := levels(s)
	if paper-ink < patchMinContrast {
		return 0, false
	}
	return min(s.otsu(), max(170, (paper+ink)/2)), true
}

// orientPatch turns the bar sequence read in image direction (left→right or
// top→bottom) into a patch code read from the nearer page edge inward. A
// pattern in the middle band of the page keeps the image direction.
func orientPatch(seq string, a, b, length int) (code string, mirrored bool) {
	frame := patchCodes[seq]
	c := float64(a+b) / 2
	if c <= float64(length)*0.45 {
		return frame, false
	}
	if c < float64(length)*0.55 {
		return frame, false // centred: orientation unknown, image direction
	}
	rev := []byte(seq)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	code = patchCodes[string(rev)]
	return code, code != frame
}

type runSpan struct {
	dark bool
	a, n int // start and length
}

// scanPatchLine finds patterns of four bars and three spaces on one binarised
// line whose widths match a patch code.
func scanPatchLine(line []bool, y int, dpi float64, reads []patchRead) []patchRead {
	runs := make([]runSpan, 0, 64)
	for x := 0; x < len(line); {
		d := line[x]
		s := x
		for x < len(line) && line[x] == d {
			x++
		}
		runs = append(runs, runSpan{dark: d, a: s, n: x - s})
	}
	minW, maxW := patchMinWidthIn*dpi, patchMaxWidthIn*dpi
	for i := 0; i+6 < len(runs); i++ {
		if !runs[i].dark {
			continue
		}
		total := runs[i+6].a + runs[i+6].n - runs[i].a
		if float64(total) < minW || float64(total) > maxW {
			continue
		}
		u := float64(total) / 10
		bars := [4]int{runs[i].n, runs[i+2].n, runs[i+4].n, runs[i+6].n}
		spaces := [3]int{runs[i+1].n, runs[i+3].n, runs[i+5].n}
		seq, ok := classifyBars(bars, u)
		if !ok || !spacesOK(spaces, u) {
			continue
		}
		a, b := runs[i].a, runs[i+6].a+runs[i+6].n
		if !quiet(line, a-1, -1, u) || !quiet(line, b, 1, u) {
			continue
		}
		if barsBeyond(line, a-1, -1, u) >= 3 || barsBeyond(line, b, 1, u) >= 3 {
			continue // part of an ordinary barcode: more bars follow
		}
		reads = append(reads, patchRead{line: y, a: a, b: b, seq: seq})
		i += 6
	}
	return reads
}

// classifyBars names the bars W or N: two wide and two narrow, clearly apart.
func classifyBars(bars [4]int, u float64) (string, bool) {
	idx := []int{0, 1, 2, 3}
	sort.Slice(idx, func(i, j int) bool { return bars[idx[i]] < bars[idx[j]] })
	n0, n1, w0, w1 := float64(bars[idx[0]]), float64(bars[idx[1]]), float64(bars[idx[2]]), float64(bars[idx[3]])
	if n0 < 0.45*u || n1 > 2.0*u || w0 < 1.6*u || w1 > 3.8*u {
		return "", false
	}
	if w0 < 1.45*n1 || w1 > 1.7*w0 || n1 > 2.0*n0+1 {
		return "", false
	}
	seq := []byte("NNNN")
	seq[idx[2]], seq[idx[3]] = 'W', 'W'
	s := string(seq)
	_, ok := patchCodes[s]
	return s, ok
}

// spacesOK: the three spaces are of about the same, narrow width (photocopying
// narrows them all alike).
func spacesOK(sp [3]int, u float64) bool {
	lo, hi := min(sp[0], sp[1], sp[2]), max(sp[0], sp[1], sp[2])
	return lo >= 1 && float64(hi) <= 1.9*u && hi <= 2*lo+2
}

// quiet checks the zone of 2.5 units beside a pattern, going from x in
// direction dir: the first 0.6 units must be white and the zone at most a
// quarter dark (a thin rule may pass, further bars may not). The page edge
// counts as white.
func quiet(line []bool, x, dir int, u float64) bool {
	zone := int(2.5*u + 0.5)
	clear := int(0.6*u + 0.5)
	darkN := 0
	for k := 0; k < zone; k++ {
		p := x + dir*k
		if p < 0 || p >= len(line) {
			break
		}
		if line[p] {
			if k < clear {
				return false
			}
			darkN++
		}
	}
	return float64(darkN) <= 0.25*float64(zone)
}

// barsBeyond counts bar-like dark runs (at least 0.6 units, about 0.05 in,
// wider than text strokes) within 12 units (about 1 in) from x in direction
// dir. Beside a patch code there is at most a rule or a character; inside an
// ordinary barcode the bars go on.
func barsBeyond(line []bool, x, dir int, u float64) int {
	reach := int(12*u + 0.5)
	minRun := int(0.6*u + 0.5)
	n, run := 0, 0
	for k := 0; k <= reach; k++ {
		p := x + dir*k
		d := p >= 0 && p < len(line) && line[p] && k < reach
		if d {
			run++
			continue
		}
		if run >= minRun {
			n++
		}
		run = 0
		if p < 0 || p >= len(line) {
			break
		}
	}
	return n
}

type patchTrack struct {
	l0, l1, a, b int
	lastC        float64
	n            int
	votes        map[string]int
	seq          string
	// sums for the least-squares slope of the centre over the lines
	sl, sc, sll, slc float64
}

// slope is the drift of the pattern's centre per line: tan of the skew.
func (t *patchTrack) slope() float64 {
	n := float64(t.n)
	den := n*t.sll - t.sl*t.sl
	if den == 0 {
		return 0
	}
	return (n*t.slc - t.sl*t.sc) / den
}

// trackPatches joins readings on successive lines into bars: a patch code
// must hold over at least patchMinLenIn, at a steady position along the line
// (skew moves it slowly), with one sequence read on most lines.
func trackPatches(reads []patchRead, dpi float64) []patchTrack {
	var tracks []*patchTrack
	gap := int(patchGapIn*dpi + 0.5)
	for _, r := range reads {
		c := float64(r.a+r.b) / 2
		u := float64(r.b-r.a) / 10
		var t *patchTrack
		for _, x := range tracks {
			if r.line-x.l1 <= gap && r.line > x.l1 && abs(c-x.lastC) <= 1.5*u {
				t = x
				break
			}
		}
		if t == nil {
			t = &patchTrack{l0: r.line, l1: r.line, a: r.a, b: r.b, votes: map[string]int{}}
			tracks = append(tracks, t)
		}
		t.l1 = r.line
		t.a, t.b = min(t.a, r.a), max(t.b, r.b)
		t.lastC = c
		t.n++
		t.votes[r.seq]++
		l := float64(r.line)
		t.sl, t.sc, t.sll, t.slc = t.sl+l, t.sc+c, t.sll+l*l, t.slc+l*c
	}
	var out []patchTrack
	for _, t := range tracks {
		span := t.l1 - t.l0 + 1
		if float64(span) < patchMinLenIn*dpi || float64(t.n) < 0.5*float64(span) {
			continue
		}
		if abs(t.slope()) > patchMaxSkew {
			continue
		}
		best, bestN := "", 0
		for s, n := range t.votes {
			if n > bestN || (n == bestN && s < best) {
				best, bestN = s, n
			}
		}
		if float64(bestN) < 0.6*float64(t.n) {
			continue
		}
		t.seq = best
		out = append(out, *t)
	}
	return out
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
