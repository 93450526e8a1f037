package einvoice

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"poststelle/mailroom/testcorpus"
)

// Seed corpora: testdata/fuzz/FuzzParse and testdata/fuzz/FuzzValidate
// (hand-written small invoices, broken and hostile shapes). Plain
// `go test` runs every seed; `go test -fuzz=FuzzParse` explores further.

// FuzzParse: the parser never panics, and every failure is either
// ErrNotInvoice or a BadInput with a German and English reason.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>1</ID></Invoice>`))
	f.Add([]byte(`<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		inv, err := Parse(b)
		switch {
		case err == nil:
			if inv == nil || inv.Syntax == "" {
				t.Fatalf("no invoice and no error")
			}
		case errors.Is(err, ErrNotInvoice):
		case errors.Is(err, ErrMalformedInvoice):
			if inv == nil || inv.Syntax == "" || !isBadInput(err) {
				t.Fatalf("malformed invoice without syntax or reason: %v", err)
			}
		default:
			if !isBadInput(err) {
				t.Fatalf("error is no BadInput: %v", err)
			}
		}
		for _, e := range FindEmbeddedInvoices(b) {
			if (e.Invoice == nil) == (e.Err == nil) {
				t.Fatalf("embedded: invoice %v, err %v", e.Invoice != nil, e.Err)
			}
		}
	})
}

// FuzzValidate: validation of any parsed invoice never panics, names only
// catalogued rules, is deterministic, and its verdict matches its findings.
func FuzzValidate(f *testing.F) {
	if dir := testcorpus.Find(); dir != "" {
		// Corpus seeds when the corpus is at hand; the testdata seeds always run.
		for _, name := range []string{"01.01a-INVOICE_ubl.xml", "01.01a-INVOICE_uncefact.xml", "01.04a-INVOICE_ubl.xml"} {
			if b, err := os.ReadFile(filepath.Join(dir, "einvoice", "xrechnung", name)); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		inv, err := Parse(b)
		if err != nil {
			return
		}
		r1, r2 := Validate(inv), Validate(inv)
		if !slices.Equal(r1.FailedIDs(), r2.FailedIDs()) || !slices.Equal(r1.WarnedIDs(), r2.WarnedIDs()) {
			t.Fatalf("not deterministic: %v / %v", r1.FailedIDs(), r2.FailedIDs())
		}
		if r1.Valid() != (len(r1.Failed) == 0) {
			t.Fatal("verdict does not match findings")
		}
		for _, fd := range append(r1.Failed, r1.Warned...) {
			if r, ok := catalogue[fd.Rule.ID]; !ok || r.Severity != fd.Rule.Severity {
				t.Fatalf("finding of unknown rule %+v", fd.Rule)
			}
		}
		meta := inv.Metadata()
		if meta["document_type"] == "" {
			t.Fatal("no document_type")
		}
	})
}

// TestFuzzSeedInvoicesValid: the hand-written seed invoices (a UBL
// XRechnung with a document level allowance and Skonto terms, a CII
// EN 16931 invoice exempt from VAT) are valid: the rules accept correct
// invoices that are not from the corpus.
func TestFuzzSeedInvoicesValid(t *testing.T) {
	for _, name := range []string{"ubl-small-invoice", "cii-small-exempt-invoice"} {
		raw, err := os.ReadFile(filepath.Join("testdata", "fuzz", "FuzzValidate", name))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitN(string(raw), "\n", 2)
		body := strings.TrimSuffix(strings.TrimSpace(lines[1]), ")")
		body = strings.TrimPrefix(body, "[]byte(")
		text, err := strconv.Unquote(body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		inv, err := Parse([]byte(text))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		res := Validate(inv)
		if !res.Valid() || len(res.Warned) > 0 {
			for _, f := range append(res.Failed, res.Warned...) {
				t.Errorf("%s: %s at %s (%q)", name, f.Rule.ID, f.Element, f.Value)
			}
		}
	}
}
