package einvoice

// EN 16931-1 core business rules BR-01 … BR-65 (texts after the CEN
// validation artefacts, ConnectingEurope/eInvoicing-EN16931).

func init() {
	for _, r := range [][3]string{
		{"BR-01", "Eine Rechnung muss eine Spezifikationskennung (BT-24) enthalten.", "An Invoice shall have a Specification identifier (BT-24)."},
		{"BR-02", "Eine Rechnung muss eine Rechnungsnummer (BT-1) enthalten.", "An Invoice shall have an Invoice number (BT-1)."},
		{"BR-03", "Eine Rechnung muss ein Rechnungsdatum (BT-2) enthalten.", "An Invoice shall have an Invoice issue date (BT-2)."},
		{"BR-04", "Eine Rechnung muss einen Rechnungstyp-Code (BT-3) enthalten.", "An Invoice shall have an Invoice type code (BT-3)."},
		{"BR-05", "Eine Rechnung muss einen Währungscode (BT-5) enthalten.", "An Invoice shall have an Invoice currency code (BT-5)."},
		{"BR-06", "Eine Rechnung muss den Namen des Verkäufers (BT-27) enthalten.", "An Invoice shall contain the Seller name (BT-27)."},
		{"BR-07", "Eine Rechnung muss den Namen des Erwerbers (BT-44) enthalten.", "An Invoice shall contain the Buyer name (BT-44)."},
		{"BR-08", "Eine Rechnung muss die Postanschrift des Verkäufers (BG-5) enthalten.", "An Invoice shall contain the Seller postal address (BG-5)."},
		{"BR-09", "Die Postanschrift des Verkäufers (BG-5) muss einen Ländercode (BT-40) enthalten.", "The Seller postal address (BG-5) shall contain a Seller country code (BT-40)."},
		{"BR-10", "Eine Rechnung muss die Postanschrift des Erwerbers (BG-8) enthalten.", "An Invoice shall contain the Buyer postal address (BG-8)."},
		{"BR-11", "Die Postanschrift des Erwerbers (BG-8) muss einen Ländercode (BT-55) enthalten.", "The Buyer postal address shall contain a Buyer country code (BT-55)."},
		{"BR-12", "Eine Rechnung muss die Summe der Nettobeträge der Positionen (BT-106) enthalten.", "An Invoice shall have the Sum of Invoice line net amount (BT-106)."},
		{"BR-13", "Eine Rechnung muss den Gesamtbetrag ohne Umsatzsteuer (BT-109) enthalten.", "An Invoice shall have the Invoice total amount without VAT (BT-109)."},
		{"BR-14", "Eine Rechnung muss den Gesamtbetrag einschließlich Umsatzsteuer (BT-112) enthalten.", "An Invoice shall have the Invoice total amount with VAT (BT-112)."},
		{"BR-15", "Eine Rechnung muss den fälligen Zahlungsbetrag (BT-115) enthalten.", "An Invoice shall have the Amount due for payment (BT-115)."},
		{"BR-16", "Eine Rechnung muss mindestens eine Rechnungsposition (BG-25) enthalten.", "An Invoice shall have at least one Invoice line (BG-25)."},
		{"BR-17", "Der Name des Zahlungsempfängers (BT-59) muss angegeben sein, wenn der Zahlungsempfänger (BG-10) nicht der Verkäufer ist.", "The Payee name (BT-59) shall be provided in the Invoice, if the Payee (BG-10) is different from the Seller (BG-4)."},
		{"BR-18", "Der Name des Steuervertreters (BT-62) muss angegeben sein, wenn der Verkäufer einen Steuervertreter (BG-11) hat.", "The Seller tax representative name (BT-62) shall be provided in the Invoice, if the Seller (BG-4) has a Seller tax representative party (BG-11)."},
		{"BR-19", "Die Postanschrift des Steuervertreters (BG-12) muss angegeben sein, wenn der Verkäufer einen Steuervertreter (BG-11) hat.", "The Seller tax representative postal address (BG-12) shall be provided in the Invoice, if the Seller (BG-4) has a Seller tax representative party (BG-11)."},
		{"BR-20", "Die Postanschrift des Steuervertreters (BG-12) muss einen Ländercode (BT-69) enthalten.", "The Seller tax representative postal address (BG-12) shall contain a Tax representative country code (BT-69), if the Seller (BG-4) has a Seller tax representative party (BG-11)."},
		{"BR-21", "Jede Rechnungsposition (BG-25) muss eine Positionskennung (BT-126) haben.", "Each Invoice line (BG-25) shall have an Invoice line identifier (BT-126)."},
		{"BR-22", "Jede Rechnungsposition (BG-25) muss eine Menge (BT-129) haben.", "Each Invoice line (BG-25) shall have an Invoiced quantity (BT-129)."},
		{"BR-23", "Jede Rechnungsposition (BG-25) muss eine Mengeneinheit (BT-130) haben.", "An Invoice line (BG-25) shall have an Invoiced quantity unit of measure code (BT-130)."},
		{"BR-24", "Jede Rechnungsposition (BG-25) muss einen Nettobetrag (BT-131) haben.", "Each Invoice line (BG-25) shall have an Invoice line net amount (BT-131)."},
		{"BR-25", "Jede Rechnungsposition (BG-25) muss den Artikelnamen (BT-153) enthalten.", "Each Invoice line (BG-25) shall contain the Item name (BT-153)."},
		{"BR-26", "Jede Rechnungsposition (BG-25) muss den Nettopreis (BT-146) enthalten.", "Each Invoice line (BG-25) shall contain the Item net price (BT-146)."},
		{"BR-27", "Der Nettopreis (BT-146) darf nicht negativ sein.", "The Item net price (BT-146) shall NOT be negative."},
		{"BR-28", "Der Bruttopreis (BT-148) darf nicht negativ sein.", "The Item gross price (BT-148) shall NOT be negative."},
		{"BR-29", "Das Ende des Abrechnungszeitraums (BT-74) darf nicht vor dessen Beginn (BT-73) liegen.", "If both Invoicing period start date (BT-73) and Invoicing period end date (BT-74) are given then the Invoicing period end date (BT-74) shall be later or equal to the Invoicing period start date (BT-73)."},
		{"BR-30", "Das Ende des Abrechnungszeitraums der Position (BT-135) darf nicht vor dessen Beginn (BT-134) liegen.", "If both Invoice line period start date (BT-134) and Invoice line period end date (BT-135) are given then the Invoice line period end date (BT-135) shall be later or equal to the Invoice line period start date (BT-134)."},
		{"BR-31", "Jeder Nachlass auf Dokumentenebene (BG-20) muss einen Betrag (BT-92) haben.", "Each Document level allowance (BG-20) shall have a Document level allowance amount (BT-92)."},
		{"BR-32", "Jeder Nachlass auf Dokumentenebene (BG-20) muss einen Umsatzsteuer-Kategoriecode (BT-95) haben.", "Each Document level allowance (BG-20) shall have a Document level allowance VAT category code (BT-95)."},
		{"BR-33", "Jeder Nachlass auf Dokumentenebene (BG-20) muss einen Grund (BT-97) oder Grund-Code (BT-98) haben.", "Each Document level allowance (BG-20) shall have a Document level allowance reason (BT-97) or a Document level allowance reason code (BT-98)."},
		{"BR-36", "Jeder Zuschlag auf Dokumentenebene (BG-21) muss einen Betrag (BT-99) haben.", "Each Document level charge (BG-21) shall have a Document level charge amount (BT-99)."},
		{"BR-37", "Jeder Zuschlag auf Dokumentenebene (BG-21) muss einen Umsatzsteuer-Kategoriecode (BT-102) haben.", "Each Document level charge (BG-21) shall have a Document level charge VAT category code (BT-102)."},
		{"BR-38", "Jeder Zuschlag auf Dokumentenebene (BG-21) muss einen Grund (BT-104) oder Grund-Code (BT-105) haben.", "Each Document level charge (BG-21) shall have a Document level charge reason (BT-104) or a Document level charge reason code (BT-105)."},
		{"BR-41", "Jeder Nachlass auf Positionsebene (BG-27) muss einen Betrag (BT-136) haben.", "Each Invoice line allowance (BG-27) shall have an Invoice line allowance amount (BT-136)."},
		{"BR-42", "Jeder Nachlass auf Positionsebene (BG-27) muss einen Grund (BT-139) oder Grund-Code (BT-140) haben.", "Each Invoice line allowance (BG-27) shall have an Invoice line allowance reason (BT-139) or an Invoice line allowance reason code (BT-140)."},
		{"BR-43", "Jeder Zuschlag auf Positionsebene (BG-28) muss einen Betrag (BT-141) haben.", "Each Invoice line charge (BG-28) shall have an Invoice line charge amount (BT-141)."},
		{"BR-44", "Jeder Zuschlag auf Positionsebene (BG-28) muss einen Grund (BT-144) oder Grund-Code (BT-145) haben.", "Each Invoice line charge shall have an Invoice line charge reason or an invoice line allowance reason code."},
		{"BR-45", "Jede Umsatzsteueraufschlüsselung (BG-23) muss einen Steuerbasisbetrag (BT-116) haben.", "Each VAT breakdown (BG-23) shall have a VAT category taxable amount (BT-116)."},
		{"BR-46", "Jede Umsatzsteueraufschlüsselung (BG-23) muss einen Steuerbetrag (BT-117) haben.", "Each VAT breakdown (BG-23) shall have a VAT category tax amount (BT-117)."},
		{"BR-47", "Jede Umsatzsteueraufschlüsselung (BG-23) muss über einen Umsatzsteuer-Kategoriecode (BT-118) bestimmt sein.", "Each VAT breakdown (BG-23) shall be defined through a VAT category code (BT-118)."},
		{"BR-48", "Jede Umsatzsteueraufschlüsselung (BG-23) muss einen Steuersatz (BT-119) haben, außer die Rechnung ist nicht steuerbar.", "Each VAT breakdown (BG-23) shall have a VAT category rate (BT-119), except if the Invoice is not subject to VAT."},
		{"BR-49", "Eine Zahlungsanweisung (BG-16) muss den Code des Zahlungsmittels (BT-81) angeben.", "A Payment instruction (BG-16) shall specify the Payment means type code (BT-81)."},
		{"BR-50", "Bei Überweisung (BG-17) muss die Kontokennung (BT-84) angegeben sein.", "A Payment account identifier (BT-84) shall be present if Credit transfer (BG-17) information is provided in the Invoice."},
		{"BR-51", "Bei Kartenzahlung (BG-18) müssen die letzten 4 bis 6 Ziffern der Kartennummer (BT-87) angegeben sein.", "The last 4 to 6 digits of the Payment card primary account number (BT-87) shall be present if Payment card information (BG-18) is provided in the Invoice."},
		{"BR-52", "Jedes rechnungsbegründende Dokument (BG-24) muss eine Kennung (BT-122) haben.", "Each Additional supporting document (BG-24) shall contain a Supporting document reference (BT-122)."},
		{"BR-53", "Ist ein Steuerwährungscode (BT-6) angegeben, muss der Umsatzsteuergesamtbetrag in dieser Währung (BT-111) angegeben sein.", "If the VAT accounting currency code (BT-6) is present, then the Invoice total VAT amount in accounting currency (BT-111) shall be provided."},
		{"BR-54", "Jedes Artikelattribut (BG-32) muss einen Namen (BT-160) und einen Wert (BT-161) haben.", "Each Item attribute (BG-32) shall contain an Item attribute name (BT-160) and an Item attribute value (BT-161)."},
		{"BR-55", "Jeder Verweis auf eine vorausgegangene Rechnung (BG-3) muss deren Nummer (BT-25) enthalten.", "Each Preceding Invoice reference (BG-3) shall contain a Preceding Invoice reference (BT-25)."},
		{"BR-56", "Jeder Steuervertreter (BG-11) muss eine Umsatzsteuer-Identifikationsnummer (BT-63) haben.", "Each Seller tax representative party (BG-11) shall have a Seller tax representative VAT identifier (BT-63)."},
		{"BR-57", "Jede Lieferanschrift (BG-15) muss einen Ländercode (BT-80) enthalten.", "Each Deliver to address (BG-15) shall contain a Deliver to country code (BT-80)."},
		{"BR-61", "Bei SEPA-Überweisung, lokaler oder internationaler Überweisung muss die Kontokennung (BT-84) angegeben sein.", "If the Payment means type code (BT-81) means SEPA credit transfer, Local credit transfer or Non-SEPA international credit transfer, the Payment account identifier (BT-84) shall be present."},
		{"BR-62", "Die elektronische Adresse des Verkäufers (BT-34) muss eine Schemakennung haben.", "The Seller electronic address (BT-34) shall have a Scheme identifier."},
		{"BR-63", "Die elektronische Adresse des Erwerbers (BT-49) muss eine Schemakennung haben.", "The Buyer electronic address (BT-49) shall have a Scheme identifier."},
		{"BR-64", "Die Artikelkennung nach Standard (BT-157) muss eine Schemakennung haben.", "The Item standard identifier (BT-157) shall have a Scheme identifier."},
		{"BR-65", "Die Artikelklassifikation (BT-158) muss eine Schemakennung haben.", "The Item classification identifier (BT-158) shall have a Scheme identifier."},
	} {
		define(FamilyCore, Fatal, r[0], r[1], r[2])
	}
	checks = append(checks, checkHeader, checkParties, checkLines, checkAllowances, checkBreakdownCore, checkPayment, checkReferences)
}

func checkHeader(v *vctx) {
	inv := v.inv
	v.check(inv.Profile != "", "BR-01", "BT-24", "")
	v.check(inv.Number != "", "BR-02", "BT-1", "")
	v.check(inv.DateRaw != "" && (inv.Syntax != SyntaxCII || inv.DateFormat == "102"), "BR-03", "BT-2", inv.DateRaw)
	v.check(inv.TypeCode != "", "BR-04", "BT-3", "")
	v.check(inv.Currency != "", "BR-05", "BT-5", "")
	t := inv.Totals
	v.check(t.LineNet != "", "BR-12", "BT-106", "")
	v.check(t.TaxExclusive != "", "BR-13", "BT-109", "")
	v.check(t.TaxInclusive != "", "BR-14", "BT-112", "")
	v.check(t.Payable != "", "BR-15", "BT-115", "")
	v.check(len(inv.Lines) > 0, "BR-16", "BG-25", "")
	if inv.TaxCurrency != "" && inv.TaxCurrency != inv.Currency {
		_, ok := inv.taxIn(inv.TaxCurrency)
		v.check(ok, "BR-53", "BT-111", inv.TaxCurrency)
	}
	if p := inv.Period; p != nil {
		v.check(p.Start == "" || p.End == "" || p.End >= p.Start, "BR-29", "BG-14 / BT-74", p.End)
	}
}

func checkParties(v *vctx) {
	inv := v.inv
	v.check(inv.Seller.Name != "", "BR-06", "BT-27", "")
	v.check(inv.Buyer.Name != "", "BR-07", "BT-44", "")
	v.check(inv.Seller.Address != nil, "BR-08", "BG-5", "")
	if a := inv.Seller.Address; a != nil {
		v.check(a.Country != "", "BR-09", "BT-40", "")
	}
	v.check(inv.Buyer.Address != nil, "BR-10", "BG-8", "")
	if a := inv.Buyer.Address; a != nil {
		v.check(a.Country != "", "BR-11", "BT-55", "")
	}
	if p := inv.Payee; p != nil {
		v.check(p.displayName() != "", "BR-17", "BT-59", "")
	}
	if p := inv.TaxRep; p != nil {
		v.check(p.displayName() != "", "BR-18", "BT-62", "")
		v.check(p.Address != nil, "BR-19", "BG-12", "")
		if p.Address != nil {
			v.check(p.Address.Country != "", "BR-20", "BT-69", "")
		}
		v.check(p.VATID != "", "BR-56", "BT-63", "")
	}
	if d := inv.Delivery; d != nil && d.Address != nil {
		v.check(d.Address.Country != "", "BR-57", "BT-80", "")
	}
	if e := inv.Seller.Endpoint; e != nil {
		v.check(e.Scheme != "", "BR-62", "BT-34", e.Value)
	}
	if e := inv.Buyer.Endpoint; e != nil {
		v.check(e.Scheme != "", "BR-63", "BT-49", e.Value)
	}
}

func checkLines(v *vctx) {
	inv := v.inv
	for i, l := range inv.Lines {
		ref := func(bt string) string { return lineRef(inv, i, bt) }
		v.check(l.ID != "", "BR-21", ref("BT-126"), "")
		v.check(l.Quantity != "", "BR-22", ref("BT-129"), "")
		v.check(l.HasUnit, "BR-23", ref("BT-130"), "")
		v.check(l.NetAmount != "", "BR-24", ref("BT-131"), "")
		v.check(l.Name != "", "BR-25", ref("BT-153"), "")
		v.check(l.NetPrice != "", "BR-26", ref("BT-146"), "")
		if p, ok := dec(l.NetPrice); ok {
			v.check(p.Sign() >= 0, "BR-27", ref("BT-146"), l.NetPrice)
		}
		if p, ok := dec(l.GrossPrice); ok {
			v.check(p.Sign() >= 0, "BR-28", ref("BT-148"), l.GrossPrice)
		}
		if p := l.Period; p != nil {
			v.check(p.Start == "" || p.End == "" || p.End >= p.Start, "BR-30", ref("BT-135"), p.End)
		}
		for _, a := range l.Attributes {
			v.check(a.HasName && a.HasValue, "BR-54", ref("BG-32"), a.Name)
		}
		for _, id := range l.StandardIDs {
			v.check(id.Scheme != "", "BR-64", ref("BT-157"), id.Value)
		}
		for _, c := range l.Classification {
			v.check(c.Scheme != "", "BR-65", ref("BT-158"), c.Value)
		}
		for _, ac := range l.Allowances {
			if ac.Charge {
				v.check(ac.Amount != "", "BR-43", ref("BG-28 / BT-141"), "")
				v.check(ac.Reason != "" || ac.ReasonCode != "", "BR-44", ref("BG-28 / BT-144"), "")
			} else {
				v.check(ac.Amount != "", "BR-41", ref("BG-27 / BT-136"), "")
				v.check(ac.Reason != "" || ac.ReasonCode != "", "BR-42", ref("BG-27 / BT-139"), "")
			}
		}
	}
}

func checkAllowances(v *vctx) {
	for i, ac := range v.inv.Allowances {
		vatOK := ac.VAT.isVAT() && ac.VAT.Code != ""
		if ac.Charge {
			v.check(ac.Amount != "", "BR-36", nth("BG-21", i, "BT-99"), "")
			v.check(vatOK, "BR-37", nth("BG-21", i, "BT-102"), ac.VAT.Code)
			v.check(ac.Reason != "" || ac.ReasonCode != "", "BR-38", nth("BG-21", i, "BT-104"), "")
		} else {
			v.check(ac.Amount != "", "BR-31", nth("BG-20", i, "BT-92"), "")
			v.check(vatOK, "BR-32", nth("BG-20", i, "BT-95"), ac.VAT.Code)
			v.check(ac.Reason != "" || ac.ReasonCode != "", "BR-33", nth("BG-20", i, "BT-97"), "")
		}
	}
}

func checkBreakdownCore(v *vctx) {
	for i, b := range v.inv.VAT {
		v.check(b.Taxable != "", "BR-45", nth("BG-23", i, "BT-116"), "")
		v.check(b.Tax != "", "BR-46", nth("BG-23", i, "BT-117"), "")
		v.check(b.Cat.isVAT() && b.Cat.Code != "", "BR-47", nth("BG-23", i, "BT-118"), b.Cat.Code)
		v.check(b.Cat.Rate != "" || b.Cat.Code == "O", "BR-48", nth("BG-23", i, "BT-119"), b.Cat.Code)
	}
}

func checkPayment(v *vctx) {
	inv := v.inv
	for i, pm := range inv.PaymentMeans {
		v.check(pm.Code != "", "BR-49", nth("BG-16", i, "BT-81"), "")
		hasAccount := false
		for _, a := range pm.Accounts {
			hasAccount = hasAccount || a != ""
			if pm.Code == "30" || pm.Code == "58" {
				v.check(a != "", "BR-50", nth("BG-17", i, "BT-84"), "")
			}
		}
		if pm.Code == "30" || pm.Code == "58" {
			v.check(hasAccount, "BR-61", nth("BG-16", i, "BT-84"), pm.Code)
		}
		if pm.HasCard {
			n := len([]rune(pm.CardPAN))
			ok := n >= 4 && n <= 6
			if inv.Syntax == SyntaxCII {
				ok = n <= 10 // the CEN CII binding allows up to 10 characters
			}
			v.check(ok, "BR-51", nth("BG-18", i, "BT-87"), pm.CardPAN)
		}
	}
}

func checkReferences(v *vctx) {
	for i, a := range v.inv.Attachments {
		v.check(a.ID != "", "BR-52", nth("BG-24", i, "BT-122"), "")
	}
	for i, p := range v.inv.Preceding {
		v.check(p.ID != "", "BR-55", nth("BG-3", i, "BT-25"), "")
	}
}
