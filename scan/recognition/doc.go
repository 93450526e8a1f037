// Package recognition implements the Recognition stage (mailroom.Recognition):
// it spreads a document's pages over the OCR pool, analyses a derived copy
// of each (blank page, orientation, skew; package analysis), and writes a
// PDF/A-2b (package pdfa) whose pages show the original images, turned and
// straightened by the page geometry only, under an invisible text layer.
// Signed and kept originals get a rendition beside the untouched original;
// born-digital PDFs keep their own text layer by default.
package recognition
