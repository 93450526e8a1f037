package einvoice

import (
	"regexp"
	"strings"
)

// XRechnung CIUS rules BR-DE-* (texts after the KoSIT XRechnung 3.0
// schematron, itplr-kosit/xrechnung-schematron). They apply to invoices
// whose specification identifier (BT-24) names XRechnung.

func init() {
	for _, r := range [][4]string{
		{"BR-DE-1", "F", "Eine Rechnung muss Angaben zu \"PAYMENT INSTRUCTIONS\" (BG-16) enthalten.", "An invoice must contain PAYMENT INSTRUCTIONS (BG-16)."},
		{"BR-DE-2", "F", "Die Gruppe \"SELLER CONTACT\" (BG-6) muss übermittelt werden.", "The group SELLER CONTACT (BG-6) must be given."},
		{"BR-DE-3", "F", "Das Element \"Seller city\" (BT-37) muss übermittelt werden.", "Seller city (BT-37) must be given."},
		{"BR-DE-4", "F", "Das Element \"Seller post code\" (BT-38) muss übermittelt werden.", "Seller post code (BT-38) must be given."},
		{"BR-DE-5", "F", "Das Element \"Seller contact point\" (BT-41) muss übermittelt werden.", "Seller contact point (BT-41) must be given."},
		{"BR-DE-6", "F", "Das Element \"Seller contact telephone number\" (BT-42) muss übermittelt werden.", "Seller contact telephone number (BT-42) must be given."},
		{"BR-DE-7", "F", "Das Element \"Seller contact email address\" (BT-43) muss übermittelt werden.", "Seller contact email address (BT-43) must be given."},
		{"BR-DE-8", "F", "Das Element \"Buyer city\" (BT-52) muss übermittelt werden.", "Buyer city (BT-52) must be given."},
		{"BR-DE-9", "F", "Das Element \"Buyer post code\" (BT-53) muss übermittelt werden.", "Buyer post code (BT-53) must be given."},
		{"BR-DE-10", "F", "Das Element \"Deliver to city\" (BT-77) muss übermittelt werden, wenn die Gruppe \"DELIVER TO ADDRESS\" (BG-15) übermittelt wird.", "Deliver to city (BT-77) must be given when DELIVER TO ADDRESS (BG-15) is given."},
		{"BR-DE-11", "F", "Das Element \"Deliver to post code\" (BT-78) muss übermittelt werden, wenn die Gruppe \"DELIVER TO ADDRESS\" (BG-15) übermittelt wird.", "Deliver to post code (BT-78) must be given when DELIVER TO ADDRESS (BG-15) is given."},
		{"BR-DE-14", "F", "Das Element \"VAT category rate\" (BT-119) muss übermittelt werden.", "VAT category rate (BT-119) must be given."},
		{"BR-DE-15", "F", "Das Element \"Buyer reference\" (BT-10) muss übermittelt werden.", "Buyer reference (BT-10) must be given."},
		{"BR-DE-16", "F", "Wenn in einer Rechnung die Steuercodes S, Z, E, AE, K, G, L oder M verwendet werden, muss mindestens eines der Elemente \"Seller VAT identifier\" (BT-31), \"Seller tax registration identifier\" (BT-32) oder \"SELLER TAX REPRESENTATIVE PARTY\" (BG-11) übermittelt werden.", "If the VAT codes S, Z, E, AE, K, G, L or M are used, the Seller VAT identifier (BT-31), the Seller tax registration identifier (BT-32) or the SELLER TAX REPRESENTATIVE PARTY (BG-11) must be given."},
		{"BR-DE-17", "W", "Mit dem Element \"Invoice type code\" (BT-3) sollen ausschließlich folgende Codes aus der Codeliste UNTDID 1001 übermittelt werden: 326, 380, 384, 389, 381, 875, 876, 877.", "Invoice type code (BT-3) should be one of 326, 380, 384, 389, 381, 875, 876, 877 of UNTDID 1001."},
		{"BR-DE-18", "F", "Skonto-Zeilen in den Zahlungsbedingungen (BT-20) müssen der Form #SKONTO#TAGE=n#PROZENT=n.nn# (optional #BASISBETRAG=n.nn#) entsprechen und mit einem Zeilenumbruch enden.", "Discount lines in the payment terms (BT-20) must have the form #SKONTO#TAGE=n#PROZENT=n.nn# (optionally #BASISBETRAG=n.nn#) and end with a line break."},
		{"BR-DE-18-a", "F", "BT-20 darf nicht mehrfach vorhanden sein.", "BT-20 must not occur more than once."},
		{"BR-DE-19", "W", "\"Payment account identifier\" (BT-84) soll eine korrekte IBAN enthalten, wenn in \"Payment means type code\" (BT-81) mit dem Code 58 SEPA als Zahlungsmittel gefordert wird.", "Payment account identifier (BT-84) should be a correct IBAN when the payment means (BT-81) is 58 (SEPA credit transfer)."},
		{"BR-DE-20", "W", "\"Debited account identifier\" (BT-91) soll eine korrekte IBAN enthalten, wenn in \"Payment means type code\" (BT-81) mit dem Code 59 SEPA als Zahlungsmittel gefordert wird.", "Debited account identifier (BT-91) should be a correct IBAN when the payment means (BT-81) is 59 (SEPA direct debit)."},
		{"BR-DE-21", "W", "Das Element \"Specification identifier\" (BT-24) soll syntaktisch der Kennung des Standards XRechnung entsprechen.", "Specification identifier (BT-24) should be the identifier of the XRechnung standard."},
		{"BR-DE-22", "F", "Das \"filename\"-Attribut aller \"EmbeddedDocumentBinaryObject\"-Elemente muss eindeutig sein.", "The filename attribute of all attached documents must be unique."},
		{"BR-DE-23-a", "F", "Wenn BT-81 \"Payment means type code\" einen Schlüssel für Überweisungen enthält (30, 58), muss BG-17 \"CREDIT TRANSFER\" übermittelt werden.", "If the payment means (BT-81) is a credit transfer (30, 58), CREDIT TRANSFER (BG-17) must be given."},
		{"BR-DE-23-b", "F", "Wenn BT-81 \"Payment means type code\" einen Schlüssel für Überweisungen enthält (30, 58), dürfen BG-18 und BG-19 nicht übermittelt werden.", "If the payment means (BT-81) is a credit transfer (30, 58), BG-18 and BG-19 must not be given."},
		{"BR-DE-24-a", "F", "Wenn BT-81 \"Payment means type code\" einen Schlüssel für Kartenzahlungen enthält (48, 54, 55), muss genau BG-18 \"PAYMENT CARD INFORMATION\" übermittelt werden.", "If the payment means (BT-81) is a card payment (48, 54, 55), PAYMENT CARD INFORMATION (BG-18) must be given."},
		{"BR-DE-24-b", "F", "Wenn BT-81 \"Payment means type code\" einen Schlüssel für Kartenzahlungen enthält (48, 54, 55), dürfen BG-17 und BG-19 nicht übermittelt werden.", "If the payment means (BT-81) is a card payment (48, 54, 55), BG-17 and BG-19 must not be given."},
		{"BR-DE-25-a", "F", "Wenn BT-81 \"Payment means type code\" einen Schlüssel für Lastschriften enthält (59), muss genau BG-19 \"DIRECT DEBIT\" übermittelt werden.", "If the payment means (BT-81) is a direct debit (59), DIRECT DEBIT (BG-19) must be given."},
		{"BR-DE-25-b", "F", "Wenn BT-81 \"Payment means type code\" einen Schlüssel für Lastschriften enthält (59), dürfen BG-17 und BG-18 nicht übermittelt werden.", "If the payment means (BT-81) is a direct debit (59), BG-17 and BG-18 must not be given."},
		{"BR-DE-26", "W", "Wenn im Element \"Invoice type code\" (BT-3) der Code 384 (Corrected invoice) übergeben wird, soll PRECEDING INVOICE REFERENCE BG-3 mind. einmal vorhanden sein.", "A corrected invoice (BT-3 = 384) should have a PRECEDING INVOICE REFERENCE (BG-3)."},
		{"BR-DE-27", "W", "In BT-42 sollen mindestens drei Ziffern enthalten sein.", "The seller contact telephone number (BT-42) should contain at least three digits."},
		{"BR-DE-28", "W", "In BT-43 soll genau ein @-Zeichen enthalten sein, welches nicht von einem Leerzeichen, einem Punkt, aber mindestens zwei Zeichen auf beiden Seiten flankiert werden soll. Ein Punkt sollte nicht am Anfang oder am Ende stehen.", "The seller contact email address (BT-43) should be a valid e-mail address."},
		{"BR-DE-29", "F", "Wenn \"DIRECT DEBIT\" BG-19 vorhanden ist, dann muss \"Mandate reference identifier\" BT-89 übermittelt werden.", "If DIRECT DEBIT (BG-19) is given, the Mandate reference identifier (BT-89) must be given."},
		{"BR-DE-30", "F", "Wenn \"DIRECT DEBIT\" BG-19 vorhanden ist, dann muss \"Bank assigned creditor identifier\" BT-90 übermittelt werden.", "If DIRECT DEBIT (BG-19) is given, the Bank assigned creditor identifier (BT-90) must be given."},
		{"BR-DE-31", "F", "Wenn \"DIRECT DEBIT\" BG-19 vorhanden ist, dann muss \"Debited account identifier\" BT-91 übermittelt werden.", "If DIRECT DEBIT (BG-19) is given, the Debited account identifier (BT-91) must be given."},
		{"BR-TMP-1", "W", "BG-30 LINE VAT INFORMATION darf je Rechnungsposition (BG-25) genau einmal vorkommen.", "BG-30 LINE VAT INFORMATION is allowed exactly once within BG-25 INVOICE LINE."},
		{"BR-TMP-2", "W", "BT-124 \"External document location\" muss eine absolute URL mit gültigem Schema enthalten.", "External document location (BT-124) must be an absolute URL with a valid scheme."},
	} {
		sev := Fatal
		if r[1] == "W" {
			sev = Warning
		}
		define(FamilyXRechnung, sev, r[0], r[2], r[3])
	}
}

var xrechnungChecks = []func(*vctx){checkDEParties, checkDETax, checkDEPayment, checkDEDocument}

var (
	reSkonto = regexp.MustCompile(`#(SKONTO)#TAGE=([0-9]+#PROZENT=[0-9]+\.[0-9]{2})(#BASISBETRAG=-?[0-9]+\.[0-9]{2})?#$`)
	reHashes = regexp.MustCompile(`#.+#`)
	reEmail  = regexp.MustCompile("^[a-zA-Z0-9!#$%&\"*+/=?^_`{|}~-]+(\\.[a-zA-Z0-9!#$%&\"*+/=?^_`{|}~-]+)*@([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?\\.)+[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$")
	reURL    = regexp.MustCompile(`([a-zA-Z])([a-zA-Z0-9+.-])+:.*`)
	reBreak  = regexp.MustCompile(`^\s*\n`)
)

const (
	xrCIUS      = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
	xrExtension = xrCIUS + "#conformant#urn:xeinkauf.de:kosit:extension:xrechnung_3.0"
)

func checkDEParties(v *vctx) {
	inv := v.inv
	s := inv.Seller
	v.check(s.Contact != nil, "BR-DE-2", "BG-6", "")
	if a := s.Address; a != nil {
		v.check(a.City != "", "BR-DE-3", "BT-37", "")
		v.check(a.Postcode != "", "BR-DE-4", "BT-38", "")
	}
	if c := s.Contact; c != nil {
		v.check(c.Name != "", "BR-DE-5", "BT-41", "")
		v.check(c.Phone != "", "BR-DE-6", "BT-42", "")
		v.check(c.Email != "", "BR-DE-7", "BT-43", "")
		v.check(countDigits(c.Phone) >= 3, "BR-DE-27", "BT-42", c.Phone)
		v.check(reEmail.MatchString(strings.Join(strings.Fields(c.Email), " ")), "BR-DE-28", "BT-43", c.Email)
	}
	if a := inv.Buyer.Address; a != nil {
		v.check(a.City != "", "BR-DE-8", "BT-52", "")
		v.check(a.Postcode != "", "BR-DE-9", "BT-53", "")
	}
	if d := inv.Delivery; d != nil && d.Address != nil {
		v.check(d.Address.City != "", "BR-DE-10", "BT-77", "")
		v.check(d.Address.Postcode != "", "BR-DE-11", "BT-78", "")
	}
}

func countDigits(s string) int {
	n := 0
	for _, c := range s {
		if c >= '0' && c <= '9' {
			n++
		}
	}
	return n
}

func checkDETax(v *vctx) {
	inv := v.inv
	for i, b := range inv.VAT {
		v.check(b.Cat.Rate != "", "BR-DE-14", nth("BG-23", i, "BT-119"), "")
	}
	taxed := false
	for _, u := range vatUses(inv) {
		switch u.cat.Code {
		case "S", "Z", "E", "AE", "K", "G", "L", "M":
			taxed = true
		}
	}
	if taxed {
		v.check(inv.Seller.VATID != "" || inv.Seller.TaxRegID != "" || inv.TaxRep != nil, "BR-DE-16", "BT-31 / BT-32 / BG-11", "")
	}
	if inv.Syntax == SyntaxCII {
		for i, l := range inv.Lines {
			v.check(l.VATCount == 1, "BR-TMP-1", lineRef(inv, i, "BG-30"), "")
		}
	}
}

func checkDEPayment(v *vctx) {
	inv := v.inv
	v.check(len(inv.PaymentMeans) > 0, "BR-DE-1", "BG-16", "")
	for i, pm := range inv.PaymentMeans {
		el := nth("BG-16", i, "BT-81")
		switch pm.Code {
		case "30", "58":
			v.check(pm.HasTransfer, "BR-DE-23-a", el, pm.Code)
			v.check(!pm.HasCard && !pm.HasMandate, "BR-DE-23-b", el, pm.Code)
			if pm.Code == "58" {
				acc := ""
				if len(pm.Accounts) > 0 {
					acc = pm.Accounts[0]
				}
				v.check(validIBAN(acc), "BR-DE-19", nth("BG-17", i, "BT-84"), acc)
			}
		case "48", "54", "55":
			v.check(pm.HasCard, "BR-DE-24-a", el, pm.Code)
			v.check(!pm.HasTransfer && !pm.HasMandate, "BR-DE-24-b", el, pm.Code)
		case "59":
			v.check(pm.HasMandate, "BR-DE-25-a", el, pm.Code)
			v.check(!pm.HasTransfer && !pm.HasCard, "BR-DE-25-b", el, pm.Code)
			v.check(validIBAN(pm.DebitedAccount), "BR-DE-20", nth("BG-19", i, "BT-91"), pm.DebitedAccount)
		}
	}
	checkDEMandate(v)
	if len(inv.PaymentTerms) > 0 {
		v.check(skontoOK(inv.PaymentTerms[0]), "BR-DE-18", "BT-20", firstLine(inv.PaymentTerms[0]))
	}
	if inv.Syntax == SyntaxCII {
		v.check(!inv.duplicateBT20, "BR-DE-18-a", "BT-20", "")
	}
}

func checkDEMandate(v *vctx) {
	inv := v.inv
	debit := ""
	mandate := false
	for _, pm := range inv.PaymentMeans {
		mandate = mandate || pm.HasMandate
		if debit == "" {
			debit = pm.DebitedAccount
		}
	}
	if inv.Syntax == SyntaxCII {
		// CII has no element for BG-19: it exists when one of its terms does.
		if inv.MandateRef == "" && inv.CreditorRef == "" && debit == "" {
			return
		}
		v.check(inv.MandateRef != "", "BR-DE-29", "BT-89", "")
	} else if !mandate {
		return
	}
	v.check(inv.CreditorRef != "", "BR-DE-30", "BT-90", "")
	v.check(debit != "", "BR-DE-31", "BT-91", "")
}

// skontoOK applies BR-DE-18 to the first payment terms text.
func skontoOK(terms string) bool {
	hasLine := false
	for _, line := range strings.Split(terms, "\n") {
		n := strings.Join(strings.Fields(line), " ")
		if !strings.HasPrefix(n, "#") {
			continue
		}
		hasLine = true
		if !reSkonto.MatchString(n) {
			return false
		}
	}
	if !hasLine {
		return true
	}
	ms := reHashes.FindAllStringIndex(terms, -1)
	rest := terms[ms[len(ms)-1][1]:]
	return reBreak.MatchString(rest)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

func checkDEDocument(v *vctx) {
	inv := v.inv
	v.check(inv.BuyerReference != "", "BR-DE-15", "BT-10", "")
	switch inv.TypeCode {
	case "326", "380", "384", "389", "381", "875", "876", "877":
	default:
		v.fail("BR-DE-17", "BT-3", inv.TypeCode)
	}
	v.check(inv.Profile == xrCIUS || inv.Profile == xrExtension, "BR-DE-21", "BT-24", inv.Profile)
	seen := map[string]bool{}
	for i, a := range inv.Attachments {
		if a.HasBinary && a.Filename != "" {
			v.check(!seen[a.Filename], "BR-DE-22", nth("BG-24", i, "BT-125"), a.Filename)
			seen[a.Filename] = true
		}
		if a.URI != "" {
			v.check(reURL.MatchString(a.URI), "BR-TMP-2", nth("BG-24", i, "BT-124"), a.URI)
		}
	}
	if inv.TypeCode == "384" {
		v.check(len(inv.Preceding) > 0, "BR-DE-26", "BG-3", "")
	}
}
