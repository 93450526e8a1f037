package einvoice

// mapUBL maps a UBL 2.1 Invoice or CreditNote onto the model (binding as in
// the CEN EN 16931 UBL syntax binding).
func mapUBL(inv *Invoice, r *node) {
	inv.Profile = r.str("CustomizationID")
	inv.ProcessID = r.str("ProfileID")
	inv.Number = r.str("ID")
	inv.DateRaw = r.str("IssueDate")
	inv.Date = inv.DateRaw
	inv.DueDate = r.str("DueDate")
	if inv.DueDate == "" {
		inv.DueDate = r.str("PaymentMeans", "PaymentDueDate") // CreditNote
	}
	inv.TypeCode = r.str("InvoiceTypeCode")
	if inv.TypeCode == "" {
		inv.TypeCode = r.str("CreditNoteTypeCode")
	}
	for _, n := range r.all("Note") {
		inv.addNote(n.text)
	}
	inv.TaxPointDate = r.str("TaxPointDate")
	inv.Currency = r.str("DocumentCurrencyCode")
	inv.TaxCurrency = r.str("TaxCurrencyCode")
	inv.BuyerReference = r.str("BuyerReference")
	if p := r.child("InvoicePeriod"); p != nil {
		inv.Period = &Period{Start: p.str("StartDate"), End: p.str("EndDate")}
		inv.TaxPointCode = p.str("DescriptionCode")
	}
	for _, b := range r.all("BillingReference") {
		inv.Preceding = append(inv.Preceding, Reference{ID: b.str("InvoiceDocumentReference", "ID"),
			Date: b.str("InvoiceDocumentReference", "IssueDate")})
	}
	for _, d := range r.all("AdditionalDocumentReference") {
		bin := d.child("Attachment", "EmbeddedDocumentBinaryObject")
		inv.Attachments = append(inv.Attachments, Attachment{ID: d.str("ID"), TypeCode: d.str("DocumentTypeCode"),
			MimeCode: bin.attr("mimeCode"), Filename: bin.attr("filename"), HasBinary: bin != nil,
			URI: d.str("Attachment", "ExternalReference", "URI")})
	}
	inv.Seller = ublParty(r.child("AccountingSupplierParty", "Party"))
	inv.Buyer = ublParty(r.child("AccountingCustomerParty", "Party"))
	if p := r.child("PayeeParty"); p != nil {
		pp := ublParty(p)
		inv.Payee = &pp
	}
	if p := r.child("TaxRepresentativeParty"); p != nil {
		pp := ublParty(p)
		inv.TaxRep = &pp
	}
	ublDelivery(inv, r.child("Delivery"))
	ublPayment(inv, r)
	for _, ac := range r.all("AllowanceCharge") {
		inv.Allowances = append(inv.Allowances, ublAllowance(ac))
	}
	ublTax(inv, r)
	ublTotals(&inv.Totals, r.child("LegalMonetaryTotal"))
	lines := r.all("InvoiceLine")
	if len(lines) == 0 {
		lines = r.all("CreditNoteLine")
	}
	for _, l := range lines {
		inv.Lines = append(inv.Lines, ublLine(l))
	}
}

func (inv *Invoice) addNote(text string) {
	t := trimSpace(text)
	// BT-21 in UBL is written as "#CODE#text" inside the note; the code is
	// read as the CEN rule BR-CL-08 reads it: between the first two "#".
	subject := ""
	if i := indexByte(t, '#'); i >= 0 {
		if j := indexByte(t[i+1:], '#'); j >= 0 {
			subject = t[i+1 : i+1+j]
		}
	}
	inv.Notes = append(inv.Notes, t)
	inv.NoteSubjects = append(inv.NoteSubjects, subject)
}

func ublParty(p *node) Party {
	if p == nil {
		return Party{}
	}
	out := Party{Name: p.str("PartyLegalEntity", "RegistrationName"), TradingName: p.str("PartyName", "Name")}
	for _, id := range p.all("PartyIdentification", "ID") {
		out.IDs = append(out.IDs, ID{Value: trimSpace(id.text), Scheme: id.attr("schemeID")})
	}
	if le := p.child("PartyLegalEntity", "CompanyID"); le != nil {
		out.LegalID = ID{Value: trimSpace(le.text), Scheme: le.attr("schemeID")}
	}
	for _, ts := range p.all("PartyTaxScheme") {
		if upperTrim(ts.str("TaxScheme", "ID")) == "VAT" {
			out.VATID = ts.str("CompanyID")
		} else {
			out.TaxRegID = ts.str("CompanyID")
		}
	}
	if e := p.child("EndpointID"); e != nil {
		out.Endpoint = &ID{Value: trimSpace(e.text), Scheme: e.attr("schemeID")}
	}
	out.Address = ublAddress(p.child("PostalAddress"))
	if c := p.child("Contact"); c != nil {
		out.Contact = &Contact{Name: c.str("Name"), Phone: c.str("Telephone"), Email: c.str("ElectronicMail")}
	}
	return out
}

func ublAddress(a *node) *Address {
	if a == nil {
		return nil
	}
	out := &Address{City: a.str("CityName"), Postcode: a.str("PostalZone"), Subdivision: a.str("CountrySubentity"),
		Country: a.str("Country", "IdentificationCode")}
	for _, l := range []string{a.str("StreetName"), a.str("AdditionalStreetName"), a.str("AddressLine", "Line")} {
		if l != "" {
			out.Lines = append(out.Lines, l)
		}
	}
	return out
}

func ublDelivery(inv *Invoice, d *node) {
	if d == nil {
		return
	}
	del := &Delivery{Name: d.str("DeliveryParty", "PartyName", "Name"), Date: d.str("ActualDeliveryDate")}
	if loc := d.child("DeliveryLocation"); loc != nil {
		if id := loc.child("ID"); id != nil {
			del.Location = &ID{Value: trimSpace(id.text), Scheme: id.attr("schemeID")}
		}
		del.Address = ublAddress(loc.child("Address"))
	}
	inv.Delivery = del
}

func ublPayment(inv *Invoice, r *node) {
	for _, pm := range r.all("PaymentMeans") {
		p := PaymentMeans{Code: pm.str("PaymentMeansCode")}
		for _, acc := range pm.all("PayeeFinancialAccount") {
			p.HasTransfer = true
			p.Accounts = append(p.Accounts, acc.str("ID"))
		}
		if c := pm.child("CardAccount"); c != nil {
			p.HasCard, p.CardPAN = true, c.str("PrimaryAccountNumberID")
		}
		if m := pm.child("PaymentMandate"); m != nil {
			p.HasMandate = true
			p.DebitedAccount = m.str("PayerFinancialAccount", "ID")
			if inv.MandateRef == "" {
				inv.MandateRef = m.str("ID")
			}
		}
		inv.PaymentMeans = append(inv.PaymentMeans, p)
	}
	for _, n := range r.all("PaymentTerms", "Note") {
		inv.PaymentTerms = append(inv.PaymentTerms, n.text)
	}
	for _, parties := range [][]string{{"AccountingSupplierParty", "Party"}, {"PayeeParty"}} {
		for _, id := range r.child(parties...).all("PartyIdentification", "ID") {
			if id.attr("schemeID") == "SEPA" && inv.CreditorRef == "" {
				inv.CreditorRef = trimSpace(id.text)
			}
		}
	}
}

func ublTaxCat(c *node) TaxCat {
	if c == nil {
		return TaxCat{}
	}
	return TaxCat{Code: c.str("ID"), Rate: c.str("Percent"), Scheme: c.str("TaxScheme", "ID"), Present: true}
}

func ublAllowance(ac *node) AllowanceCharge {
	ind := ac.str("ChargeIndicator")
	return AllowanceCharge{Charge: ind == "true" || ind == "1", Indicator: ind, Amount: ac.str("Amount"),
		Base: ac.str("BaseAmount"), Percent: ac.str("MultiplierFactorNumeric"), Reason: ac.str("AllowanceChargeReason"),
		ReasonCode: ac.str("AllowanceChargeReasonCode"), VAT: ublTaxCat(ac.child("TaxCategory"))}
}

func ublTax(inv *Invoice, r *node) {
	for _, tt := range r.all("TaxTotal") {
		amt := tt.child("TaxAmount")
		if amt != nil {
			inv.taxTotals = append(inv.taxTotals, Amount{Value: trimSpace(amt.text), Currency: amt.attr("currencyID")})
		}
		for _, st := range tt.all("TaxSubtotal") {
			cat := st.child("TaxCategory")
			inv.VAT = append(inv.VAT, VATBreakdown{Taxable: st.str("TaxableAmount"), Tax: st.str("TaxAmount"),
				Cat: ublTaxCat(cat), ExemptionText: cat.str("TaxExemptionReason"), ExemptionCode: cat.str("TaxExemptionReasonCode")})
		}
	}
	inv.Totals.TaxTotal, _ = inv.taxIn(inv.Currency)
	if inv.TaxCurrency != "" && inv.TaxCurrency != inv.Currency {
		inv.Totals.TaxTotalAcc, _ = inv.taxIn(inv.TaxCurrency)
	}
}

func ublTotals(t *Totals, m *node) {
	if m == nil {
		return
	}
	t.LineNet, t.Allowances, t.Charges = m.str("LineExtensionAmount"), m.str("AllowanceTotalAmount"), m.str("ChargeTotalAmount")
	t.TaxExclusive, t.TaxInclusive = m.str("TaxExclusiveAmount"), m.str("TaxInclusiveAmount")
	t.Prepaid, t.Rounding, t.Payable = m.str("PrepaidAmount"), m.str("PayableRoundingAmount"), m.str("PayableAmount")
}

func ublLine(l *node) Line {
	q := l.child("InvoicedQuantity")
	if q == nil {
		q = l.child("CreditedQuantity")
	}
	out := Line{ID: l.str("ID"), Note: l.str("Note"), NetAmount: l.str("LineExtensionAmount"),
		Name: l.str("Item", "Name"), Description: l.str("Item", "Description"),
		Origin: l.str("Item", "OriginCountry", "IdentificationCode")}
	if q != nil {
		out.Quantity, out.Unit, out.HasUnit = trimSpace(q.text), q.attr("unitCode"), q.hasAttr("unitCode")
	}
	item := l.child("Item")
	for _, id := range item.all("StandardItemIdentification", "ID") {
		out.StandardIDs = append(out.StandardIDs, ID{Value: trimSpace(id.text), Scheme: id.attr("schemeID")})
	}
	for _, c := range item.all("CommodityClassification", "ItemClassificationCode") {
		out.Classification = append(out.Classification, ID{Value: trimSpace(c.text), Scheme: c.attr("listID")})
	}
	cats := item.all("ClassifiedTaxCategory")
	out.VATCount = len(cats)
	for _, c := range cats {
		if tc := ublTaxCat(c); tc.isVAT() || !out.VAT.Present {
			out.VAT = tc
		}
	}
	for _, a := range item.all("AdditionalItemProperty") {
		out.Attributes = append(out.Attributes, ItemAttr{Name: a.str("Name"), Value: a.str("Value"),
			HasName: a.has("Name"), HasValue: a.has("Value")})
	}
	if p := l.child("Price"); p != nil {
		out.NetPrice, out.PriceDiscount = p.str("PriceAmount"), p.str("AllowanceCharge", "Amount")
		out.GrossPrice = p.str("AllowanceCharge", "BaseAmount")
		if bq := p.child("BaseQuantity"); bq != nil {
			out.BaseQuantity, out.BaseUnit = trimSpace(bq.text), bq.attr("unitCode")
		}
	}
	if p := l.child("InvoicePeriod"); p != nil {
		out.Period = &Period{Start: p.str("StartDate"), End: p.str("EndDate")}
	}
	for _, ac := range l.all("AllowanceCharge") {
		out.Allowances = append(out.Allowances, ublAllowance(ac))
	}
	return out
}
