package einvoice

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-message/charset"
)

// Syntaxes reported in the metadata key einvoice_syntax.
const (
	SyntaxUBL      = "ubl"
	SyntaxCII      = "cii"
	SyntaxZUGFeRD1 = "zugferd1"
	SyntaxFacturX  = "facturx"
)

// Invoice holds the key fields of an e-invoice, as written in the XML
// (amounts keep their literal text; Date is ISO 8601 YYYY-MM-DD).
type Invoice struct {
	Syntax         string // ubl, cii, zugferd1 (facturx is set by the PDF path)
	Root           string // root element: Invoice, CreditNote, CrossIndustryInvoice, CrossIndustryDocument
	Profile        string // CustomizationID / guideline id
	Number         string
	TypeCode       string
	Date           string
	DueDate        string
	Seller         string
	Buyer          string
	BuyerReference string // Leitweg-ID in German public administration
	Currency       string
	TaxBasisTotal  string
	TaxTotal       string
	GrandTotal     string
	DuePayable     string
	IBAN           string
	Notes          []string
	Lines          []Line
}

// Line is one invoice line, for the rendition.
type Line struct {
	Name     string
	Quantity string
	Unit     string
	Amount   string
}

// ErrNotInvoice is returned for well-formed XML that is no e-invoice.
var ErrNotInvoice = errors.New("not an e-invoice")

const (
	nsUBLInvoice    = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
	nsUBLCreditNote = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
	nsCII           = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
	nsZF1           = "urn:ferd:CrossIndustryDocument:invoice:1p0"
)

// MaxXMLSize bounds the XML read (a denial-of-service guard).
const MaxXMLSize = 32 << 20

// fieldPaths map local-name element paths (relative to the root, "/"
// separated, with the root name replaced by ".") to setters. The first
// occurrence wins.
type setter func(inv *Invoice, v string)

var ublPaths = map[string]setter{
	"./CustomizationID":      func(i *Invoice, v string) { i.Profile = v },
	"./ID":                   func(i *Invoice, v string) { i.Number = v },
	"./IssueDate":            func(i *Invoice, v string) { i.Date = v },
	"./DueDate":              func(i *Invoice, v string) { i.DueDate = v },
	"./InvoiceTypeCode":      func(i *Invoice, v string) { i.TypeCode = v },
	"./CreditNoteTypeCode":   func(i *Invoice, v string) { i.TypeCode = v },
	"./Note":                 func(i *Invoice, v string) { i.Notes = append(i.Notes, v) },
	"./DocumentCurrencyCode": func(i *Invoice, v string) { i.Currency = v },
	"./BuyerReference":       func(i *Invoice, v string) { i.BuyerReference = v },
	"./AccountingSupplierParty/Party/PartyLegalEntity/RegistrationName": func(i *Invoice, v string) { i.Seller = v },
	"./AccountingSupplierParty/Party/PartyName/Name":                    func(i *Invoice, v string) { setIfEmpty(&i.Seller, v) },
	"./AccountingCustomerParty/Party/PartyLegalEntity/RegistrationName": func(i *Invoice, v string) { i.Buyer = v },
	"./AccountingCustomerParty/Party/PartyName/Name":                    func(i *Invoice, v string) { setIfEmpty(&i.Buyer, v) },
	"./PaymentMeans/PayeeFinancialAccount/ID":                           func(i *Invoice, v string) { i.IBAN = v },
	"./PaymentMeans/PaymentDueDate":                                     func(i *Invoice, v string) { setIfEmpty(&i.DueDate, v) },
	"./TaxTotal/TaxAmount":                                              func(i *Invoice, v string) { i.TaxTotal = v },
	"./LegalMonetaryTotal/TaxExclusiveAmount":                           func(i *Invoice, v string) { i.TaxBasisTotal = v },
	"./LegalMonetaryTotal/TaxInclusiveAmount":                           func(i *Invoice, v string) { i.GrandTotal = v },
	"./LegalMonetaryTotal/PayableAmount":                                func(i *Invoice, v string) { i.DuePayable = v },
}

var ublLine = lineSpec{
	starts:   []string{"./InvoiceLine", "./CreditNoteLine"},
	name:     "/Item/Name",
	quantity: []string{"/InvoicedQuantity", "/CreditedQuantity"},
	amount:   "/LineExtensionAmount",
}

const (
	ciiAgr = "./SupplyChainTradeTransaction/ApplicableHeaderTradeAgreement"
	ciiSet = "./SupplyChainTradeTransaction/ApplicableHeaderTradeSettlement"
)

var ciiPaths = map[string]setter{
	"./ExchangedDocumentContext/GuidelineSpecifiedDocumentContextParameter/ID": func(i *Invoice, v string) { i.Profile = v },
	"./ExchangedDocument/ID":                           func(i *Invoice, v string) { i.Number = v },
	"./ExchangedDocument/TypeCode":                     func(i *Invoice, v string) { i.TypeCode = v },
	"./ExchangedDocument/IssueDateTime/DateTimeString": func(i *Invoice, v string) { i.Date = isoDate(v) },
	"./ExchangedDocument/IncludedNote/Content":         func(i *Invoice, v string) { i.Notes = append(i.Notes, v) },
	ciiAgr + "/BuyerReference":                         func(i *Invoice, v string) { i.BuyerReference = v },
	ciiAgr + "/SellerTradeParty/Name":                  func(i *Invoice, v string) { i.Seller = v },
	ciiAgr + "/BuyerTradeParty/Name":                   func(i *Invoice, v string) { i.Buyer = v },
	ciiSet + "/InvoiceCurrencyCode":                    func(i *Invoice, v string) { i.Currency = v },
	ciiSet + "/SpecifiedTradeSettlementPaymentMeans/PayeePartyCreditorFinancialAccount/IBANID": func(i *Invoice, v string) { i.IBAN = v },
	ciiSet + "/SpecifiedTradePaymentTerms/DueDateDateTime/DateTimeString":                      func(i *Invoice, v string) { i.DueDate = isoDate(v) },
	ciiSet + "/SpecifiedTradeSettlementHeaderMonetarySummation/TaxBasisTotalAmount":            func(i *Invoice, v string) { i.TaxBasisTotal = v },
	ciiSet + "/SpecifiedTradeSettlementHeaderMonetarySummation/TaxTotalAmount":                 func(i *Invoice, v string) { i.TaxTotal = v },
	ciiSet + "/SpecifiedTradeSettlementHeaderMonetarySummation/GrandTotalAmount":               func(i *Invoice, v string) { i.GrandTotal = v },
	ciiSet + "/SpecifiedTradeSettlementHeaderMonetarySummation/DuePayableAmount":               func(i *Invoice, v string) { i.DuePayable = v },
}

var ciiLine = lineSpec{
	starts:   []string{"./SupplyChainTradeTransaction/IncludedSupplyChainTradeLineItem"},
	name:     "/SpecifiedTradeProduct/Name",
	quantity: []string{"/SpecifiedLineTradeDelivery/BilledQuantity"},
	amount:   "/SpecifiedLineTradeSettlement/SpecifiedTradeSettlementLineMonetarySummation/LineTotalAmount",
}

const (
	zf1Agr = "./SpecifiedSupplyChainTradeTransaction/ApplicableSupplyChainTradeAgreement"
	zf1Set = "./SpecifiedSupplyChainTradeTransaction/ApplicableSupplyChainTradeSettlement"
)

var zf1Paths = map[string]setter{
	"./SpecifiedExchangedDocumentContext/GuidelineSpecifiedDocumentContextParameter/ID": func(i *Invoice, v string) { i.Profile = v },
	"./HeaderExchangedDocument/ID":                           func(i *Invoice, v string) { i.Number = v },
	"./HeaderExchangedDocument/TypeCode":                     func(i *Invoice, v string) { i.TypeCode = v },
	"./HeaderExchangedDocument/IssueDateTime/DateTimeString": func(i *Invoice, v string) { i.Date = isoDate(v) },
	"./HeaderExchangedDocument/IncludedNote/Content":         func(i *Invoice, v string) { i.Notes = append(i.Notes, v) },
	zf1Agr + "/BuyerReference":                               func(i *Invoice, v string) { i.BuyerReference = v },
	zf1Agr + "/SellerTradeParty/Name":                        func(i *Invoice, v string) { i.Seller = v },
	zf1Agr + "/BuyerTradeParty/Name":                         func(i *Invoice, v string) { i.Buyer = v },
	zf1Set + "/InvoiceCurrencyCode":                          func(i *Invoice, v string) { i.Currency = v },
	zf1Set + "/SpecifiedTradeSettlementPaymentMeans/PayeePartyCreditorFinancialAccount/IBANID": func(i *Invoice, v string) { i.IBAN = v },
	zf1Set + "/SpecifiedTradeSettlementMonetarySummation/TaxBasisTotalAmount":                  func(i *Invoice, v string) { i.TaxBasisTotal = v },
	zf1Set + "/SpecifiedTradeSettlementMonetarySummation/TaxTotalAmount":                       func(i *Invoice, v string) { i.TaxTotal = v },
	zf1Set + "/SpecifiedTradeSettlementMonetarySummation/GrandTotalAmount":                     func(i *Invoice, v string) { i.GrandTotal = v },
	zf1Set + "/SpecifiedTradeSettlementMonetarySummation/DuePayableAmount":                     func(i *Invoice, v string) { i.DuePayable = v },
}

var zf1Line = lineSpec{
	starts:   []string{"./SpecifiedSupplyChainTradeTransaction/IncludedSupplyChainTradeLineItem"},
	name:     "/SpecifiedTradeProduct/Name",
	quantity: []string{"/SpecifiedSupplyChainTradeDelivery/BilledQuantity"},
	amount:   "/SpecifiedSupplyChainTradeSettlement/SpecifiedTradeSettlementMonetarySummation/LineTotalAmount",
}

type lineSpec struct {
	starts   []string
	name     string
	quantity []string
	amount   string
}

func setIfEmpty(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// isoDate turns a CII date (format 102 = YYYYMMDD) into YYYY-MM-DD; other
// forms are returned unchanged.
func isoDate(v string) string {
	v = strings.TrimSpace(v)
	if len(v) == 8 && strings.Trim(v, "0123456789") == "" {
		return v[:4] + "-" + v[4:6] + "-" + v[6:]
	}
	return v
}

// Parse reads an XML e-invoice. Well-formed XML that is not an e-invoice
// returns ErrNotInvoice; malformed XML returns a syntax error.
func Parse(data []byte) (*Invoice, error) {
	if len(data) > MaxXMLSize {
		return nil, fmt.Errorf("XML larger than %d bytes", MaxXMLSize)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = charset.Reader
	dec.Strict = true
	var (
		inv      *Invoice
		paths    map[string]setter
		ls       lineSpec
		stack    []string
		text     strings.Builder
		seen     = map[string]bool{}
		line     *Line
		linePath string
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if inv == nil {
				if len(stack) > 0 {
					break
				}
				inv = &Invoice{Root: t.Name.Local}
				switch {
				case t.Name.Space == nsUBLInvoice && t.Name.Local == "Invoice",
					t.Name.Space == nsUBLCreditNote && t.Name.Local == "CreditNote":
					inv.Syntax, paths, ls = SyntaxUBL, ublPaths, ublLine
				case t.Name.Space == nsCII && t.Name.Local == "CrossIndustryInvoice":
					inv.Syntax, paths, ls = SyntaxCII, ciiPaths, ciiLine
				case t.Name.Space == nsZF1 && t.Name.Local == "CrossIndustryDocument":
					inv.Syntax, paths, ls = SyntaxZUGFeRD1, zf1Paths, zf1Line
				default:
					return nil, ErrNotInvoice
				}
				stack = append(stack, ".")
				text.Reset()
				continue
			}
			stack = append(stack, t.Name.Local)
			text.Reset()
			p := strings.Join(stack, "/")
			for _, s := range ls.starts {
				if p == s {
					inv.Lines = append(inv.Lines, Line{})
					line, linePath = &inv.Lines[len(inv.Lines)-1], p
				}
			}
			if line != nil && len(inv.Lines) > 500 {
				line = nil // enough for a rendition
			}
		case xml.CharData:
			if text.Len() < 1<<16 {
				text.Write(t)
			}
		case xml.EndElement:
			if len(stack) == 0 {
				break
			}
			p := strings.Join(stack, "/")
			v := strings.TrimSpace(text.String())
			if set, ok := paths[p]; ok && v != "" && (!seen[p] || strings.HasSuffix(p, "Note") || strings.HasSuffix(p, "Content")) {
				seen[p] = true
				set(inv, v)
			}
			if line != nil && strings.HasPrefix(p, linePath+"/") {
				rel := strings.TrimPrefix(p, linePath)
				switch {
				case rel == ls.name:
					line.Name = v
				case rel == ls.amount:
					line.Amount = v
				default:
					for _, q := range ls.quantity {
						if rel == q {
							line.Quantity = v
						}
					}
				}
			}
			if p == linePath {
				line, linePath = nil, ""
			}
			stack = stack[:len(stack)-1]
			text.Reset()
		}
	}
	if inv == nil {
		return nil, ErrNotInvoice
	}
	if inv.Number == "" {
		return nil, fmt.Errorf("%w: %s without an invoice number", ErrNotInvoice, inv.Root)
	}
	inv.Date = isoDate(inv.Date)
	return inv, nil
}

// Metadata returns the document metadata for inv (keys documented in docs/cli.md).
func (inv *Invoice) Metadata() map[string]string {
	m := map[string]string{
		"einvoice_syntax":   inv.Syntax,
		"invoice_number":    inv.Number,
		"invoice_date":      inv.Date,
		"invoice_type_code": inv.TypeCode,
		"seller":            inv.Seller,
		"buyer":             inv.Buyer,
		"total":             inv.GrandTotal,
		"amount_due":        inv.DuePayable,
		"tax_basis_total":   inv.TaxBasisTotal,
		"tax_total":         inv.TaxTotal,
		"currency":          inv.Currency,
		"buyer_reference":   inv.BuyerReference,
		"iban":              inv.IBAN,
		"due_date":          inv.DueDate,
		"einvoice_profile":  inv.Profile,
	}
	for k, v := range m {
		if v == "" {
			delete(m, k)
		}
	}
	m["document_type"] = "Rechnung"
	if inv.TypeCode == "381" || inv.TypeCode == "389" || inv.Root == "CreditNote" {
		m["document_type"] = "Gutschrift"
	}
	return m
}
