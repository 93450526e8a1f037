// Package einvoice recognises electronic invoices: XRechnung as UBL
// (urn:oasis:names:specification:ubl:schema:xsd:Invoice-2 / CreditNote-2) or
// CII (CrossIndustryInvoice), and ZUGFeRD 1 / ZUGFeRD 2 / Factur-X PDFs that
// embed factur-x.xml, zugferd-invoice.xml or xrechnung.xml. It extracts the key
// fields (invoice number, date, seller, buyer, totals, currency, buyer
// reference = Leitweg-ID), routes by Leitweg-ID prefix, and for XML writes a
// readable rendition PDF. The XML or PDF itself is the legally binding
// invoice: the Classifier marks it KeepOriginal and never rewrites it.
package einvoice
