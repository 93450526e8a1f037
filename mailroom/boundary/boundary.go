package boundary

import (
	"math"

	"poststelle/mailroom"
)

// Page is what the scorer knows of one page.
type Page struct {
	Source int // 1-based source page
	// Width and Height are the pixel size of the image the word boxes
	// refer to, DPI its resolution; 0 = unknown (the page then has no
	// geometry and only text signals count).
	Width, Height int
	DPI           float64
	Blank         bool
	Words         []mailroom.Word
	// Text is used when Words is empty (a born-digital text layer).
	Text    string
	Symbols []mailroom.Symbol // barcodes found on the page
}

// FromResult makes a Page from what recognition returned for it.
func FromResult(r mailroom.PageResult) Page {
	blank := false
	for _, f := range r.Flags {
		if f == mailroom.FlagBlankPage {
			blank = true
		}
	}
	return Page{Source: r.Page, Width: r.Width, Height: r.Height, DPI: r.DPI, Blank: blank, Words: r.Words, Text: r.Text}
}

// Gap is the scored gap before source page Page (1-based): whether Page
// starts a new document.
type Gap struct {
	Page    int
	Score   float64
	Reasons []mailroom.SplitReason
}

// Result is the outcome of Score: every gap in page order and the gaps
// proposed as boundaries.
type Result struct {
	Gaps      []Gap
	Proposals []mailroom.SplitProposal
}

// DefaultThreshold is the least score a gap needs to be proposed: one strong
// signal (a page numbered 1, the last page of a count) or two medium ones (a
// title line after a page with the totals).
const DefaultThreshold = 2.0

// Options tune Score.
type Options struct {
	Threshold float64 // 0 = DefaultThreshold
}

// Score scores every gap between consecutive pages and proposes those that
// reach the threshold. A blank page belongs to the document before it: the
// gap before it is never proposed, and the next page is compared with the
// last page that was not blank.
func Score(pages []Page, opt Options) Result {
	th := opt.Threshold
	if th <= 0 {
		th = DefaultThreshold
	}
	feats := make([]features, len(pages))
	for i := range pages {
		feats[i] = analyse(pages[i])
	}
	var res Result
	prev := -1
	for i := range pages {
		if feats[i].blank {
			if i > 0 {
				res.Gaps = append(res.Gaps, Gap{Page: pages[i].Source, Reasons: []mailroom.SplitReason{{Signal: SigBlankPage}}})
			}
			continue
		}
		if prev < 0 {
			prev = i
			if i > 0 {
				res.Gaps = append(res.Gaps, Gap{Page: pages[i].Source, Reasons: []mailroom.SplitReason{{Signal: SigAfterBlankStart}}})
			}
			continue
		}
		reasons := scoreGap(&feats[prev], &feats[i], prev != i-1)
		g := Gap{Page: pages[i].Source, Score: sum(reasons), Reasons: reasons}
		res.Gaps = append(res.Gaps, g)
		if g.Score >= th {
			res.Proposals = append(res.Proposals, mailroom.SplitProposal{Page: g.Page, Score: g.Score, Reasons: g.Reasons})
		}
		prev = i
	}
	return res
}

func sum(rs []mailroom.SplitReason) float64 {
	s := 0.0
	for _, r := range rs {
		s += r.Weight
	}
	return math.Round(s*100) / 100
}
