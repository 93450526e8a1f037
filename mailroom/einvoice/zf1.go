package einvoice

// mapZF1 maps the key fields of a ZUGFeRD 1.0 CrossIndustryDocument. ZUGFeRD
// 1.0 predates EN 16931: its documents are recognised and described, and the
// validator reports them as not EN 16931 (PS-PROFILE-02) instead of
// applying rules written for another structure.
func mapZF1(inv *Invoice, r *node) {
	inv.Profile = r.str("SpecifiedExchangedDocumentContext", "GuidelineSpecifiedDocumentContextParameter", "ID")
	doc := r.child("HeaderExchangedDocument")
	inv.Number = doc.str("ID")
	inv.TypeCode = doc.str("TypeCode")
	inv.DateRaw = doc.str("IssueDateTime", "DateTimeString")
	inv.Date = isoDate(inv.DateRaw)
	for _, n := range doc.all("IncludedNote") {
		inv.Notes = append(inv.Notes, n.str("Content"))
		inv.NoteSubjects = append(inv.NoteSubjects, n.str("SubjectCode"))
	}
	tx := r.child("SpecifiedSupplyChainTradeTransaction")
	agr := tx.child("ApplicableSupplyChainTradeAgreement")
	inv.BuyerReference = agr.str("BuyerReference")
	inv.Seller = Party{Name: agr.str("SellerTradeParty", "Name")}
	inv.Buyer = Party{Name: agr.str("BuyerTradeParty", "Name")}
	set := tx.child("ApplicableSupplyChainTradeSettlement")
	inv.Currency = set.str("InvoiceCurrencyCode")
	for _, pm := range set.all("SpecifiedTradeSettlementPaymentMeans") {
		inv.PaymentMeans = append(inv.PaymentMeans, PaymentMeans{Code: pm.str("TypeCode"),
			Accounts: []string{pm.str("PayeePartyCreditorFinancialAccount", "IBANID")}})
	}
	sum := set.child("SpecifiedTradeSettlementMonetarySummation")
	inv.Totals = Totals{TaxExclusive: sum.str("TaxBasisTotalAmount"), TaxTotal: sum.str("TaxTotalAmount"),
		TaxInclusive: sum.str("GrandTotalAmount"), Payable: sum.str("DuePayableAmount"), LineNet: sum.str("LineTotalAmount")}
	for _, l := range tx.all("IncludedSupplyChainTradeLineItem") {
		inv.Lines = append(inv.Lines, Line{Name: l.str("SpecifiedTradeProduct", "Name"),
			Quantity:  l.str("SpecifiedSupplyChainTradeDelivery", "BilledQuantity"),
			NetAmount: l.str("SpecifiedSupplyChainTradeSettlement", "SpecifiedTradeSettlementMonetarySummation", "LineTotalAmount")})
	}
}
