package einvoice

import (
	"encoding/xml"
	"errors"
	"strings"
	"time"
)

// ErrNotInvoice is returned for well-formed XML that is no e-invoice.
var ErrNotInvoice = errors.New("not an e-invoice")

const (
	nsUBLInvoice    = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
	nsUBLCreditNote = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
	nsCII           = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
	nsZF1           = "urn:ferd:CrossIndustryDocument:invoice:1p0"
)

// syntaxOf names the syntax of an invoice root element, or "".
func syntaxOf(n xml.Name) string {
	switch {
	case n.Space == nsUBLInvoice && n.Local == "Invoice", n.Space == nsUBLCreditNote && n.Local == "CreditNote":
		return SyntaxUBL
	case n.Space == nsCII && n.Local == "CrossIndustryInvoice":
		return SyntaxCII
	case n.Space == nsZF1 && n.Local == "CrossIndustryDocument":
		return SyntaxZUGFeRD1
	}
	return ""
}

// Parse reads an XML e-invoice in linear time and bounded memory (see
// MaxXMLSize, MaxXMLDepth, MaxXMLElements). Well-formed XML that is not an
// e-invoice returns ErrNotInvoice. Every other failure is a
// mailroom.InputError with a German and English reason. When the root
// element was an e-invoice root, the error also wraps ErrMalformedInvoice
// and Parse returns, with it, an Invoice holding only Syntax and Root: the
// document is an e-invoice that cannot be read.
func Parse(data []byte) (*Invoice, error) {
	syntax, root := "", ""
	top, err := readTree(data, func(n xml.Name) error {
		if syntax, root = syntaxOf(n), n.Local; syntax == "" {
			return ErrNotInvoice
		}
		return nil
	})
	if errors.Is(err, ErrMalformedInvoice) {
		return &Invoice{Syntax: syntax, Root: root}, err
	}
	if err != nil {
		return nil, err
	}
	inv := &Invoice{Syntax: syntax, Root: top.name}
	switch syntax {
	case SyntaxUBL:
		mapUBL(inv, top)
	case SyntaxCII:
		mapCII(inv, top)
	case SyntaxZUGFeRD1:
		mapZF1(inv, top)
	}
	inv.currencies = amountCurrencies(top)
	return inv, nil
}

// amountCurrencies collects the distinct currencyID attributes of all
// amount elements (for BR-CL-03), walking the tree without recursion.
func amountCurrencies(top *node) []string {
	seen := map[string]bool{}
	var out []string
	stack := []*node{top}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = append(stack[:len(stack)-1], n.kids...)
		if !strings.HasSuffix(n.name, "Amount") || !n.hasAttr("currencyID") {
			continue
		}
		if c := n.attr("currencyID"); !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
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

// validDate reports whether v is a real calendar date YYYY-MM-DD.
func validDate(v string) bool {
	_, err := time.Parse("2006-01-02", v)
	return err == nil
}

// Seller and buyer names for the metadata: legal name, else trading name.
func (p Party) displayName() string {
	if p.Name != "" {
		return p.Name
	}
	return p.TradingName
}

// IBAN is the first payment account identifier (BT-84) of the invoice.
func (inv *Invoice) IBAN() string {
	for _, pm := range inv.PaymentMeans {
		for _, a := range pm.Accounts {
			if a != "" {
				return a
			}
		}
	}
	return ""
}

// Metadata returns the document metadata for inv (keys documented in docs/cli.md).
func (inv *Invoice) Metadata() map[string]string {
	m := map[string]string{
		"einvoice_syntax":   inv.Syntax,
		"invoice_number":    inv.Number,
		"invoice_date":      inv.Date,
		"invoice_type_code": inv.TypeCode,
		"seller":            inv.Seller.displayName(),
		"buyer":             inv.Buyer.displayName(),
		"total":             inv.Totals.TaxInclusive,
		"amount_due":        inv.Totals.Payable,
		"tax_basis_total":   inv.Totals.TaxExclusive,
		"tax_total":         inv.Totals.TaxTotal,
		"currency":          inv.Currency,
		"buyer_reference":   inv.BuyerReference,
		"iban":              inv.IBAN(),
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

// taxIn returns the first tax total amount in currency cur and whether one exists.
func (inv *Invoice) taxIn(cur string) (string, bool) {
	for _, a := range inv.taxTotals {
		if a.Currency == cur {
			return a.Value, true
		}
	}
	return "", false
}

func upperTrim(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

func trimSpace(s string) string      { return strings.TrimSpace(s) }
func indexByte(s string, c byte) int { return strings.IndexByte(s, c) }
