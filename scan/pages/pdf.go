package pages

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"

	fitz "github.com/gen2brain/go-fitz"

	"poststelle/mailroom"
	"poststelle/mailroom/pdf"
)

// PDFSet renders PDF pages with MuPDF (go-fitz, in a child process by
// default: mupdf_child.go), one page at a time. Pages that are one
// full-page image can be taken over instead (Passthrough), and born-digital
// pages bring their own text (TextLayer). Before MuPDF renders a page its
// cost is checked with mailroom/pdf (cost.go).
type PDFSet struct {
	path string
	doc  mupdfDoc
	n    int
	opt  Options
	// Image passthrough (passthrough.go) and the cost check (cost.go): the
	// same file read with the object reader, opened on first use;
	// rawFailed when the file cannot be read that way (every page is then
	// rendered, unchecked).
	raw       *pdf.Reader
	rawPages  []pdf.Page
	rawFailed bool
	// noPass remembers the pages Passthrough refused (not bad input), so
	// that Page does not read their image a second time to find out.
	noPass map[int]error
}

func openPDF(ctx context.Context, path string, opt Options) (mailroom.PageSet, error) {
	doc, err := openMuPDF(ctx, path, opt)
	if err != nil {
		if _, ok := mailroom.AsInputError(err); ok || ctx.Err() != nil {
			return nil, err
		}
		switch {
		case errors.Is(err, errNeedsPassword):
			return nil, mailroom.BadInput("PDF ist passwortgeschützt (verschlüsselt) und kann nicht gelesen werden",
				"PDF is password protected (encrypted) and cannot be read", err)
		case errors.Is(err, errNoSuchFile):
			return nil, err // not the input's fault
		default:
			return nil, mailroom.BadInput("Datei ist keine lesbare PDF-Datei (beschädigt oder kein PDF)",
				"file is not a readable PDF (damaged or not a PDF)", err)
		}
	}
	n := doc.Pages()
	if n <= 0 {
		doc.Close()
		// MuPDF repairs a truncated file to zero pages: say that it may be cut off.
		return nil, mailroom.BadInput("PDF enthält keine lesbaren Seiten (leer, abgeschnitten oder beschädigt)",
			"PDF has no readable pages (empty, truncated or damaged)", nil)
	}
	if err := checkPageCount(n, opt, true); err != nil {
		doc.Close()
		return nil, err
	}
	return &PDFSet{path: path, doc: doc, n: n, opt: opt}, nil
}

var _ mailroom.PageSet = (*PDFSet)(nil)

// Len implements mailroom.PageSet.
func (s *PDFSet) Len() int { return s.n }

// Page implements mailroom.PageSet: page i rendered by MuPDF at dpi. A page
// that would need more than the render budget (Options.RenderPixels) at
// dpi is rendered at a lower resolution (Page.DPI says which, at least
// 72 dpi); one over the pixel limit even then is refused.
func (s *PDFSet) Page(ctx context.Context, i int, dpi float64) (mailroom.Page, error) {
	if s.doc == nil {
		return mailroom.Page{}, errClosed
	}
	if i < 0 || i >= s.n {
		return mailroom.Page{}, errPageRange(i, s.n)
	}
	if dpi <= 0 {
		dpi = s.opt.dpi()
	}
	if img, pdpi, ok, err := s.imagePage(i, dpi); ok || err != nil {
		return mailroom.Page{Index: i, Image: img, DPI: pdpi}, err
	}
	if err := s.checkCost(i); err != nil {
		return mailroom.Page{}, err
	}
	b, err := s.doc.Bound(ctx, i)
	if err != nil {
		return mailroom.Page{}, pageErr(err, fmt.Sprintf("PDF-Seite %d kann nicht geladen werden", i+1),
			fmt.Sprintf("PDF page %d cannot be loaded", i+1))
	}
	dpi = s.opt.fitDPI(float64(b.Dx()), float64(b.Dy()), dpi)
	w := int64(math.Ceil(float64(b.Dx()) * dpi / 72))
	h := int64(math.Ceil(float64(b.Dy()) * dpi / 72))
	if err := checkPixels(w, h, s.opt.maxPixels()); err != nil {
		return mailroom.Page{}, err
	}
	img, err := s.doc.Render(ctx, i, dpi)
	if err != nil {
		return mailroom.Page{}, pageErr(err, fmt.Sprintf("PDF-Seite %d kann nicht dargestellt werden", i+1),
			fmt.Sprintf("PDF page %d cannot be rendered", i+1))
	}
	return mailroom.Page{Index: i, Image: img, DPI: dpi}, nil
}

// pageErr keeps input errors and cancellation as they are and makes any
// other MuPDF error bad input with the given reason.
func pageErr(err error, de, en string) error {
	if _, ok := mailroom.AsInputError(err); ok || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return mailroom.BadInput(de, en, err)
}

// Close implements mailroom.PageSet.
func (s *PDFSet) Close() error {
	if s.raw != nil {
		s.raw.Close()
		s.raw, s.rawPages = nil, nil
	}
	if s.doc != nil {
		s.doc.Close()
	}
	s.doc = nil
	return nil
}

// checkPageCount refuses inputs with more pages than Options.MaxPages;
// counted is false when the count stopped after the limit.
func checkPageCount(n int, opt Options, counted bool) error {
	max := opt.maxPages()
	switch {
	case n <= max:
		return nil
	case !counted:
		return mailroom.BadInput(fmt.Sprintf("Dokument hat zu viele Seiten (mehr als %d)", max),
			fmt.Sprintf("document has too many pages (more than %d)", max), nil)
	}
	return mailroom.BadInput(fmt.Sprintf("Dokument hat zu viele Seiten (%d, höchstens %d)", n, max),
		fmt.Sprintf("document has too many pages (%d, limit %d)", n, max), nil)
}

func init() { setMuPDFStore() }

// setMuPDFStore sets MuPDF's resource cache per document (go-fitz default
// 256 MB). Pages are rendered once each, so a small cache keeps memory flat.
// The child process calls it before it serves (its init runs first).
func setMuPDFStore() { fitz.MaxStore = 32 << 20 }

// imagePage returns a scanned page's own image, decoded, instead of
// rendering the page with MuPDF (in its child process, about 300 ms a page
// at 300 dpi, against about 20 ms for decoding a page JPEG): where the page
// is a single full-page gray image taken over by Passthrough (colour
// pages are rendered: the decoded copy is gray), not turned, at the
// resolution asked for (within 2 %). ok is false where the page has to
// be rendered; err is set for bad input.
func (s *PDFSet) imagePage(i int, dpi float64) (*image.Gray, float64, bool, error) {
	if s.noPass[i] != nil {
		return nil, 0, false, nil
	}
	pt, err := s.Passthrough(i)
	if err != nil {
		if _, bad := mailroom.AsInputError(err); bad {
			return nil, 0, false, err
		}
		return nil, 0, false, nil
	}
	gray := pt.PDF.ColorSpace == "DeviceGray" && pt.PDF.ICC == nil
	if !gray || pt.Rotate != 0 || math.Abs(pt.DPI-dpi) > 0.02*dpi {
		return nil, 0, false, nil
	}
	return pt.Gray, pt.DPI, true, nil
}
