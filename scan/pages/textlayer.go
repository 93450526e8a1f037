package pages

import (
	"context"
	"strings"
)

// TextLayer returns the text of the given pages (1-based) from the PDF's
// own text layer, and whether the document has one (at least 20 letters or
// digits on most of those pages).
func (s *PDFSet) TextLayer(pages []int) ([]string, bool) {
	texts := make([]string, len(pages))
	with := 0
	for i, p := range pages {
		t, abandoned, err := withTimeout(context.Background(), s.opt.pageTimeout(), func() (string, error) { return s.doc.Text(p - 1) })
		if abandoned {
			s.abandoned = true
			return texts, false
		}
		if err != nil {
			continue
		}
		texts[i] = strings.TrimSpace(t)
		letters := 0
		for _, r := range t {
			if r > ' ' {
				letters++
			}
		}
		if letters >= 20 {
			with++
		}
	}
	return texts, with*2 > len(pages)
}
