package pages

import (
	"context"
	"errors"
	"fmt"
	"math"

	fitz "github.com/gen2brain/go-fitz"

	"poststelle/mailroom"
	"poststelle/mailroom/pdf"
)

// PDFSet renders PDF pages with MuPDF (go-fitz), one page at a time. Pages
// that are one full-page image can be taken over instead (Passthrough), and
// born-digital pages bring their own text (TextLayer).
type PDFSet struct {
	path string
	doc  *fitz.Document
	n    int
	opt  Options
	// abandoned: a render timed out and may still run in C; the document
	// must not be touched or freed any more.
	abandoned bool
	// Image passthrough (passthrough.go): the same file read with the
	// object reader, opened on first use; rawFailed when the file cannot
	// be read that way (every page is then rendered).
	raw       *pdf.Reader
	rawPages  []pdf.Page
	rawFailed bool
}

func openPDF(ctx context.Context, path string, opt Options) (mailroom.PageSet, error) {
	type opened struct {
		doc *fitz.Document
		n   int
	}
	o, abandoned, err := withTimeout(ctx, opt.pageTimeout(), func() (opened, error) {
		doc, err := fitz.New(path)
		if err != nil {
			if doc != nil {
				doc.Close()
			}
			return opened{}, err
		}
		return opened{doc, doc.NumPage()}, nil
	})
	if abandoned {
		return nil, err
	}
	if err != nil {
		if _, ok := mailroom.AsInputError(err); ok {
			return nil, err
		}
		switch {
		case errors.Is(err, fitz.ErrNeedsPassword):
			return nil, mailroom.BadInput("PDF ist passwortgeschützt (verschlüsselt) und kann nicht gelesen werden",
				"PDF is password protected (encrypted) and cannot be read", err)
		case errors.Is(err, fitz.ErrNoSuchFile):
			return nil, err // not the input's fault
		default:
			return nil, mailroom.BadInput("Datei ist keine lesbare PDF-Datei (beschädigt oder kein PDF)",
				"file is not a readable PDF (damaged or not a PDF)", err)
		}
	}
	if o.n <= 0 {
		o.doc.Close()
		// MuPDF repairs a truncated file to zero pages: say that it may be cut off.
		return nil, mailroom.BadInput("PDF enthält keine lesbaren Seiten (leer, abgeschnitten oder beschädigt)",
			"PDF has no readable pages (empty, truncated or damaged)", nil)
	}
	s := &PDFSet{path: path, doc: o.doc, n: o.n, opt: opt}
	return s, nil
}

var _ mailroom.PageSet = (*PDFSet)(nil)

// Len implements mailroom.PageSet.
func (s *PDFSet) Len() int { return s.n }

// Page implements mailroom.PageSet: page i rendered by MuPDF at dpi.
func (s *PDFSet) Page(ctx context.Context, i int, dpi float64) (mailroom.Page, error) {
	if s.doc == nil {
		return mailroom.Page{}, errClosed
	}
	if s.abandoned {
		return mailroom.Page{}, mailroom.BadInput("PDF konnte nicht dekodiert werden (Zeitüberschreitung)",
			"PDF could not be decoded (timeout)", nil)
	}
	if i < 0 || i >= s.n {
		return mailroom.Page{}, errPageRange(i, s.n)
	}
	if dpi <= 0 {
		dpi = s.opt.dpi()
	}
	pi, abandoned, err := withTimeout(ctx, s.opt.pageTimeout(), func() (pageImage, error) {
		b, err := s.doc.Bound(i)
		if err != nil {
			return pageImage{}, mailroom.BadInput(fmt.Sprintf("PDF-Seite %d kann nicht geladen werden", i+1),
				fmt.Sprintf("PDF page %d cannot be loaded", i+1), err)
		}
		w := int64(math.Ceil(float64(b.Dx()) * dpi / 72))
		h := int64(math.Ceil(float64(b.Dy()) * dpi / 72))
		if err := checkPixels(w, h, s.opt.maxPixels()); err != nil {
			return pageImage{}, err
		}
		img, err := s.doc.ImageDPI(i, dpi)
		if err != nil {
			return pageImage{}, mailroom.BadInput(fmt.Sprintf("PDF-Seite %d kann nicht dargestellt werden", i+1),
				fmt.Sprintf("PDF page %d cannot be rendered", i+1), err)
		}
		return pageImage{img: img, dpi: dpi}, nil
	})
	if abandoned {
		s.abandoned = true
	}
	if err != nil {
		return mailroom.Page{}, err
	}
	return mailroom.Page{Index: i, Image: pi.img, DPI: pi.dpi}, nil
}

// Close implements mailroom.PageSet.
func (s *PDFSet) Close() error {
	if s.raw != nil {
		s.raw.Close()
		s.raw, s.rawPages = nil, nil
	}
	if s.doc != nil && !s.abandoned {
		s.doc.Close()
	}
	s.doc = nil
	return nil
}

func init() {
	// MuPDF's resource cache per document (go-fitz default 256 MB). Pages
	// are rendered once each, so a small cache keeps memory flat.
	fitz.MaxStore = 32 << 20
}
