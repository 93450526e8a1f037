package einvoice

import (
	"fmt"
	"strings"
)

// EN 16931-1 code list rules BR-CL-*.

// icdCodes is ISO/IEC 6523 ICD 0001 … 0230 without the codes the list
// leaves out (0092, 0103, 0181, 0182), as in the KoSIT 3.0 configuration.
var icdCodes = func() map[string]bool {
	m := map[string]bool{}
	for i := 1; i <= 230; i++ {
		if i != 92 && i != 103 && i != 181 && i != 182 {
			m[fmt.Sprintf("%04d", i)] = true
		}
	}
	return m
}()

// vatPrefixes are the allowed first two characters of VAT identifiers
// (BR-CO-09): ISO 3166-1 alpha-2, EL for Greece, XI and 1A as in the CEN list.
var vatPrefixes = func() map[string]bool {
	m := map[string]bool{"EL": true, "XI": true, "1A": true}
	for c := range countryCodes {
		m[c] = true
	}
	return m
}()

func init() {
	for _, r := range [][3]string{
		{"BR-CL-01", "Der Rechnungstyp-Code (BT-3) muss aus den Rechnungs- und Gutschriftcodes der UNTDID 1001 stammen.", "The document type code MUST be coded by the invoice and credit note related code lists of UNTDID 1001."},
		{"BR-CL-03", "Die Währung jedes Betrags (currencyID) muss nach ISO 4217 alpha-3 codiert sein.", "currencyID MUST be coded using ISO code list 4217 alpha-3."},
		{"BR-CL-04", "Der Rechnungswährungscode (BT-5) muss nach ISO 4217 alpha-3 codiert sein.", "Invoice currency code MUST be coded using ISO code list 4217 alpha-3."},
		{"BR-CL-05", "Der Steuerwährungscode (BT-6) muss nach ISO 4217 alpha-3 codiert sein.", "Tax currency code MUST be coded using ISO code list 4217 alpha-3."},
		{"BR-CL-06", "Der Code des Steuerzeitpunkts (BT-8) muss aus der zulässigen Teilmenge der UNTDID 2005 (UBL) bzw. 2475 (CII) stammen.", "Value added tax point date code MUST be coded using a restriction of UNTDID 2005."},
		{"BR-CL-08", "Der Betreff-Code einer Bemerkung (BT-21) muss aus UNTDID 4451 stammen.", "Invoiced note subject code SHOULD be coded using UNCL4451."},
		{"BR-CL-10", "Die Schemakennung einer Kennung muss aus der ISO/IEC 6523 ICD-Liste stammen.", "Any identifier identification scheme identifier MUST be coded using one of the ISO 6523 ICD list."},
		{"BR-CL-11", "Die Schemakennung einer Registernummer muss aus der ISO/IEC 6523 ICD-Liste stammen.", "Any registration identifier identification scheme identifier MUST be coded using one of the ISO 6523 ICD list."},
		{"BR-CL-13", "Die Schemakennung der Artikelklassifikation (BT-158) muss aus UNTDID 7143 stammen.", "Item classification identifier identification scheme identifier MUST be coded using one of the UNTDID 7143 list."},
		{"BR-CL-14", "Ländercodes müssen nach ISO 3166-1 codiert sein.", "Country codes in an invoice MUST be coded using ISO code list 3166-1."},
		{"BR-CL-15", "Der Ursprungsland-Code (BT-159) muss nach ISO 3166-1 codiert sein.", "Country codes in an invoice MUST be coded using ISO code list 3166-1."},
		{"BR-CL-16", "Der Zahlungsmittel-Code (BT-81) muss aus UNTDID 4461 stammen.", "Payment means in an invoice MUST be coded using UNCL4461 code list."},
		{"BR-CL-17", "Umsatzsteuer-Kategoriecodes (BT-95, BT-102, BT-118) müssen aus UNTDID 5305 stammen.", "Invoice tax categories MUST be coded using UNCL5305 code list."},
		{"BR-CL-18", "Umsatzsteuer-Kategoriecodes der Positionen (BT-151) müssen aus UNTDID 5305 stammen.", "Invoice tax categories MUST be coded using UNCL5305 code list."},
		{"BR-CL-19", "Codes für Nachlassgründe müssen aus UNTDID 5189 stammen.", "Coded allowance reasons MUST belong to the UNCL 5189 code list."},
		{"BR-CL-20", "Codes für Zuschlagsgründe müssen aus UNTDID 7161 stammen.", "Coded charge reasons MUST belong to the UNCL 7161 code list."},
		{"BR-CL-21", "Die Schemakennung der Artikelkennung (BT-157) muss aus der ISO/IEC 6523 ICD-Liste stammen.", "Item standard identifier scheme identifier MUST belong to the ISO 6523 ICD code list."},
		{"BR-CL-22", "Der Code des Befreiungsgrunds (BT-121) muss aus der CEF-VATEX-Liste stammen.", "Tax exemption reason code identifier scheme identifier MUST belong to the CEF VATEX code list."},
		{"BR-CL-23", "Mengeneinheiten müssen nach UN/ECE Empfehlung 20 mit Erweiterung 21 codiert sein.", "Unit code MUST be coded according to the UN/ECE Recommendation 20 with Rec 21 extension."},
		{"BR-CL-24", "Der MIME-Code einer Anlage muss einer der zulässigen Typen sein (PDF, PNG, JPEG, CSV, XLSX, ODS).", "For Mime code in attribute use MIMEMediaType."},
		{"BR-CL-25", "Die Schemakennung einer elektronischen Adresse muss aus der CEF-EAS-Liste stammen.", "Endpoint identifier scheme identifier MUST belong to the CEF EAS code list."},
		{"BR-CL-26", "Die Schemakennung der Lieferortkennung (BT-71) muss aus der ISO/IEC 6523 ICD-Liste stammen.", "Delivery location identifier scheme identifier MUST belong to the ISO 6523 ICD code list."},
	} {
		define(FamilyCodes, Fatal, r[0], r[1], r[2])
	}
	checks = append(checks, checkHeaderCodes, checkPartyCodes, checkTaxCodes, checkLineCodes)
}

func inList(list map[string]bool, id, element, value string, v *vctx) {
	if value != "" {
		v.check(list[value], id, element, value)
	}
}

func checkHeaderCodes(v *vctx) {
	inv := v.inv
	inList(invoiceTypeCodes, "BR-CL-01", "BT-3", inv.TypeCode, v)
	for _, c := range inv.currencies {
		v.check(currencyCodes[c], "BR-CL-03", "currencyID", c)
	}
	inList(currencyCodes, "BR-CL-04", "BT-5", inv.Currency, v)
	inList(currencyCodes, "BR-CL-05", "BT-6", inv.TaxCurrency, v)
	if c := inv.TaxPointCode; c != "" {
		ok := c == "3" || c == "35" || c == "432"
		if inv.Syntax == SyntaxCII {
			ok = c == "5" || c == "29" || c == "72"
		}
		v.check(ok, "BR-CL-06", "BT-8", c)
	}
	for i, s := range inv.NoteSubjects {
		inList(noteSubjectCodes, "BR-CL-08", nth("BG-1", i, "BT-21"), s, v)
	}
	for i, pm := range inv.PaymentMeans {
		inList(paymentMeansCodes, "BR-CL-16", nth("BG-16", i, "BT-81"), pm.Code, v)
	}
	for i, a := range inv.Attachments {
		if a.HasBinary && a.MimeCode != "" {
			v.check(mimeCodes[a.MimeCode], "BR-CL-24", nth("BG-24", i, "BT-125"), a.MimeCode)
		}
	}
}

func checkPartyCodes(v *vctx) {
	inv := v.inv
	type party struct {
		p    *Party
		name string
		sepa bool
	}
	parties := []party{{&inv.Seller, "BG-4", true}, {&inv.Buyer, "BG-7", false}, {inv.Payee, "BG-10", true}, {inv.TaxRep, "BG-11", false}}
	for _, x := range parties {
		if x.p == nil {
			continue
		}
		for _, id := range x.p.IDs {
			if id.Scheme != "" {
				v.check(icdCodes[id.Scheme] || (x.sepa && id.Scheme == "SEPA"), "BR-CL-10", x.name+" / BT-29/46/60", id.Scheme)
			}
		}
		inList(icdCodes, "BR-CL-11", x.name+" / BT-30/47/61", x.p.LegalID.Scheme, v)
		if x.p.Endpoint != nil {
			inList(easCodes, "BR-CL-25", x.name+" / BT-34/49", x.p.Endpoint.Scheme, v)
		}
		if x.p.Address != nil {
			inList(countryCodes, "BR-CL-14", x.name+" / BT-40/55/69", x.p.Address.Country, v)
		}
	}
	if d := inv.Delivery; d != nil {
		if d.Address != nil {
			inList(countryCodes, "BR-CL-14", "BG-15 / BT-80", d.Address.Country, v)
		}
		if d.Location != nil {
			inList(icdCodes, "BR-CL-26", "BT-71", d.Location.Scheme, v)
		}
	}
}

func checkTaxCodes(v *vctx) {
	inv := v.inv
	for i, b := range inv.VAT {
		if b.Cat.Present {
			v.check(vatCategoryCodes[b.Cat.Code], "BR-CL-17", nth("BG-23", i, "BT-118"), b.Cat.Code)
		}
		if b.ExemptionCode != "" {
			v.check(vatexCodes[strings.ToUpper(b.ExemptionCode)], "BR-CL-22", nth("BG-23", i, "BT-121"), b.ExemptionCode)
		}
	}
	for i, a := range inv.Allowances {
		if a.VAT.Present {
			v.check(vatCategoryCodes[a.VAT.Code], "BR-CL-17", nth("BG-20/21", i, "BT-95/102"), a.VAT.Code)
		}
		checkReasonCode(v, a, nth("BG-20/21", i, "BT-98/105"))
	}
}

func checkReasonCode(v *vctx, a AllowanceCharge, element string) {
	if a.ReasonCode == "" {
		return
	}
	if a.Charge {
		v.check(chargeReasonCodes[a.ReasonCode], "BR-CL-20", element, a.ReasonCode)
	} else {
		v.check(allowanceReasonCodes[a.ReasonCode], "BR-CL-19", element, a.ReasonCode)
	}
}

func checkLineCodes(v *vctx) {
	inv := v.inv
	for i, l := range inv.Lines {
		ref := func(bt string) string { return lineRef(inv, i, bt) }
		if l.VAT.Present {
			v.check(vatCategoryCodes[l.VAT.Code], "BR-CL-18", ref("BT-151"), l.VAT.Code)
		}
		if l.HasUnit {
			v.check(unitCodes[l.Unit], "BR-CL-23", ref("BT-130"), l.Unit)
		}
		inList(unitCodes, "BR-CL-23", ref("BT-150"), l.BaseUnit, v)
		inList(countryCodes, "BR-CL-15", ref("BT-159"), l.Origin, v)
		for _, id := range l.StandardIDs {
			inList(icdCodes, "BR-CL-21", ref("BT-157"), id.Scheme, v)
		}
		for _, c := range l.Classification {
			inList(itemClassificationSchemes, "BR-CL-13", ref("BT-158"), c.Scheme, v)
		}
		for _, a := range l.Allowances {
			checkReasonCode(v, a, ref("BT-140/145"))
		}
	}
}
