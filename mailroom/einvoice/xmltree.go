package einvoice

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-message/charset"

	"poststelle/mailroom"
)

// Limits of the XML reader. Every one is checked while reading, so the cost
// of a hostile file is bounded by the first limit it reaches, and the time
// is linear in the bytes read.
const (
	// MaxXMLSize bounds the XML read (a denial-of-service guard).
	MaxXMLSize = 32 << 20
	// MaxXMLDepth bounds element nesting. Real invoices nest about 10 deep.
	MaxXMLDepth = 256
	// MaxXMLElements bounds the number of elements in one document; an
	// invoice with 10,000 lines has about 400,000.
	MaxXMLElements = 500_000
	// maxText bounds the text kept per element (attachments in base64 are
	// read but not kept beyond this; the original keeps everything).
	maxText = 1 << 16
)

// ErrMalformedInvoice is wrapped by Parse's error when the root element was
// an e-invoice root but the rest of the document could not be read (syntax
// error, limit exceeded). Such a document is an e-invoice that fails
// validation, not a file of unknown kind.
var ErrMalformedInvoice = errors.New("malformed e-invoice")

// node is one element of the parsed document: local name, attributes,
// trimmed-later text and children in document order.
type node struct {
	name  string
	space string
	text  string
	tb    []byte // text while reading; appended (amortised linear), moved to text at the end tag
	attrs []xml.Attr
	kids  []*node
}

// xmlLimitError is the German and English reason for a limit or syntax
// failure; it becomes a mailroom.InputError.
func xmlInputError(de, en string, cause error) error {
	return mailroom.BadInput(de, en, cause)
}

// readTree reads data into a tree. root is called with the root element's
// name before anything else is read: it returns an error (ErrNotInvoice) to
// stop early. Errors after an accepted root wrap ErrMalformedInvoice.
func readTree(data []byte, root func(xml.Name) error) (*node, error) {
	if len(data) > MaxXMLSize {
		return nil, xmlInputError(fmt.Sprintf("XML-Datei ist zu groß (über %d Bytes)", MaxXMLSize),
			fmt.Sprintf("XML file too large (over %d bytes)", MaxXMLSize), nil)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = charset.Reader
	dec.Strict = true
	r := treeReader{dec: dec, root: root}
	top, err := r.run()
	if err != nil && r.accepted && !errors.Is(err, ErrNotInvoice) {
		if ie, ok := mailroom.AsInputError(err); ok {
			cause := ErrMalformedInvoice
			if ie.Err != nil {
				cause = fmt.Errorf("%w: %v", ErrMalformedInvoice, ie.Err)
			}
			return nil, mailroom.BadInput(ie.DE, ie.EN, cause)
		}
		return nil, mailroom.BadInput("E-Rechnung ist fehlerhaftes XML und kann nicht gelesen werden",
			"e-invoice is malformed XML", fmt.Errorf("%w: %v", ErrMalformedInvoice, err))
	}
	return top, err
}

type treeReader struct {
	dec      *xml.Decoder
	root     func(xml.Name) error
	stack    []*node
	top      *node
	count    int
	accepted bool
}

func (r *treeReader) run() (*node, error) {
	for {
		tok, err := r.dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, xmlInputError("XML-Datei ist fehlerhaft und kann nicht gelesen werden", "malformed XML file", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := r.start(t); err != nil {
				return nil, err
			}
		case xml.CharData:
			if n := len(r.stack); n > 0 {
				if cur := r.stack[n-1]; len(cur.tb) < maxText {
					cur.tb = append(cur.tb, t[:min(len(t), maxText-len(cur.tb))]...)
				}
			}
		case xml.EndElement:
			if n := len(r.stack); n > 0 {
				cur := r.stack[n-1]
				cur.text, cur.tb = string(cur.tb), nil
				r.stack = r.stack[:n-1]
			}
		}
	}
	if r.top == nil {
		return nil, ErrNotInvoice
	}
	return r.top, nil
}

func (r *treeReader) start(t xml.StartElement) error {
	if r.top == nil {
		if err := r.root(t.Name); err != nil {
			return err
		}
		r.accepted = true
	}
	if len(r.stack) >= MaxXMLDepth {
		return xmlInputError(fmt.Sprintf("XML-Datei ist zu tief verschachtelt (mehr als %d Ebenen)", MaxXMLDepth),
			fmt.Sprintf("XML nested too deeply (more than %d levels)", MaxXMLDepth), nil)
	}
	r.count++
	if r.count > MaxXMLElements {
		return xmlInputError(fmt.Sprintf("XML-Datei hat zu viele Elemente (mehr als %d)", MaxXMLElements),
			fmt.Sprintf("XML has too many elements (more than %d)", MaxXMLElements), nil)
	}
	n := &node{name: t.Name.Local, space: t.Name.Space, attrs: t.Attr}
	if len(r.stack) == 0 {
		if r.top != nil {
			return xmlInputError("XML-Datei hat mehr als ein Wurzelelement", "XML has more than one root element", nil)
		}
		r.top = n
	} else {
		p := r.stack[len(r.stack)-1]
		p.kids = append(p.kids, n)
	}
	r.stack = append(r.stack, n)
	return nil
}

// child returns the first descendant along the path of local names, or nil.
func (n *node) child(path ...string) *node {
	cur := n
	for _, p := range path {
		if cur == nil {
			return nil
		}
		var next *node
		for _, k := range cur.kids {
			if k.name == p {
				next = k
				break
			}
		}
		cur = next
	}
	return cur
}

// all returns every node at the path (the last name may repeat at each
// level: all("A","B") gives every B under every A).
func (n *node) all(path ...string) []*node {
	if n == nil {
		return nil
	}
	level := []*node{n}
	for _, p := range path {
		var next []*node
		for _, c := range level {
			for _, k := range c.kids {
				if k.name == p {
					next = append(next, k)
				}
			}
		}
		level = next
	}
	return level
}

// str is the trimmed text of the node at path ("" when absent).
func (n *node) str(path ...string) string {
	c := n.child(path...)
	if c == nil {
		return ""
	}
	return strings.TrimSpace(c.text)
}

// has reports whether the node at path exists.
func (n *node) has(path ...string) bool { return n.child(path...) != nil }

// attr is the trimmed value of the attribute with the given local name.
func (n *node) attr(name string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.attrs {
		if a.Name.Local == name {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// hasAttr reports whether the attribute exists.
func (n *node) hasAttr(name string) bool {
	if n == nil {
		return false
	}
	for _, a := range n.attrs {
		if a.Name.Local == name {
			return true
		}
	}
	return false
}
