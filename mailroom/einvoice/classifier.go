package einvoice

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/rendition"
)

// RenditionName is the file name of the readable PDF written for XML invoices.
const RenditionName = "rechnung.pdf"

// MaxPDFScan bounds how much of a PDF is read to look for an embedded invoice.
const MaxPDFScan = 128 << 20

// Route sends invoices whose buyer reference (Leitweg-ID) starts with
// Prefix to a department / document class.
type Route = mailroom.LeitwegRoute

// Classifier recognises e-invoices among XML and PDF documents.
type Classifier struct {
	Routes []Route
}

var _ mailroom.Classifier = (*Classifier)(nil)

// Classify implements mailroom.Classifier. Documents that are no e-invoice
// get a zero Classification; malformed XML is bad input (quarantine).
func (c *Classifier) Classify(ctx context.Context, in mailroom.ClassifyInput) (mailroom.Classification, error) {
	switch in.MediaType {
	case mailroom.MediaXML:
		return c.classifyXML(in)
	case mailroom.MediaPDF:
		return c.classifyPDF(in)
	}
	return mailroom.Classification{}, nil
}

func readLimited(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, max+1))
}

func (c *Classifier) classifyXML(in mailroom.ClassifyInput) (mailroom.Classification, error) {
	data, err := readLimited(in.Original, MaxXMLSize)
	if err != nil {
		return mailroom.Classification{}, err
	}
	if len(data) > MaxXMLSize {
		return mailroom.Classification{}, mailroom.BadInput(
			fmt.Sprintf("XML-Datei ist zu groß (über %d Bytes)", MaxXMLSize),
			fmt.Sprintf("XML file too large (over %d bytes)", MaxXMLSize), nil)
	}
	inv, err := Parse(data)
	if errors.Is(err, ErrNotInvoice) {
		return mailroom.Classification{}, nil
	}
	if err != nil {
		return mailroom.Classification{}, mailroom.BadInput("XML-Datei ist fehlerhaft und kann nicht gelesen werden",
			"malformed XML file", err)
	}
	meta := inv.Metadata()
	c.route(meta)
	out := mailroom.Classification{Metadata: meta, Flags: []string{mailroom.FlagEInvoice}, KeepOriginal: true}
	if in.OutDir != "" {
		if err := os.MkdirAll(in.OutDir, 0o750); err != nil {
			return out, err
		}
		path := filepath.Join(in.OutDir, RenditionName)
		if err := rendition.Write(path, renditionDoc(inv, in.Filename)); err != nil {
			return out, err
		}
		out.Rendition = path
	}
	return out, nil
}

func (c *Classifier) classifyPDF(in mailroom.ClassifyInput) (mailroom.Classification, error) {
	data, err := readLimited(in.Original, MaxPDFScan)
	if err != nil {
		return mailroom.Classification{}, err
	}
	emb, inv := FindEmbeddedInvoice(data)
	if inv == nil {
		return mailroom.Classification{}, nil
	}
	meta := inv.Metadata()
	if inv.Syntax != SyntaxZUGFeRD1 {
		meta["einvoice_syntax"] = SyntaxFacturX
	}
	if emb.Name != "" {
		meta["einvoice_attachment"] = emb.Name
	}
	c.route(meta)
	// The PDF is the invoice of record: recognition must not rewrite it.
	return mailroom.Classification{Metadata: meta, Flags: []string{mailroom.FlagEInvoice}, KeepOriginal: true}, nil
}

// route applies the longest matching Leitweg-ID prefix.
func (c *Classifier) route(meta map[string]string) {
	ref := strings.TrimSpace(meta["buyer_reference"])
	if ref == "" {
		return
	}
	meta["leitweg_id"] = ref
	routes := append([]Route(nil), c.Routes...)
	sort.SliceStable(routes, func(i, j int) bool { return len(routes[i].Prefix) > len(routes[j].Prefix) })
	for _, r := range routes {
		if r.Prefix != "" && strings.HasPrefix(ref, r.Prefix) {
			if r.Department != "" {
				meta["department"] = r.Department
			}
			if r.Class != "" {
				meta["document_class"] = r.Class
			}
			meta["einvoice_route"] = r.Prefix
			return
		}
	}
}

var syntaxNames = map[string]string{
	SyntaxUBL: "XRechnung (UBL)", SyntaxCII: "XRechnung / EN 16931 (UN/CEFACT CII)",
	SyntaxZUGFeRD1: "ZUGFeRD 1.0", SyntaxFacturX: "ZUGFeRD 2 / Factur-X",
}

func renditionDoc(inv *Invoice, filename string) rendition.Doc {
	amount := func(v string) string {
		if v == "" {
			return ""
		}
		return v + " " + inv.Currency
	}
	d := rendition.Doc{
		Title: fmt.Sprintf("E-Rechnung %s", inv.Number),
		Fields: []rendition.Field{
			{Label: "Format", Value: syntaxNames[inv.Syntax]},
			{Label: "Rechnungsnummer", Value: inv.Number},
			{Label: "Rechnungsdatum", Value: inv.Date},
			{Label: "Rechnungsart", Value: inv.TypeCode},
			{Label: "Verkäufer", Value: inv.Seller},
			{Label: "Käufer", Value: inv.Buyer},
			{Label: "Leitweg-ID", Value: inv.BuyerReference},
			{Label: "Netto", Value: amount(inv.TaxBasisTotal)},
			{Label: "Steuer", Value: amount(inv.TaxTotal)},
			{Label: "Brutto", Value: amount(inv.GrandTotal)},
			{Label: "Zahlbetrag", Value: amount(inv.DuePayable)},
			{Label: "Fällig am", Value: inv.DueDate},
			{Label: "IBAN", Value: inv.IBAN},
			{Label: "Datei", Value: filename},
		},
		Footer: "Lesefassung, von Poststelle aus der XML-Datei erzeugt. Rechtlich maßgeblich ist die unveränderte " +
			"XML-Datei (Original). / Readable rendition made by Poststelle; the unchanged XML file is the invoice of record.",
		Created: time.Now(),
	}
	var b strings.Builder
	if len(inv.Lines) > 0 {
		b.WriteString("Positionen:\n")
		for i, l := range inv.Lines {
			fmt.Fprintf(&b, "%d. %s", i+1, l.Name)
			if l.Quantity != "" {
				fmt.Fprintf(&b, " — Menge %s", l.Quantity)
			}
			if l.Amount != "" {
				fmt.Fprintf(&b, " — %s", amount(l.Amount))
			}
			b.WriteString("\n")
		}
	}
	if len(inv.Notes) > 0 {
		b.WriteString("\nBemerkungen:\n")
		for _, n := range inv.Notes {
			b.WriteString(n + "\n")
		}
	}
	d.Body = b.String()
	return d
}
