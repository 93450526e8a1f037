// Package measure measures the boundary scorer (mailroom/boundary) on
// batches with known boundaries built from the public test corpus: the
// scanned batch scans/batch-visible.pdf and batches assembled from the
// corpus' German ZUGFeRD invoices (rendered at 300 dpi), its book pages and
// brochure, with and without the printed page numbers, with blank back
// sides, and single documents that must not be split. Pages are rendered
// with pdftoppm, checked for blankness with the pipeline's own detector and
// recognised with the real tesseract (package ocr). The boundary tests and
// `poststelle-bench splits` report its figures.
package measure

// Kind groups batches by what the targets ask of them.
type Kind string

const (
	Numbered   Kind = "numbered"   // page numbers printed: precision and recall ≥ 0.95
	Unnumbered Kind = "unnumbered" // page numbers painted over: ≥ 0.80
	Negative   Kind = "negative"   // one document: no proposal at all
)

// Targets per kind (issue 18).
var Targets = map[Kind]float64{Numbered: 0.95, Unnumbered: 0.80}

// PageRef is one page of a batch: page Page (1-based) of the corpus file
// File, or a blank back side (a real scanned blank sheet).
type PageRef struct {
	File  string // relative to the corpus
	Page  int
	Paint bool // the page-number strip at the bottom painted white
	Blank bool // the corpus' scanned blank page (naps2/blank1.jpg)
}

// Batch is a sequence of pages with the 1-based positions where a new
// document starts (position 1 left out).
type Batch struct {
	Name   string
	Kind   Kind
	Pages  []PageRef
	Starts []int
}

const (
	scanned   = "scans/batch-visible.pdf"
	einfach   = "einvoice/zugferd/EN16931_Einfach.pdf"
	gutschr   = "einvoice/zugferd/EN16931_Gutschrift.pdf"
	miete     = "einvoice/zugferd/EN16931_Miete.pdf"
	xrechnung = "einvoice/zugferd/XRECHNUNG_Einfach.pdf"
	book      = "ocrmypdf/multipage.pdf"
	brochure  = "ocrmypdf/linn.pdf"
	blankScan = "naps2/blank1.jpg"
)

// doc is a sequence of pages of one document.
type doc []PageRef

func pages(file string, n int, paint bool) doc {
	d := make(doc, n)
	for i := range d {
		d[i] = PageRef{File: file, Page: i + 1, Paint: paint}
	}
	return d
}

var blank = PageRef{File: blankScan, Page: 1, Blank: true}

// assemble joins documents into a batch and records where each starts.
func assemble(name string, kind Kind, docs ...doc) Batch {
	b := Batch{Name: name, Kind: kind}
	for i, d := range docs {
		if i > 0 {
			b.Starts = append(b.Starts, len(b.Pages)+1)
		}
		b.Pages = append(b.Pages, d...)
	}
	return b
}

// with inserts a blank back side after the page at 1-based position pos.
func with(d doc, pos int) doc {
	out := append(doc{}, d[:pos]...)
	out = append(out, blank)
	return append(out, d[pos:]...)
}

// Batches are the measured batches. The corpus' scanned batch keeps its
// order (boundaries before pages 3, 5, 9); the rendered batches use other
// orders so a signal cannot lean on the position of a document.
func Batches() []Batch {
	var bs []Batch
	for _, paint := range []bool{false, true} {
		kind, suffix := Numbered, ""
		if paint {
			kind, suffix = Unnumbered, "-unnumbered"
		}
		bs = append(bs,
			assemble("scan"+suffix, kind, pages(scanned, 2, paint), pages(scanned, 2, paint).from(3),
				pages(scanned, 4, paint).from(5), pages(scanned, 3, paint).from(9)),
			assemble("rendered"+suffix, kind, pages(miete, 4, paint), pages(einfach, 2, paint),
				pages(xrechnung, 3, paint), pages(gutschr, 2, paint)),
			// Blank back sides: one inside a document, one at the end of one.
			assemble("rendered-blank"+suffix, kind, pages(gutschr, 2, paint), with(pages(miete, 4, paint), 1),
				with(pages(einfach, 2, paint), 2), pages(xrechnung, 3, paint)),
		)
	}
	bs = append(bs,
		// Other corpus documents between the invoices: a brochure and book
		// pages in English, each without a first-page layout of its own.
		assemble("mixed-unnumbered", Unnumbered, pages(einfach, 2, true), pages(brochure, 1, false),
			pages(gutschr, 2, true), pages(book, 6, false)),
		// One long document each: nothing may be proposed inside.
		assemble("book", Negative, pages(book, 6, false)),
		assemble("miete", Negative, pages(miete, 4, false)),
		assemble("miete-unnumbered-blank", Negative, with(with(pages(miete, 4, true), 2), 4)),
		assemble("xrechnung-unnumbered", Negative, pages(xrechnung, 3, true)),
	)
	return bs
}

// from renumbers a run of pages of the scanned batch to start at page p.
func (d doc) from(p int) doc {
	out := make(doc, len(d))
	for i, r := range d {
		r.Page = p + i
		out[i] = r
	}
	return out
}
