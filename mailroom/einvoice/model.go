package einvoice

// The invoice model follows the semantic model of EN 16931-1 (business
// groups BG-n and terms BT-n); UBL and CII are both mapped onto it, so the
// rules are written once. Values keep their literal text, trimmed; an empty
// string means the element is absent. Amounts are parsed exactly (math/big)
// only where a rule computes with them.

// Syntaxes reported in the metadata key einvoice_syntax.
const (
	SyntaxUBL      = "ubl"
	SyntaxCII      = "cii"
	SyntaxZUGFeRD1 = "zugferd1"
	SyntaxFacturX  = "facturx"
)

// Invoice is a parsed e-invoice.
type Invoice struct {
	Syntax         string // ubl, cii, zugferd1 (facturx is set by the PDF path)
	Root           string // root element: Invoice, CreditNote, CrossIndustryInvoice, CrossIndustryDocument
	Profile        string // BT-24 specification identifier (CustomizationID / guideline id)
	ProcessID      string // BT-23
	Number         string // BT-1
	TypeCode       string // BT-3
	Date           string // BT-2, ISO 8601 YYYY-MM-DD when the source was valid
	DateRaw        string // BT-2 as written (CII: YYYYMMDD)
	DateFormat     string // CII @format of BT-2 ("102"); empty for UBL
	DueDate        string // BT-9
	Currency       string // BT-5
	TaxCurrency    string // BT-6
	TaxPointDate   string // BT-7
	TaxPointCode   string // BT-8
	BuyerReference string // BT-10, the Leitweg-ID in German public administration
	PaymentTerms   []string
	Notes          []string
	NoteSubjects   []string // BT-21 of each note ("" when absent), same order as Notes
	Period         *Period  // BG-14
	Preceding      []Reference
	Attachments    []Attachment
	Seller         Party // BG-4
	Buyer          Party // BG-7
	Payee          *Party
	TaxRep         *Party
	Delivery       *Delivery
	PaymentMeans   []PaymentMeans
	CreditorRef    string            // BT-90
	MandateRef     string            // BT-89
	Allowances     []AllowanceCharge // BG-20 and BG-21 (Charge tells which)
	VAT            []VATBreakdown    // BG-23
	Totals         Totals            // BG-22
	Lines          []Line            // BG-25

	// Facts about the source that some rules need.
	taxTotals     []Amount // every TaxTotal amount with its currency (UBL TaxTotal/TaxAmount, CII TaxTotalAmount)
	duplicateBT20 bool     // CII: more than one payment terms description
	currencies    []string // distinct currencyID attributes of all amounts
}

// Amount is an amount with its currencyID attribute.
type Amount struct {
	Value    string
	Currency string
}

// Period is BG-14 or BG-26.
type Period struct {
	Start, End string // ISO dates when valid, else literal
}

// Reference is a preceding invoice reference (BG-3).
type Reference struct {
	ID, Date string
}

// Attachment is an additional supporting document (BG-24).
type Attachment struct {
	ID        string
	TypeCode  string
	MimeCode  string
	Filename  string
	HasBinary bool
	URI       string
}

// ID is an identifier with its scheme.
type ID struct {
	Value, Scheme string
}

// Address is a postal address (BG-5, BG-8, BG-12, BG-15).
type Address struct {
	Lines       []string
	City        string
	Postcode    string
	Subdivision string
	Country     string
}

// Contact is BG-6 / BG-9.
type Contact struct {
	Name, Phone, Email string
}

// Party is a seller, buyer, payee or tax representative.
type Party struct {
	Name        string // BT-27/44/59/62 (legal name)
	TradingName string // BT-28/45
	IDs         []ID   // BT-29/46/60
	LegalID     ID     // BT-30/47/61
	VATID       string // BT-31/48/63
	TaxRegID    string // BT-32
	Endpoint    *ID    // BT-34/49 (nil when absent)
	Address     *Address
	Contact     *Contact
}

// Delivery is the deliver-to information (BG-13).
type Delivery struct {
	Name     string
	Date     string // BT-72
	Location *ID
	Address  *Address
}

// PaymentMeans is BG-16 with its sub-groups.
type PaymentMeans struct {
	Code           string   // BT-81
	Accounts       []string // BT-84 of each BG-17
	HasTransfer    bool     // BG-17 present
	HasCard        bool     // BG-18 present
	CardPAN        string   // BT-87
	HasMandate     bool     // BG-19 present (UBL PaymentMandate; CII: derived)
	DebitedAccount string   // BT-91
}

// TaxCat is a VAT category with rate (BT-95/96, BT-102/103, BT-118/119, BT-151/152).
type TaxCat struct {
	Code    string
	Rate    string // "" when absent
	Scheme  string // UBL TaxScheme/ID, CII TypeCode; "VAT" for VAT
	Present bool   // the tax category element exists
}

// isVAT reports whether the category belongs to the VAT scheme.
func (t TaxCat) isVAT() bool { return t.Present && upperTrim(t.Scheme) == "VAT" }

// AllowanceCharge is a document level (BG-20/21) or line (BG-27/28)
// allowance or charge.
type AllowanceCharge struct {
	Charge     bool
	Indicator  string // as written ("true"/"false"), for BR-66
	Amount     string
	Base       string
	Percent    string
	Reason     string
	ReasonCode string
	VAT        TaxCat
}

// VATBreakdown is BG-23.
type VATBreakdown struct {
	Taxable       string // BT-116
	Tax           string // BT-117
	Cat           TaxCat // BT-118/119
	ExemptionText string // BT-120
	ExemptionCode string // BT-121
}

// Totals is BG-22.
type Totals struct {
	LineNet      string // BT-106
	Allowances   string // BT-107
	Charges      string // BT-108
	TaxExclusive string // BT-109
	TaxTotal     string // BT-110 (in the invoice currency)
	TaxTotalAcc  string // BT-111 (in the accounting currency)
	TaxInclusive string // BT-112
	Prepaid      string // BT-113
	Rounding     string // BT-114
	Payable      string // BT-115
}

// ItemAttr is BG-32.
type ItemAttr struct {
	Name, Value string
	HasName     bool
	HasValue    bool
}

// Line is an invoice line (BG-25).
type Line struct {
	ID             string // BT-126
	Note           string
	Quantity       string // BT-129
	Unit           string // BT-130
	HasUnit        bool
	NetAmount      string // BT-131
	Name           string // BT-153
	Description    string
	StandardIDs    []ID // BT-157
	Classification []ID // BT-158 (Scheme = listID)
	Origin         string
	NetPrice       string // BT-146
	GrossPrice     string // BT-148
	PriceDiscount  string // BT-147
	BaseQuantity   string // BT-149
	BaseUnit       string // BT-150
	VAT            TaxCat // BG-30
	VATCount       int    // number of line VAT elements (BR-TMP-1 / CII)
	Period         *Period
	Allowances     []AllowanceCharge
	Attributes     []ItemAttr
}
