package einvoice

import (
	"bytes"
	"sort"
	"strings"

	"poststelle/mailroom/pdf"
)

// Names of the invoice XML embedded in ZUGFeRD / Factur-X / XRechnung PDFs.
var embeddedNames = []string{"factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "ZUGFeRD-invoice.xml"}

// MaxEmbeddedSize bounds one decompressed embedded file.
const MaxEmbeddedSize = 32 << 20

// Embedded is an invoice XML found inside a PDF.
type Embedded struct {
	Name string // file name as written in the PDF's file specification, if it is a known invoice name
	XML  []byte
}

// FindEmbeddedInvoice looks for an embedded e-invoice XML in a PDF: the
// embedded files of the catalog (/AF and /Names /EmbeddedFiles, read with
// mailroom/pdf), known invoice names first, plain or Flate-compressed, and
// keeps the first that parses as an e-invoice. A PDF that cannot be read
// (damaged, encrypted) yields nothing.
func FindEmbeddedInvoice(data []byte) (emb *Embedded, inv *Invoice) {
	defer func() {
		if recover() != nil {
			emb, inv = nil, nil
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, nil
	}
	for _, c := range embeddedFiles(r) {
		xml, err := r.DecodeStream(c.stream, MaxEmbeddedSize)
		if err != nil {
			continue
		}
		inv, err := Parse(xml)
		if err != nil {
			continue
		}
		return &Embedded{Name: knownName(c.name), XML: xml}, inv
	}
	return nil, nil
}

// candidate is an embedded file of the PDF.
type candidate struct {
	name   string // /UF or /F of its file specification
	stream *pdf.Stream
}

// embeddedFiles returns the embedded files the catalog lists (each stream
// once), those with a known invoice name first, then by name.
func embeddedFiles(r *pdf.Reader) []candidate {
	root, _, err := r.Catalog()
	if err != nil {
		return nil
	}
	var specs []any
	if ao, err := r.Resolve(root["AF"]); err == nil {
		af, _ := ao.(pdf.Array)
		specs = append(specs, af...)
	}
	if names, err := r.Dict(root["Names"]); err == nil {
		if tree, err := r.NameTree(names["EmbeddedFiles"]); err == nil {
			for _, v := range tree {
				specs = append(specs, v)
			}
		}
	}
	seen := map[*pdf.Stream]bool{}
	var out []candidate
	for _, sp := range specs {
		name, s, err := r.EmbeddedFile(sp)
		if err == nil && !seen[s] {
			seen[s] = true
			out = append(out, candidate{name: name, stream: s})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		ki, kj := knownName(out[i].name) != "", knownName(out[j].name) != ""
		if ki != kj {
			return ki
		}
		return out[i].name < out[j].name
	})
	return out
}

// knownName returns name in lower case if it is one of the invoice names
// the standards give the embedded XML, else "".
func knownName(name string) string {
	for _, n := range embeddedNames {
		if strings.EqualFold(name, n) {
			return strings.ToLower(n)
		}
	}
	return ""
}
