// Package pages decodes stored originals into pages: PDF with MuPDF
// (go-fitz), TIFF incl. multi-page and CCITT with x/image (MuPDF for what
// it cannot read), JPEG and PNG with the Go decoders. It refuses bad input
// and decompression bombs with German / English reasons and bounds every
// page's decoding in time.
//
// For scanned PDFs a page that is one full-page image can be taken over
// unchanged (PDFSet.Passthrough): the image is read with mailroom/pdf and
// a gray copy is decoded in Go for analysis and OCR.
package pages
