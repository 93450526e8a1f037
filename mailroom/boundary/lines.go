package boundary

import (
	"image"
	"sort"
	"strings"

	"poststelle/mailroom"
)

// line is a run of words on one baseline, left to right, with its position
// on the page: x and y in millimetres from the top left corner (0 when the
// page has no geometry) and rel, the line's vertical centre as a fraction
// of the page height (0 top, 1 bottom).
type line struct {
	text   string
	lower  string
	box    image.Rectangle // pixels
	x0, x1 float64         // mm
	y0, y1 float64         // mm
	rel    float64
	words  int
	edge   bool // in the header or footer zone (text only: the first or last two lines)
}

// minWordConfidence drops words tesseract itself does not believe (shading,
// speckles read as letters).
const minWordConfidence = 10

// buildLines groups the words of a page into lines. Words chain to the
// right when they overlap vertically with the line's last word and the gap
// is small (a wide gap starts a new line: table columns stay apart). Slight
// skew is followed because each word is compared with its left neighbour.
func buildLines(words []mailroom.Word, mmPerPx, height float64) []line {
	ws := make([]mailroom.Word, 0, len(words))
	for _, w := range words {
		if w.Confidence >= minWordConfidence && strings.TrimSpace(w.Text) != "" && !w.Box.Empty() {
			ws = append(ws, w)
		}
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i].Box.Min.X < ws[j].Box.Min.X })
	type run struct {
		words []mailroom.Word
		last  image.Rectangle
	}
	var runs []*run
	for _, w := range ws {
		h := w.Box.Dy()
		cy := (w.Box.Min.Y + w.Box.Max.Y) / 2
		var best *run
		bestDist := 0
		for _, r := range runs {
			l := r.last
			lh := max(h, l.Dy())
			gap := w.Box.Min.X - l.Max.X
			if gap < -lh/2 || gap > 3*lh {
				continue
			}
			lcy := (l.Min.Y + l.Max.Y) / 2
			d := abs(cy - lcy)
			if d > lh*6/10 {
				continue
			}
			if best == nil || d < bestDist {
				best, bestDist = r, d
			}
		}
		if best == nil {
			best = &run{}
			runs = append(runs, best)
		}
		best.words = append(best.words, w)
		best.last = w.Box
	}
	lines := make([]line, 0, len(runs))
	for _, r := range runs {
		var sb strings.Builder
		box := r.words[0].Box
		for i, w := range r.words {
			if i > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(strings.TrimSpace(w.Text))
			box = box.Union(w.Box)
		}
		l := line{text: sb.String(), box: box, words: len(r.words)}
		l.lower = strings.ToLower(l.text)
		l.x0, l.x1 = float64(box.Min.X)*mmPerPx, float64(box.Max.X)*mmPerPx
		l.y0, l.y1 = float64(box.Min.Y)*mmPerPx, float64(box.Max.Y)*mmPerPx
		if height > 0 {
			l.rel = float64(box.Min.Y+box.Max.Y) / 2 / height
		}
		l.edge = l.rel <= headerZone || l.rel >= footerZone
		lines = append(lines, l)
	}
	sortLines(lines)
	return lines
}

// textLines makes lines from plain text (a born-digital text layer without
// word boxes): their order stands in for their position.
func textLines(text string) []line {
	var raw []string
	for _, s := range strings.Split(text, "\n") {
		if s = strings.Join(strings.Fields(s), " "); s != "" {
			raw = append(raw, s)
		}
	}
	out := make([]line, len(raw))
	for i, s := range raw {
		out[i] = line{text: s, lower: strings.ToLower(s), rel: (float64(i) + 0.5) / float64(len(raw)),
			words: len(strings.Fields(s)), edge: i < 2 || i >= len(raw)-2}
	}
	return out
}

// sortLines orders lines top to bottom by their vertical centre, lines of
// the same height left to right.
func sortLines(ls []line) {
	sort.SliceStable(ls, func(i, j int) bool {
		if ls[i].rel != ls[j].rel {
			return ls[i].rel < ls[j].rel
		}
		return ls[i].x0 < ls[j].x0
	})
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
