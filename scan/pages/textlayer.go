package pages

import (
	"context"
	"strings"
)

// TextLayer returns the text of the given pages (1-based) from the PDF's
// own text layer, and whether the document has one (at least 20 letters or
// digits on most of those pages). A page whose text cannot be read within
// the page timeout ends the survey: no text layer.
func (s *PDFSet) TextLayer(pages []int) ([]string, bool) {
	texts := make([]string, len(pages))
	with := 0
	for i, p := range pages {
		if s.doc == nil || s.checkCost(p-1) != nil {
			return texts, false
		}
		t, err := s.doc.Text(context.Background(), p-1)
		if err != nil {
			if s.dead() {
				return texts, false
			}
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

// dead reports whether MuPDF gave up on the document (timeout, crash).
func (s *PDFSet) dead() bool {
	switch d := s.doc.(type) {
	case *childDoc:
		return d.dead != nil
	case *inProcess:
		return d.dead != nil
	}
	return false
}
