package einvoice

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"poststelle/mailroom/testcorpus"
)

func loadExpected(t *testing.T, dir string) map[string]map[string]*string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "fields_expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]map[string]*string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// fieldMap maps fields_expected.json keys to metadata keys.
var fieldMap = map[string]string{
	"invoice_id": "invoice_number", "type_code": "invoice_type_code", "issue_date": "invoice_date",
	"seller": "seller", "buyer": "buyer", "buyer_reference": "buyer_reference", "grand_total": "total",
	"due_payable": "amount_due", "currency": "currency", "tax_basis_total": "tax_basis_total",
	"tax_total": "tax_total", "iban": "iban",
}

func checkFields(t *testing.T, name string, meta map[string]string, want map[string]*string) {
	t.Helper()
	if len(want) == 0 {
		t.Fatalf("%s: no expectations", name)
	}
	for k, v := range want {
		mk, ok := fieldMap[k]
		if !ok {
			t.Errorf("%s: expectation %q not mapped", name, k)
			continue
		}
		got, has := meta[mk]
		if v == nil {
			if has {
				t.Errorf("%s: %s = %q, want absent", name, mk, got)
			}
			continue
		}
		w := *v
		if k == "issue_date" {
			w = isoDate(w)
		}
		if got != w {
			t.Errorf("%s: %s = %q, want %q", name, mk, got, w)
		}
	}
}

func TestXRechnungCorpus(t *testing.T) {
	dir := testcorpus.Path(t, "einvoice", "xrechnung")
	want := loadExpected(t, dir)
	for name, exp := range want {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		inv, err := Parse(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		syn := SyntaxCII
		if strings.HasSuffix(name, "_ubl.xml") {
			syn = SyntaxUBL
		}
		if inv.Syntax != syn {
			t.Errorf("%s: syntax %s, want %s", name, inv.Syntax, syn)
		}
		checkFields(t, name, inv.Metadata(), exp)
	}
}

func TestZUGFeRDCorpus(t *testing.T) {
	dir := testcorpus.Path(t, "einvoice", "zugferd")
	want := loadExpected(t, dir)
	for name, exp := range want {
		pdf, err := os.ReadFile(filepath.Join(dir, name+".pdf"))
		if err != nil {
			t.Fatal(err)
		}
		emb, inv := FindEmbeddedInvoice(pdf)
		if inv == nil {
			t.Errorf("%s.pdf: no embedded invoice found", name)
			continue
		}
		wantName := "factur-x.xml"
		if strings.HasPrefix(name, "XRECHNUNG") {
			wantName = "xrechnung.xml"
		}
		if emb.Name != wantName {
			t.Errorf("%s: embedded name %q, want %q", name, emb.Name, wantName)
		}
		ref, err := os.ReadFile(filepath.Join(dir, name+".cii.xml"))
		if err != nil {
			t.Fatal(err)
		}
		refInv, err := Parse(ref)
		if err != nil {
			t.Fatalf("%s.cii.xml: %v", name, err)
		}
		checkFields(t, name+".cii.xml", refInv.Metadata(), exp)
		// Known corpus discrepancy: XRECHNUNG_Einfach.pdf embeds an older
		// revision of its XML (ZUGFeRD 2.2.0 sample, issue date 20180305),
		// while XRECHNUNG_Einfach.cii.xml and fields_expected.json are the
		// 2.3.0 sample (20241115). Checked by hand with zlib on the PDF's
		// only /Type /EmbeddedFile stream (object 26). The PDF is judged
		// by what it really embeds for that one field.
		if name == "XRECHNUNG_Einfach" {
			embedded := "20180305"
			exp = copyExp(exp)
			exp["issue_date"] = &embedded
		}
		checkFields(t, name, inv.Metadata(), exp)
	}
}

func TestNotInvoice(t *testing.T) {
	for _, in := range []string{`<?xml version="1.0"?><foo/>`, `<Invoice xmlns="urn:other"/>`} {
		if _, err := Parse([]byte(in)); err != ErrNotInvoice {
			t.Errorf("%s: err %v, want ErrNotInvoice", in, err)
		}
	}
	if _, err := Parse([]byte(`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>1</`)); err == nil || err == ErrNotInvoice {
		t.Errorf("malformed XML: err %v, want syntax error", err)
	}
}

func copyExp(m map[string]*string) map[string]*string {
	c := map[string]*string{}
	for k, v := range m {
		c[k] = v
	}
	return c
}
