package einvoice

// mapCII maps a UN/CEFACT CrossIndustryInvoice (D16B, as used by XRechnung,
// ZUGFeRD 2 and Factur-X) onto the model (binding as in the CEN EN 16931
// CII syntax binding).
func mapCII(inv *Invoice, r *node) {
	ctx := r.child("ExchangedDocumentContext")
	inv.Profile = ctx.str("GuidelineSpecifiedDocumentContextParameter", "ID")
	inv.ProcessID = ctx.str("BusinessProcessSpecifiedDocumentContextParameter", "ID")
	doc := r.child("ExchangedDocument")
	inv.Number = doc.str("ID")
	inv.TypeCode = doc.str("TypeCode")
	if d := doc.child("IssueDateTime", "DateTimeString"); d != nil {
		inv.DateRaw, inv.DateFormat = trimSpace(d.text), d.attr("format")
		inv.Date = isoDate(inv.DateRaw)
	}
	for _, n := range doc.all("IncludedNote") {
		inv.Notes = append(inv.Notes, n.str("Content"))
		inv.NoteSubjects = append(inv.NoteSubjects, n.str("SubjectCode"))
	}
	tx := r.child("SupplyChainTradeTransaction")
	agr := tx.child("ApplicableHeaderTradeAgreement")
	inv.BuyerReference = agr.str("BuyerReference")
	inv.Seller = ciiParty(agr.child("SellerTradeParty"))
	inv.Buyer = ciiParty(agr.child("BuyerTradeParty"))
	if p := agr.child("SellerTaxRepresentativeTradeParty"); p != nil {
		pp := ciiParty(p)
		inv.TaxRep = &pp
	}
	for _, d := range agr.all("AdditionalReferencedDocument") {
		bin := d.child("AttachmentBinaryObject")
		inv.Attachments = append(inv.Attachments, Attachment{ID: d.str("IssuerAssignedID"), TypeCode: d.str("TypeCode"),
			MimeCode: bin.attr("mimeCode"), Filename: bin.attr("filename"), HasBinary: bin != nil, URI: d.str("URIID")})
	}
	ciiDelivery(inv, tx.child("ApplicableHeaderTradeDelivery"))
	ciiSettlement(inv, tx.child("ApplicableHeaderTradeSettlement"))
	for _, l := range tx.all("IncludedSupplyChainTradeLineItem") {
		inv.Lines = append(inv.Lines, ciiLine(l))
	}
}

func ciiDate(n *node) string { return isoDate(n.str("DateTimeString")) }

func ciiParty(p *node) Party {
	if p == nil {
		return Party{}
	}
	out := Party{Name: p.str("Name"), TradingName: p.str("SpecifiedLegalOrganization", "TradingBusinessName")}
	for _, id := range p.all("ID") {
		out.IDs = append(out.IDs, ID{Value: trimSpace(id.text)})
	}
	for _, id := range p.all("GlobalID") {
		out.IDs = append(out.IDs, ID{Value: trimSpace(id.text), Scheme: id.attr("schemeID")})
	}
	if le := p.child("SpecifiedLegalOrganization", "ID"); le != nil {
		out.LegalID = ID{Value: trimSpace(le.text), Scheme: le.attr("schemeID")}
	}
	for _, tr := range p.all("SpecifiedTaxRegistration", "ID") {
		switch tr.attr("schemeID") {
		case "VA", "VAT":
			out.VATID = trimSpace(tr.text)
		case "FC":
			out.TaxRegID = trimSpace(tr.text)
		}
	}
	if e := p.child("URIUniversalCommunication", "URIID"); e != nil {
		out.Endpoint = &ID{Value: trimSpace(e.text), Scheme: e.attr("schemeID")}
	}
	if a := p.child("PostalTradeAddress"); a != nil {
		out.Address = &Address{City: a.str("CityName"), Postcode: a.str("PostcodeCode"),
			Subdivision: a.str("CountrySubDivisionName"), Country: a.str("CountryID")}
		for _, l := range []string{a.str("LineOne"), a.str("LineTwo"), a.str("LineThree")} {
			if l != "" {
				out.Address.Lines = append(out.Address.Lines, l)
			}
		}
	}
	if c := p.child("DefinedTradeContact"); c != nil {
		name := c.str("PersonName")
		if name == "" {
			name = c.str("DepartmentName")
		}
		out.Contact = &Contact{Name: name, Phone: c.str("TelephoneUniversalCommunication", "CompleteNumber"),
			Email: c.str("EmailURIUniversalCommunication", "URIID")}
	}
	return out
}

func ciiDelivery(inv *Invoice, d *node) {
	if d == nil {
		return
	}
	st := d.child("ShipToTradeParty")
	date := ciiDate(d.child("ActualDeliverySupplyChainEvent", "OccurrenceDateTime"))
	if st == nil && date == "" {
		return
	}
	del := &Delivery{Date: date}
	if st != nil {
		sp := ciiParty(st)
		del.Name, del.Address = sp.Name, sp.Address
		if len(sp.IDs) > 0 {
			del.Location = &sp.IDs[0]
		}
	}
	inv.Delivery = del
}

func ciiTaxCat(t *node) TaxCat {
	if t == nil {
		return TaxCat{}
	}
	return TaxCat{Code: t.str("CategoryCode"), Rate: t.str("RateApplicablePercent"), Scheme: t.str("TypeCode"), Present: true}
}

func ciiAllowance(ac *node) AllowanceCharge {
	ind := ac.str("ChargeIndicator", "Indicator")
	return AllowanceCharge{Charge: ind == "true" || ind == "1", Indicator: ind, Amount: ac.str("ActualAmount"),
		Base: ac.str("BasisAmount"), Percent: ac.str("CalculationPercent"), Reason: ac.str("Reason"),
		ReasonCode: ac.str("ReasonCode"), VAT: ciiTaxCat(ac.child("CategoryTradeTax"))}
}

func ciiSettlement(inv *Invoice, s *node) {
	if s == nil {
		return
	}
	inv.Currency, inv.TaxCurrency, inv.CreditorRef = s.str("InvoiceCurrencyCode"), s.str("TaxCurrencyCode"), s.str("CreditorReferenceID")
	if p := s.child("PayeeTradeParty"); p != nil {
		pp := ciiParty(p)
		inv.Payee = &pp
	}
	for _, pm := range s.all("SpecifiedTradeSettlementPaymentMeans") {
		p := PaymentMeans{Code: pm.str("TypeCode"), DebitedAccount: pm.str("PayerPartyDebtorFinancialAccount", "IBANID")}
		for _, acc := range pm.all("PayeePartyCreditorFinancialAccount") {
			id := acc.str("IBANID")
			if id == "" {
				id = acc.str("ProprietaryID")
			}
			p.HasTransfer, p.Accounts = true, append(p.Accounts, id)
		}
		if c := pm.child("ApplicableTradeSettlementFinancialCard"); c != nil {
			p.HasCard, p.CardPAN = true, c.str("ID")
		}
		inv.PaymentMeans = append(inv.PaymentMeans, p)
	}
	for _, t := range s.all("ApplicableTradeTax") {
		inv.VAT = append(inv.VAT, VATBreakdown{Taxable: t.str("BasisAmount"), Tax: t.str("CalculatedAmount"), Cat: ciiTaxCat(t),
			ExemptionText: t.str("ExemptionReason"), ExemptionCode: t.str("ExemptionReasonCode")})
		if d := t.str("TaxPointDate", "DateString"); d != "" {
			inv.TaxPointDate = isoDate(d)
		}
		if c := t.str("DueDateTypeCode"); c != "" {
			inv.TaxPointCode = c
		}
	}
	if p := s.child("BillingSpecifiedPeriod"); p != nil {
		inv.Period = &Period{Start: ciiDate(p.child("StartDateTime")), End: ciiDate(p.child("EndDateTime"))}
	}
	for _, ac := range s.all("SpecifiedTradeAllowanceCharge") {
		inv.Allowances = append(inv.Allowances, ciiAllowance(ac))
	}
	ciiTerms(inv, s)
	for _, ref := range s.all("InvoiceReferencedDocument") {
		inv.Preceding = append(inv.Preceding, Reference{ID: ref.str("IssuerAssignedID"),
			Date: isoDate(ref.str("FormattedIssueDateTime", "DateTimeString"))})
	}
	ciiTotals(inv, s.child("SpecifiedTradeSettlementHeaderMonetarySummation"))
}

func ciiTerms(inv *Invoice, s *node) {
	for _, t := range s.all("SpecifiedTradePaymentTerms") {
		descs := t.all("Description")
		if len(descs) > 1 {
			inv.duplicateBT20 = true
		}
		for _, d := range descs {
			inv.PaymentTerms = append(inv.PaymentTerms, d.text)
		}
		if d := ciiDate(t.child("DueDateDateTime")); d != "" && inv.DueDate == "" {
			inv.DueDate = d
		}
		if m := t.str("DirectDebitMandateID"); m != "" {
			inv.MandateRef = m
		}
	}
	// BG-19 has no element of its own in CII: it exists when one of its
	// terms does (as the KoSIT rules BR-DE-29..31 read it).
	if inv.MandateRef != "" || inv.CreditorRef != "" {
		for i := range inv.PaymentMeans {
			if inv.PaymentMeans[i].Code == "59" || inv.PaymentMeans[i].DebitedAccount != "" {
				inv.PaymentMeans[i].HasMandate = true
			}
		}
	}
}

func ciiTotals(inv *Invoice, m *node) {
	if m == nil {
		return
	}
	t := &inv.Totals
	t.LineNet, t.Allowances, t.Charges = m.str("LineTotalAmount"), m.str("AllowanceTotalAmount"), m.str("ChargeTotalAmount")
	t.TaxExclusive, t.TaxInclusive = m.str("TaxBasisTotalAmount"), m.str("GrandTotalAmount")
	t.Prepaid, t.Rounding, t.Payable = m.str("TotalPrepaidAmount"), m.str("RoundingAmount"), m.str("DuePayableAmount")
	for _, a := range m.all("TaxTotalAmount") {
		inv.taxTotals = append(inv.taxTotals, Amount{Value: trimSpace(a.text), Currency: a.attr("currencyID")})
	}
	t.TaxTotal, _ = inv.taxIn(inv.Currency)
	if t.TaxTotal == "" && len(inv.taxTotals) == 1 && inv.taxTotals[0].Currency == "" {
		t.TaxTotal = inv.taxTotals[0].Value // currencyID is optional in CII
	}
	if inv.TaxCurrency != "" && inv.TaxCurrency != inv.Currency {
		t.TaxTotalAcc, _ = inv.taxIn(inv.TaxCurrency)
	}
}

func ciiLine(l *node) Line {
	prod := l.child("SpecifiedTradeProduct")
	agr := l.child("SpecifiedLineTradeAgreement")
	set := l.child("SpecifiedLineTradeSettlement")
	out := Line{ID: l.str("AssociatedDocumentLineDocument", "LineID"), Note: l.str("AssociatedDocumentLineDocument", "IncludedNote", "Content"),
		Name: prod.str("Name"), Description: prod.str("Description"), Origin: prod.str("OriginTradeCountry", "ID"),
		NetAmount: set.str("SpecifiedTradeSettlementLineMonetarySummation", "LineTotalAmount")}
	if q := l.child("SpecifiedLineTradeDelivery", "BilledQuantity"); q != nil {
		out.Quantity, out.Unit, out.HasUnit = trimSpace(q.text), q.attr("unitCode"), q.hasAttr("unitCode")
	}
	for _, id := range prod.all("GlobalID") {
		out.StandardIDs = append(out.StandardIDs, ID{Value: trimSpace(id.text), Scheme: id.attr("schemeID")})
	}
	for _, c := range prod.all("DesignatedProductClassification", "ClassCode") {
		out.Classification = append(out.Classification, ID{Value: trimSpace(c.text), Scheme: c.attr("listID")})
	}
	for _, a := range prod.all("ApplicableProductCharacteristic") {
		out.Attributes = append(out.Attributes, ItemAttr{Name: a.str("Description"), Value: a.str("Value"),
			HasName: a.has("Description"), HasValue: a.has("Value")})
	}
	out.NetPrice = agr.str("NetPriceProductTradePrice", "ChargeAmount")
	out.GrossPrice = agr.str("GrossPriceProductTradePrice", "ChargeAmount")
	out.PriceDiscount = agr.str("GrossPriceProductTradePrice", "AppliedTradeAllowanceCharge", "ActualAmount")
	if bq := agr.child("NetPriceProductTradePrice", "BasisQuantity"); bq != nil {
		out.BaseQuantity, out.BaseUnit = trimSpace(bq.text), bq.attr("unitCode")
	}
	taxes := set.all("ApplicableTradeTax")
	out.VATCount = len(taxes)
	if len(taxes) > 0 {
		out.VAT = ciiTaxCat(taxes[0])
	}
	if p := set.child("BillingSpecifiedPeriod"); p != nil {
		out.Period = &Period{Start: ciiDate(p.child("StartDateTime")), End: ciiDate(p.child("EndDateTime"))}
	}
	for _, ac := range set.all("SpecifiedTradeAllowanceCharge") {
		out.Allowances = append(out.Allowances, ciiAllowance(ac))
	}
	return out
}
