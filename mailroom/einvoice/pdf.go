package einvoice

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
	"regexp"
	"strings"
)

// Names of the invoice XML embedded in ZUGFeRD / Factur-X / XRechnung PDFs.
var embeddedNames = []string{"factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "ZUGFeRD-invoice.xml"}

// MaxEmbeddedSize bounds one decompressed embedded file.
const MaxEmbeddedSize = 32 << 20

var (
	reEmbeddedType = regexp.MustCompile(`/Type\s*/EmbeddedFile\b`)
	reStream       = regexp.MustCompile(`stream\r?\n`)
	reFilterFlate  = regexp.MustCompile(`/Filter\s*(\[\s*)?/FlateDecode`)
	reOtherFilter  = regexp.MustCompile(`/Filter\s*(\[\s*)?/(ASCII|LZW|RunLength|CCITT|DCT|JBIG2|JPX|Crypt)`)
)

// Embedded is an invoice XML found inside a PDF.
type Embedded struct {
	Name    string // file name as written in the PDF's file specification, if found
	XML     []byte
	Invoice *Invoice // the parsed invoice; nil when Err is set
	Err     error    // the XML has an e-invoice root but could not be read (wraps ErrMalformedInvoice)
}

// FindEmbeddedInvoice returns the first embedded e-invoice of a PDF that
// parses (see FindEmbeddedInvoices).
func FindEmbeddedInvoice(pdf []byte) (*Embedded, *Invoice) {
	for _, e := range FindEmbeddedInvoices(pdf) {
		if e.Invoice != nil {
			return e, e.Invoice
		}
	}
	return nil, nil
}

// FindEmbeddedInvoices looks for embedded e-invoice XMLs in a PDF. It is a
// small scanner, not a full PDF parser: it reads every stream object whose
// dictionary says /Type /EmbeddedFile (Flate-compressed or plain) and keeps
// each whose XML has an e-invoice root, parsed or with the parse error.
// Embedded file streams are never inside object streams, so this works for
// PDF 1.4 and 1.5+ files alike; an encrypted PDF yields nothing.
func FindEmbeddedInvoices(pdf []byte) []*Embedded {
	if !bytes.Contains(pdf, []byte("EmbeddedFile")) || bytes.Contains(pdf, []byte("/Encrypt")) {
		return nil
	}
	var found []*Embedded
	name := ""
	for _, n := range embeddedNames {
		if bytes.Contains(pdf, []byte("("+n+")")) || bytes.Contains(pdf, []byte("/"+n)) {
			name = strings.ToLower(n)
			break
		}
	}
	for _, loc := range reEmbeddedType.FindAllIndex(pdf, -1) {
		// The dictionary of this object: from the last "obj" before to "stream" after.
		start := bytes.LastIndex(pdf[:loc[0]], []byte(" obj"))
		if start < 0 {
			continue
		}
		rest := pdf[loc[1]:]
		sm := reStream.FindIndex(rest)
		if sm == nil {
			continue
		}
		dict := pdf[start : loc[1]+sm[0]]
		if bytes.Contains(dict, []byte("endobj")) {
			continue // the stream belongs to another object
		}
		body := rest[sm[1]:]
		end := bytes.Index(body, []byte("endstream"))
		if end < 0 {
			continue
		}
		body = bytes.TrimRight(body[:end], "\r\n")
		if reOtherFilter.Match(dict) {
			continue
		}
		data := body
		if reFilterFlate.Match(dict) {
			zr, err := zlib.NewReader(bytes.NewReader(body))
			if err != nil {
				continue
			}
			data, err = io.ReadAll(io.LimitReader(zr, MaxEmbeddedSize+1))
			if (err != nil && len(data) == 0) || len(data) > MaxEmbeddedSize {
				continue
			}
		}
		inv, err := Parse(data)
		if err != nil && !errors.Is(err, ErrMalformedInvoice) {
			continue
		}
		if err != nil {
			inv = nil // only Syntax and Root are known
		}
		found = append(found, &Embedded{Name: name, XML: data, Invoice: inv, Err: err})
	}
	return found
}
