package einvoice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
)

// pdfText reads a PDF's text with pdftotext; missing tool: skip locally,
// fail under CI.
func pdfText(t *testing.T, path string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) missing")
		}
		t.Skip("pdftotext (poppler-utils) missing: cannot read the report back")
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func classifyFile(t *testing.T, name string, data []byte, media string) (mailroom.Classification, string, error) {
	t.Helper()
	dir := t.TempDir()
	orig := filepath.Join(dir, "original")
	if err := os.WriteFile(orig, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	c := &Classifier{Routes: []Route{{Prefix: "04011000", Department: "Kämmerei"}}}
	cl, err := c.Classify(context.Background(), mailroom.ClassifyInput{DocumentID: "d1", Original: orig, MediaType: media,
		Filename: name, OutDir: out})
	return cl, out, err
}

func corpusFile(t *testing.T, set, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(testcorpus.Path(t, "einvoice", set, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hasFlag(cl mailroom.Classification, f string) bool {
	for _, x := range cl.Flags {
		if x == f {
			return true
		}
	}
	return false
}

func TestClassifyValidXML(t *testing.T) {
	cl, out, err := classifyFile(t, "rechnung.xml", corpusFile(t, "xrechnung", "01.01a-INVOICE_uncefact.xml"), mailroom.MediaXML)
	if err != nil {
		t.Fatal(err)
	}
	m := cl.Metadata
	if m["einvoice_validation"] != "valid" || m["einvoice_rules_failed"] != "" || m["einvoice_rules_warned"] != "" {
		t.Errorf("metadata %v", m)
	}
	if m["einvoice_profile_name"] != "XRechnung 3.0" || m["einvoice_report"] != ReportName || m["department"] != "Kämmerei" {
		t.Errorf("metadata %v", m)
	}
	if !hasFlag(cl, mailroom.FlagEInvoice) || hasFlag(cl, FlagInvalid) || !cl.KeepOriginal {
		t.Errorf("flags %v keep %v", cl.Flags, cl.KeepOriginal)
	}
	if cl.Rendition != filepath.Join(out, RenditionName) {
		t.Errorf("rendition %q", cl.Rendition)
	}
	text := pdfText(t, filepath.Join(out, ReportName))
	for _, want := range []string{"Prüfbericht", "Ergebnis: gültig", "123456XX", "XRechnung 3.0"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
}

func TestClassifyInvalidXML(t *testing.T) {
	src := string(corpusFile(t, "xrechnung", "01.01a-INVOICE_ubl.xml"))
	bad := strings.Replace(src, `<cbc:TaxInclusiveAmount currencyID="EUR">336.9<`, `<cbc:TaxInclusiveAmount currencyID="EUR">346.9<`, 1)
	bad = strings.Replace(bad, "<cbc:BuyerReference>04011000-12345-03<", "<cbc:BuyerReference>04011000-12345-04<", 1)
	cl, out, err := classifyFile(t, "rechnung.xml", []byte(bad), mailroom.MediaXML)
	if err != nil {
		t.Fatal(err)
	}
	m := cl.Metadata
	if m["einvoice_validation"] != "invalid" || !strings.Contains(m["einvoice_rules_failed"], "BR-CO-15") || m["einvoice_rules_warned"] != "PS-LW-02" {
		t.Errorf("metadata %v", m)
	}
	if !hasFlag(cl, FlagInvalid) {
		t.Errorf("flags %v", cl.Flags)
	}
	text := pdfText(t, filepath.Join(out, ReportName))
	for _, want := range []string{"ungültig", "BR-CO-15", "BT-112", "346.9", "PS-LW-02", "04011000-12345-04", "Prüfziffer"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(pdfText(t, cl.Rendition), "ungültig") {
		t.Error("rendition does not say the invoice is invalid")
	}
}

// An e-invoice whose XML breaks after the root is taken in as invalid.
func TestClassifyUnreadableXML(t *testing.T) {
	src := corpusFile(t, "xrechnung", "01.01a-INVOICE_ubl.xml")
	cl, out, err := classifyFile(t, "kaputt.xml", src[:len(src)/2], mailroom.MediaXML)
	if err != nil {
		t.Fatalf("unreadable e-invoice must be taken in, got %v", err)
	}
	m := cl.Metadata
	if m["einvoice_validation"] != "invalid" || m["einvoice_rules_failed"] != "PS-XML-01" || m["einvoice_error"] == "" {
		t.Errorf("metadata %v", m)
	}
	if _, err := os.Stat(filepath.Join(out, RenditionName)); err != nil {
		t.Error(err)
	}
	if !strings.Contains(pdfText(t, filepath.Join(out, ReportName)), "PS-XML-01") {
		t.Error("report lacks PS-XML-01")
	}
}

func TestClassifyNotInvoiceXML(t *testing.T) {
	cl, _, err := classifyFile(t, "x.xml", []byte(`<?xml version="1.0"?><liste><a>`), mailroom.MediaXML)
	if err != nil || cl.Metadata != nil {
		t.Errorf("other XML: %v %v", cl, err)
	}
	_, _, err = classifyFile(t, "x.xml", []byte(`<<<`), mailroom.MediaXML)
	if _, ok := mailroom.AsInputError(err); !ok {
		t.Errorf("malformed XML: err %v, want BadInput", err)
	}
}

func TestClassifyProfileMinimum(t *testing.T) {
	src := string(corpusFile(t, "zugferd", "EN16931_Einfach.cii.xml"))
	min := strings.Replace(src, "<ram:ID>urn:cen.eu:en16931:2017</ram:ID>", "<ram:ID>urn:factur-x.eu:1p0:minimum</ram:ID>", 1)
	cl, _, err := classifyFile(t, "factur-x.xml", []byte(min), mailroom.MediaXML)
	if err != nil {
		t.Fatal(err)
	}
	if m := cl.Metadata; m["einvoice_rules_failed"] != "PS-PROFILE-01" || m["einvoice_profile_name"] != "ZUGFeRD MINIMUM" {
		t.Errorf("metadata %v", m)
	}
}

func TestClassifyZUGFeRDPDF(t *testing.T) {
	pdf := corpusFile(t, "zugferd", "EN16931_Einfach.pdf")
	cl, out, err := classifyFile(t, "rechnung.pdf", pdf, mailroom.MediaPDF)
	if err != nil {
		t.Fatal(err)
	}
	if m := cl.Metadata; m["einvoice_validation"] != "valid" || m["einvoice_syntax"] != SyntaxFacturX || m["einvoice_report"] != ReportName {
		t.Errorf("metadata %v", m)
	}
	if _, err := os.Stat(filepath.Join(out, ReportName)); err != nil {
		t.Error(err)
	}
	// A second invoice XML, added as an incremental update with its own
	// xref section, makes the PDF ambiguous.
	second := corpusFile(t, "zugferd", "EN16931_Gutschrift.cii.xml")
	cl, out, err = classifyFile(t, "rechnung.pdf", appendEmbedded(pdf, second), mailroom.MediaPDF)
	if err != nil {
		t.Fatal(err)
	}
	if m := cl.Metadata; m["einvoice_validation"] != "invalid" || !strings.Contains(m["einvoice_rules_failed"], "PS-PDF-01") {
		t.Errorf("two embedded invoices: metadata %v", m)
	}
	if !strings.Contains(pdfText(t, filepath.Join(out, ReportName)), "PS-PDF-01") {
		t.Error("report lacks PS-PDF-01")
	}
}

// appendEmbedded adds an uncompressed EmbeddedFile stream to pdf as an
// incremental update (new object, xref section, trailer with /Prev).
func appendEmbedded(pdf, xml []byte) []byte {
	prev := bytes.LastIndex(pdf, []byte("startxref"))
	prevOff := strings.Fields(string(pdf[prev+len("startxref"):]))[0]
	var b bytes.Buffer
	b.Write(pdf)
	off := b.Len()
	fmt.Fprintf(&b, "\n9999 0 obj\n<< /Type /EmbeddedFile /Subtype /text#2Fxml /Length %d >>\nstream\n", len(xml))
	b.Write(xml)
	b.WriteString("\nendstream\nendobj\n")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n9999 1\n%010d 00000 n \ntrailer\n<< /Size 10000 /Prev %s >>\nstartxref\n%d\n%%%%EOF\n", off+1, prevOff, xref)
	return b.Bytes()
}

func TestClassifyMalformedEmbedded(t *testing.T) {
	pdf := corpusFile(t, "zugferd", "EN16931_Einfach.pdf")
	// Replace the only embedded invoice: keep the PDF, add a broken one and
	// check that a broken embedded invoice alone is reported.
	broken := []byte(`<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"><a>`)
	found := FindEmbeddedInvoices(appendEmbedded(pdf, broken))
	if len(found) != 2 || found[1].Invoice != nil || !errors.Is(found[1].Err, ErrMalformedInvoice) {
		t.Fatalf("found %d, second %+v", len(found), found[len(found)-1])
	}
}
