package pages

import (
	"fmt"

	"poststelle/mailroom"
	"poststelle/mailroom/pdf"
)

// Before MuPDF renders a page (or reads its text), what the page asks of it
// is counted with mailroom/pdf: decoded content bytes (forms counted every
// time they are drawn) and image pixels (every draw). A page over the limits
// is refused as a compression bomb before MuPDF decodes anything. A file the
// object reader cannot read is rendered unchecked (MuPDF repairs what it
// can); the page deadline and the child process's memory limit still hold.
const (
	// maxPageContent bounds a page's decoded content (MuPDF interprets
	// about 100 MB of simple operators per second).
	maxPageContent = 128 << 20
	// maxPageStreams bounds the content streams looked at for one page.
	maxPageStreams = 10000
	// pixelDraws: a page may decode images of this many times max_pixels
	// in all (the same image drawn repeatedly counts each time).
	pixelDraws = 4
)

// checkCost refuses page i when it would make MuPDF decode too much.
func (s *PDFSet) checkCost(i int) error {
	if err := s.openRaw(); err != nil || i < 0 || i >= len(s.rawPages) {
		return nil
	}
	lim := pdf.CostLimits{Content: maxPageContent, Pixels: pixelDraws * s.opt.maxPixels(), Streams: maxPageStreams}
	c, err := s.raw.PageCost(s.rawPages[i], lim)
	if err != nil {
		return nil
	}
	if c.MaxImage > s.opt.maxPixels() {
		return mailroom.BadInput(
			fmt.Sprintf("PDF-Seite %d enthält ein zu großes Bild (%d Pixel, höchstens %d) – möglicherweise eine Dekompressionsbombe", i+1, c.MaxImage, s.opt.maxPixels()),
			fmt.Sprintf("PDF page %d holds an image too large (%d pixels, limit %d) – possibly a decompression bomb", i+1, c.MaxImage, s.opt.maxPixels()), nil)
	}
	switch c.Over {
	case "content":
		return mailroom.BadInput(
			fmt.Sprintf("PDF-Seite %d hat zu viel Seiteninhalt (mehr als %d MiB entpackt) – möglicherweise eine Kompressionsbombe", i+1, maxPageContent>>20),
			fmt.Sprintf("PDF page %d has too much content (more than %d MiB decompressed) – possibly a compression bomb", i+1, maxPageContent>>20), nil)
	case "pixels":
		return mailroom.BadInput(
			fmt.Sprintf("PDF-Seite %d zeichnet zu viele Bildpunkte (mehr als %d, Bilder mehrfach gezählt) – möglicherweise eine Dekompressionsbombe", i+1, lim.Pixels),
			fmt.Sprintf("PDF page %d draws too many image pixels (more than %d, repeated images counted each time) – possibly a decompression bomb", i+1, lim.Pixels), nil)
	case "streams":
		return mailroom.BadInput(
			fmt.Sprintf("PDF-Seite %d besteht aus zu vielen Inhaltsteilen (mehr als %d)", i+1, maxPageStreams),
			fmt.Sprintf("PDF page %d consists of too many content streams (more than %d)", i+1, maxPageStreams), nil)
	}
	return nil
}
