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

	"poststelle/mailroom"
	"poststelle/mailroom/rendition"
)

// RenditionName is the file name of the readable PDF written for XML invoices.
const RenditionName = mailroom.FileInvoiceRendition

// ReportName is the file name of the validation report (Prüfbericht)
// written beside every e-invoice and delivered with it to the DMS.
const ReportName = mailroom.FileInvoiceReport

// FlagInvalid marks an e-invoice that fails a fatal rule (the desk shows
// "E-Rechnung ungültig" with the rules of einvoice_rules_failed).
const FlagInvalid = "einvoice-invalid"

// MaxPDFScan bounds how much of a PDF is read to look for an embedded invoice.
const MaxPDFScan = 128 << 20

// Route sends invoices whose buyer reference (Leitweg-ID) starts with
// Prefix to a department / document class.
type Route = mailroom.LeitwegRoute

// Classifier recognises e-invoices among XML and PDF documents, validates
// them (EN 16931, XRechnung) and writes the Prüfbericht.
type Classifier struct {
	Routes []Route
}

var _ mailroom.Classifier = (*Classifier)(nil)

// Classify implements mailroom.Classifier. Documents that are no e-invoice
// get a zero Classification; XML that is malformed before an e-invoice root
// is bad input (quarantine). An e-invoice that cannot be read after its
// root, or a PDF with more than one embedded invoice, is an invalid
// e-invoice and is taken in.
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
	var res *Result
	switch {
	case errors.Is(err, ErrMalformedInvoice):
		res = unreadable(err)
	case err != nil:
		return mailroom.Classification{}, err
	default:
		res = Validate(inv)
	}
	out := c.classification(inv, res)
	if err != nil {
		out.Metadata["einvoice_error"] = inputReason(err)
	}
	if in.OutDir == "" {
		return out, nil
	}
	if err := c.writeFiles(in, inv, res, &out); err != nil {
		return out, err
	}
	path := filepath.Join(in.OutDir, RenditionName)
	if err := rendition.Write(path, renditionDoc(inv, res, in.Filename)); err != nil {
		return out, err
	}
	out.Rendition = path
	return out, nil
}

func (c *Classifier) classifyPDF(in mailroom.ClassifyInput) (mailroom.Classification, error) {
	data, err := readLimited(in.Original, MaxPDFScan)
	if err != nil {
		return mailroom.Classification{}, err
	}
	found := FindEmbeddedInvoices(data)
	if len(found) == 0 {
		return mailroom.Classification{}, nil
	}
	emb, inv := found[0], found[0].Invoice
	for _, e := range found {
		if e.Invoice != nil {
			emb, inv = e, e.Invoice
			break
		}
	}
	var res *Result
	if inv != nil {
		res = Validate(inv)
	} else {
		res = unreadable(emb.Err)
		inv = &Invoice{Syntax: SyntaxFacturX}
	}
	if len(found) > 1 {
		res.addPDFDuplicate(found)
	}
	out := c.classification(inv, res)
	if inv.Syntax != SyntaxZUGFeRD1 {
		out.Metadata["einvoice_syntax"] = SyntaxFacturX
	}
	if emb.Name != "" {
		out.Metadata["einvoice_attachment"] = emb.Name
	}
	if emb.Err != nil {
		out.Metadata["einvoice_error"] = inputReason(emb.Err)
	}
	if in.OutDir != "" {
		if err := c.writeFiles(in, inv, res, &out); err != nil {
			return out, err
		}
	}
	// The PDF is the invoice of record: recognition must not rewrite it.
	return out, nil
}

// classification builds the metadata and flags of a validated e-invoice.
func (c *Classifier) classification(inv *Invoice, res *Result) mailroom.Classification {
	meta := inv.Metadata()
	c.route(meta)
	meta["einvoice_validation"] = "valid"
	flags := []string{mailroom.FlagEInvoice}
	if !res.Valid() {
		meta["einvoice_validation"] = "invalid"
		flags = append(flags, FlagInvalid)
	}
	meta["einvoice_rules_failed"] = joinIDs(res.FailedIDs())
	meta["einvoice_rules_warned"] = joinIDs(res.WarnedIDs())
	if res.ProfileName != "" {
		meta["einvoice_profile_name"] = res.ProfileName
	}
	return mailroom.Classification{Metadata: meta, Flags: flags, KeepOriginal: true}
}

// writeFiles writes the Prüfbericht into the document's output folder.
func (c *Classifier) writeFiles(in mailroom.ClassifyInput, inv *Invoice, res *Result, out *mailroom.Classification) error {
	if err := os.MkdirAll(in.OutDir, 0o750); err != nil {
		return err
	}
	if err := rendition.WriteReport(filepath.Join(in.OutDir, ReportName), reportDoc(inv, res, in.Filename)); err != nil {
		return err
	}
	out.Metadata["einvoice_report"] = ReportName
	return nil
}

func inputReason(err error) string {
	if ie, ok := mailroom.AsInputError(err); ok {
		return ie.DE + " / " + ie.EN
	}
	return err.Error()
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
