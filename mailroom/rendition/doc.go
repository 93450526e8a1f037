// Package rendition writes simple readable PDFs of text content: the
// rendition of a mail (sender, recipients, date, subject, body) or of an
// e-invoice XML. It uses github.com/go-pdf/fpdf with a Unicode TrueType font
// (DejaVu Sans from Debian fonts-dejavu-core) so German umlauts render; if the
// font is missing it falls back to a core font with a cp1252 translation.
// A rendition is a reading aid beside the original, never the original.
//
// It also lays out the destruction list of paper originals (a PDF to sign
// and the same rows as CSV, destruction.go). fpdf is used only here.
package rendition
