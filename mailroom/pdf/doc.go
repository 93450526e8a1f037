// Package pdf is Poststelle's one PDF object package: a bounded, read-only
// object reader (lexer, cross-reference tables and streams with /Prev chains
// and hybrid files, object streams, Flate with PNG predictors, the page
// tree), the taking over of a scanned page's single full-page image, object
// serialisation and incremental updates that leave the original bytes
// untouched.
//
// Every part that reads or writes PDF objects uses it: scan/pages (image
// passthrough), the PDF/A writer in pdf/pdfa, and mailroom/evidence (the
// Transfervermerk as associated file, XMP, seal checks). Rendering stays
// with MuPDF (go-fitz); readable PDFs are laid out by mailroom/rendition.
// The signature classifier (mailroom/signature) and the e-invoice finder
// (mailroom/einvoice) scan the bytes for /ByteRange and embedded-file
// streams instead of reading objects, on purpose: damaged, truncated or
// orphaned structures are still found there.
//
// The reader is deliberately small and strict: what it cannot read with
// certainty is an error wrapping ErrUnsupported, never a guess. Objects are
// read on demand, and nesting depth, reference chains, stream and section
// sizes are bounded, so damaged or hostile input costs bounded memory and
// time.
package pdf
