package einvoice_test

import (
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/classifiertest"
	"poststelle/mailroom/einvoice"
	"poststelle/mailroom/testcorpus"
)

func TestClassifierSuite(t *testing.T) {
	x := func(name string) string { return testcorpus.Path(t, "einvoice", "xrechnung", name) }
	classifiertest.Run(t, &einvoice.Classifier{}, []classifiertest.Case{
		{Name: "xrechnung-ubl", Path: x("01.01a-INVOICE_ubl.xml"), WantKeep: true, WantRendition: true,
			WantFlags: []string{mailroom.FlagEInvoice}, WantMeta: map[string]string{"invoice_number": "123456XX"}},
		{Name: "xrechnung-cii", Path: x("01.01a-INVOICE_uncefact.xml"), WantKeep: true, WantRendition: true,
			WantFlags: []string{mailroom.FlagEInvoice}, WantMeta: map[string]string{"invoice_number": "123456XX"}},
		{Name: "zugferd-pdf", Path: testcorpus.Path(t, "einvoice", "zugferd", "EN16931_Einfach.pdf"), WantKeep: true,
			WantFlags: []string{mailroom.FlagEInvoice}, WantMeta: map[string]string{"invoice_number": "471102", "einvoice_syntax": ""}},
	})
}
