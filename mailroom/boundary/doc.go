// Package boundary proposes document boundaries inside a batch scanned
// without separator sheets. It looks at what recognition produced for each
// page — the words with their boxes, the page size and resolution, the blank
// flag and the barcodes found — and scores every gap between two pages:
// page numbering ("Seite 2 von 3", "- 2 -", "2/3"), first-page layout (a
// DIN 5008 address field, a sender line, a title or subject line, a date line,
// a salutation), last-page cues (closing formula, signature, totals and
// payment terms), continuation cues (a page that begins mid-sentence, a carry
// over), a change of document number, Aktenzeichen or sender, barcodes, and a
// change of paper size or resolution. Blank pages (back sides) belong to the
// document before them and are never a boundary by themselves.
//
// The score of a gap is the sum of the weights of the signals seen there
// (docs/autosplit.md lists them); a gap whose score reaches the threshold is
// proposed as the start of a new document. The package is pure Go: no OCR,
// no store, no I/O.
package boundary
