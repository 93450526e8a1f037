package einvoice

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom"
)

const ublOpen = `<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">`

// hostileInputs are generated here, nothing is copied: each is an attack
// on the parser's cost (issue 15).
func hostileInputs() []struct {
	name        string
	data        []byte
	wantInvoice bool // the root is an e-invoice root: the error wraps ErrMalformedInvoice
} {
	nest := func(prefix string, depth int) []byte {
		var b bytes.Buffer
		b.WriteString(prefix)
		for i := 0; i < depth; i++ {
			b.WriteString("<a>")
		}
		return b.Bytes()
	}
	many := func(n int) []byte {
		var b bytes.Buffer
		b.WriteString(ublOpen)
		for i := 0; i < n; i++ {
			b.WriteString("<a/>")
		}
		b.WriteString("</Invoice>")
		return b.Bytes()
	}
	var text bytes.Buffer
	text.WriteString(ublOpen + "<Note>")
	for text.Len() < 8<<20 {
		text.WriteString("x<!---->")
	}
	text.WriteString("</Note></Invoice>")
	var attrs bytes.Buffer
	attrs.WriteString(ublOpen + "<a")
	for i := 0; attrs.Len() < 4<<20; i++ {
		fmt.Fprintf(&attrs, ` xmlns:p%d="urn:x%d"`, i, i)
	}
	attrs.WriteString("/></Invoice>")
	return []struct {
		name        string
		data        []byte
		wantInvoice bool
	}{
		{"2 MB nested, invoice root", nest(ublOpen, (2<<20)/3), true},
		{"2 MB nested, CII root", nest(`<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">`, (2<<20)/3), true},
		{"2 MB nested, other root", nest("", (2<<20)/3), false}, // not an e-invoice: rejected at the root
		{"257 levels", append(nest(ublOpen, MaxXMLDepth), []byte("x")...), true},
		{"2 million elements", many(2_000_000), true},
		{"8 MB of text split by comments", text.Bytes(), false},
		{"4 MB of namespace declarations", attrs.Bytes(), false},
		{"over the size limit", bytes.Repeat([]byte(" "), MaxXMLSize+1), false},
	}
}

// TestHostileXML: every hostile input ends quickly with a BadInput (or, for
// well-formed but harmless content, a result), and reports its time.
func TestHostileXML(t *testing.T) {
	for _, h := range hostileInputs() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		inv, err := Parse(h.data)
		el := time.Since(start)
		runtime.ReadMemStats(&after)
		t.Logf("%-32s %6.1f MB in %8v, allocated %6.1f MB: %v", h.name, float64(len(h.data))/(1<<20), el.Round(time.Millisecond),
			float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), err)
		if el > 5*time.Second {
			t.Errorf("%s: took %v", h.name, el)
		}
		if strings.HasPrefix(h.name, "8 MB of text") || strings.HasPrefix(h.name, "4 MB of namespace") {
			// Well-formed and within the limits: read, kept short, no error.
			if err != nil && !isBadInput(err) {
				t.Errorf("%s: %v", h.name, err)
			}
			if inv != nil && h.name[0] == '8' && len(inv.Notes) == 1 && len(inv.Notes[0]) > maxText {
				t.Errorf("%s: note of %d bytes kept", h.name, len(inv.Notes[0]))
			}
			continue
		}
		if strings.HasSuffix(h.name, "other root") {
			if !errors.Is(err, ErrNotInvoice) {
				t.Errorf("%s: err %v, want ErrNotInvoice", h.name, err)
			}
			continue
		}
		if !isBadInput(err) {
			t.Errorf("%s: err %v, want a BadInput", h.name, err)
		}
		if got := errors.Is(err, ErrMalformedInvoice); got != h.wantInvoice {
			t.Errorf("%s: ErrMalformedInvoice %v, want %v", h.name, got, h.wantInvoice)
		}
		if h.wantInvoice && (inv == nil || inv.Syntax == "") {
			t.Errorf("%s: no partial invoice with its syntax", h.name)
		}
	}
}

func isBadInput(err error) bool {
	ie, ok := mailroom.AsInputError(err)
	return ok && ie.DE != "" && ie.EN != ""
}

// TestHostileZUGFeRD: 2 MB of nesting compresses to a few KB inside a PDF;
// the embedded scan ends quickly and reports an unreadable invoice.
func TestHostileZUGFeRD(t *testing.T) {
	var xml bytes.Buffer
	xml.WriteString(`<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">`)
	for xml.Len() < 2<<20 {
		xml.WriteString("<a>")
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(xml.Bytes())
	zw.Close()
	var pdf bytes.Buffer
	fmt.Fprintf(&pdf, "%%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n2 0 obj\n<< /Type /Filespec /F (factur-x.xml) /EF << /F 3 0 R >> >>\nendobj\n")
	fmt.Fprintf(&pdf, "3 0 obj\n<< /Type /EmbeddedFile /Subtype /text#2Fxml /Filter /FlateDecode /Length %d >>\nstream\n", z.Len())
	pdf.Write(z.Bytes())
	pdf.WriteString("\nendstream\nendobj\n%%EOF\n")
	start := time.Now()
	found := FindEmbeddedInvoices(pdf.Bytes())
	el := time.Since(start)
	t.Logf("PDF of %d KB carrying %d KB of nesting: %v", pdf.Len()>>10, xml.Len()>>10, el.Round(time.Millisecond))
	if el > 5*time.Second {
		t.Errorf("took %v", el)
	}
	if len(found) != 1 || found[0].Invoice != nil || !errors.Is(found[0].Err, ErrMalformedInvoice) {
		t.Fatalf("found %+v, want one unreadable invoice", found)
	}
}
