package einvoice

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"poststelle/mailroom/testcorpus"
)

// corpusInvoices returns every XRechnung and ZUGFeRD invoice of the corpus
// (XML files and the XML embedded in the ZUGFeRD PDFs) by name.
func corpusInvoices(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, set := range []string{"xrechnung", "zugferd"} {
		dir := testcorpus.Path(t, "einvoice", set)
		for _, pat := range []string{"*.xml", "*.pdf"} {
			files, err := filepath.Glob(filepath.Join(dir, pat))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if strings.HasSuffix(f, ".pdf") {
					found := FindEmbeddedInvoices(b)
					if len(found) != 1 {
						t.Fatalf("%s: %d embedded invoices, want 1", f, len(found))
					}
					b = found[0].XML
				}
				out[set+"/"+filepath.Base(f)] = b
			}
		}
	}
	if len(out) < 20 {
		t.Fatalf("only %d corpus invoices found", len(out))
	}
	return out
}

// TestCorpusValid: every real invoice of the corpus is valid (no false
// rejection). Warnings are allowed and logged (the corpus uses example
// Leitweg-IDs whose check digits are wrong).
func TestCorpusValid(t *testing.T) {
	invs := corpusInvoices(t)
	names := make([]string, 0, len(invs))
	for n := range invs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		inv, err := Parse(invs[name])
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		res := Validate(inv)
		for _, f := range res.Failed {
			t.Errorf("%s: false rejection %s at %s (%q): %s", name, f.Rule.ID, f.Element, f.Value, f.Rule.EN)
		}
		t.Logf("%-40s %-14s valid=%v warnings=%v", name, res.ProfileName, res.Valid(), res.WarnedIDs())
	}
	t.Logf("%d corpus invoices checked", len(names))
}

// mutation edits an invoice text; it must change it.
type mutation func(s string) string

func repl(old, new string) mutation { return replN(old, new, 1) }

// replN replaces the n-th (1-based) occurrence of old.
func replN(old, new string, n int) mutation {
	return func(s string) string {
		at := -1
		for i := 0; i < n; i++ {
			j := strings.Index(s[at+1:], old)
			if j < 0 {
				return s
			}
			at += 1 + j
		}
		return s[:at] + new + s[at+len(old):]
	}
}

func replAll(old, new string) mutation {
	return func(s string) string { return strings.ReplaceAll(s, old, new) }
}

func reDel(expr string) mutation {
	re := regexp.MustCompile(expr)
	return func(s string) string {
		loc := re.FindStringIndex(s)
		if loc == nil {
			return s
		}
		return s[:loc[0]] + s[loc[1]:]
	}
}

func chain(ms ...mutation) mutation {
	return func(s string) string {
		for _, m := range ms {
			s = m(s)
		}
		return s
	}
}

type defect struct {
	rule     string
	ubl, cii mutation
}

// defects are generated from the corpus invoice 01.01a (UBL and CII) by
// editing the XML; each must be reported with its rule id.
var defects = []defect{
	// core
	{"BR-02", repl("<cbc:ID>123456XX</cbc:ID>", ""), repl("<ram:ID>123456XX</ram:ID>", "")},
	{"BR-06", repl("<cbc:RegistrationName>[Seller name]</cbc:RegistrationName>", ""), repl("<ram:Name>[Seller name]</ram:Name>", "")},
	{"BR-09", reDel(`(?s)<cac:Country>\s*<cbc:IdentificationCode>DE</cbc:IdentificationCode>\s*</cac:Country>`), repl("<ram:CountryID>DE</ram:CountryID>", "")},
	{"BR-15", repl(`<cbc:PayableAmount currencyID="EUR">336.9</cbc:PayableAmount>`, ""), repl("<ram:DuePayableAmount>336.9</ram:DuePayableAmount>", "")},
	{"BR-23", repl(` unitCode="XPP"`, ""), repl(` unitCode="XPP"`, "")},
	{"BR-25", repl("<cbc:Name>Porto + Versandkosten</cbc:Name>", ""), repl("<ram:Name>Porto + Versandkosten</ram:Name>", "")},
	{"BR-27", repl(`<cbc:PriceAmount currencyID="EUR">26.07`, `<cbc:PriceAmount currencyID="EUR">-26.07`), repl("<ram:ChargeAmount>26.07", "<ram:ChargeAmount>-26.07")},
	{"BR-30", repl("<cbc:EndDate>2016-12-31", "<cbc:EndDate>2015-12-31"), repl(">20161231<", ">20151231<")},
	{"BR-61", reDel(`(?s)<cac:PayeeFinancialAccount>.*?</cac:PayeeFinancialAccount>`), reDel(`(?s)<ram:PayeePartyCreditorFinancialAccount>.*?</ram:PayeePartyCreditorFinancialAccount>`)},
	// conditions
	{"BR-CO-09", repl("DE 123456789", "QQ123456789"), repl("DE 123456789", "QQ123456789")},
	{"BR-CO-10", repl(`<cbc:LineExtensionAmount currencyID="EUR">26.07`, `<cbc:LineExtensionAmount currencyID="EUR">26.08`), repl("<ram:LineTotalAmount>26.07", "<ram:LineTotalAmount>26.08")},
	{"BR-CO-14", repl(`<cbc:TaxAmount currencyID="EUR">22.04`, `<cbc:TaxAmount currencyID="EUR">22.05`), repl(`<ram:TaxTotalAmount currencyID="EUR">22.04`, `<ram:TaxTotalAmount currencyID="EUR">22.05`)},
	{"BR-CO-15", repl(`<cbc:TaxInclusiveAmount currencyID="EUR">336.9<`, `<cbc:TaxInclusiveAmount currencyID="EUR">336.91<`), repl("<ram:GrandTotalAmount>336.9<", "<ram:GrandTotalAmount>336.91<")},
	{"BR-CO-16", repl(`<cbc:PayableAmount currencyID="EUR">336.9<`, `<cbc:PayableAmount currencyID="EUR">300.00<`), repl("<ram:DuePayableAmount>336.9<", "<ram:DuePayableAmount>300.00<")},
	{"BR-CO-17", replN(`<cbc:TaxAmount currencyID="EUR">22.04`, `<cbc:TaxAmount currencyID="EUR">2.04`, 2), repl("<ram:CalculatedAmount>22.04", "<ram:CalculatedAmount>2.04")},
	{"BR-CO-25", repl("<cbc:Note>Zahlbar sofort ohne Abzug.</cbc:Note>", ""), repl("<ram:Description>Zahlbar sofort ohne Abzug.</ram:Description>", "")},
	// decimals
	{"BR-DEC-09", repl(`<cbc:LineExtensionAmount currencyID="EUR">314.86<`, `<cbc:LineExtensionAmount currencyID="EUR">314.860<`), repl("<ram:LineTotalAmount>314.86<", "<ram:LineTotalAmount>314.860<")},
	{"BR-DEC-23", repl(`<cbc:LineExtensionAmount currencyID="EUR">26.07`, `<cbc:LineExtensionAmount currencyID="EUR">26.070`), repl("<ram:LineTotalAmount>26.07", "<ram:LineTotalAmount>26.070")},
	// VAT categories
	{"BR-S-05", replN("<cbc:Percent>7</cbc:Percent>", "<cbc:Percent>0</cbc:Percent>", 2), replN("<ram:RateApplicablePercent>7<", "<ram:RateApplicablePercent>0<", 1)},
	{"BR-S-08", repl(`<cbc:TaxableAmount currencyID="EUR">314.86`, `<cbc:TaxableAmount currencyID="EUR">300.00`), repl("<ram:BasisAmount>314.86", "<ram:BasisAmount>300.00")},
	{"BR-S-10", repl("<cbc:Percent>7</cbc:Percent>", "<cbc:Percent>7</cbc:Percent><cbc:TaxExemptionReason>frei</cbc:TaxExemptionReason>"), repl("<ram:CalculatedAmount>22.04</ram:CalculatedAmount>", "<ram:CalculatedAmount>22.04</ram:CalculatedAmount><ram:ExemptionReason>frei</ram:ExemptionReason>")},
	{"BR-AE-01", replN("<cbc:ID>S</cbc:ID>", "<cbc:ID>AE</cbc:ID>", 3), replN("<ram:CategoryCode>S<", "<ram:CategoryCode>AE<", 2)},
	{"BR-AE-05", replN("<cbc:ID>S</cbc:ID>", "<cbc:ID>AE</cbc:ID>", 3), replN("<ram:CategoryCode>S<", "<ram:CategoryCode>AE<", 2)},
	{"BR-O-01", replN("<cbc:ID>S</cbc:ID>", "<cbc:ID>O</cbc:ID>", 3), replN("<ram:CategoryCode>S<", "<ram:CategoryCode>O<", 2)},
	{"BR-O-05", replN("<cbc:ID>S</cbc:ID>", "<cbc:ID>O</cbc:ID>", 3), replN("<ram:CategoryCode>S<", "<ram:CategoryCode>O<", 2)},
	{"BR-Z-01", replN("<cbc:ID>S</cbc:ID>", "<cbc:ID>Z</cbc:ID>", 3), replN("<ram:CategoryCode>S<", "<ram:CategoryCode>Z<", 2)},
	{"BR-E-05", replN("<cbc:ID>S</cbc:ID>", "<cbc:ID>E</cbc:ID>", 3), replN("<ram:CategoryCode>S<", "<ram:CategoryCode>E<", 2)},
	{"BR-G-01", replN("<cbc:ID>S</cbc:ID>", "<cbc:ID>G</cbc:ID>", 3), replN("<ram:CategoryCode>S<", "<ram:CategoryCode>G<", 2)},
	{"BR-IC-02", chain(replAll("<cbc:ID>S</cbc:ID>", "<cbc:ID>K</cbc:ID>"), replAll("<cbc:Percent>7<", "<cbc:Percent>0<")), chain(replAll("<ram:CategoryCode>S<", "<ram:CategoryCode>K<"), replAll("<ram:RateApplicablePercent>7<", "<ram:RateApplicablePercent>0<"))},
	{"BR-IC-09", chain(replAll("<cbc:ID>S</cbc:ID>", "<cbc:ID>K</cbc:ID>"), replAll("<cbc:Percent>7<", "<cbc:Percent>0<")), chain(replAll("<ram:CategoryCode>S<", "<ram:CategoryCode>K<"), replAll("<ram:RateApplicablePercent>7<", "<ram:RateApplicablePercent>0<"))},
	{"BR-IC-10", chain(replAll("<cbc:ID>S</cbc:ID>", "<cbc:ID>K</cbc:ID>"), replAll("<cbc:Percent>7<", "<cbc:Percent>0<")), chain(replAll("<ram:CategoryCode>S<", "<ram:CategoryCode>K<"), replAll("<ram:RateApplicablePercent>7<", "<ram:RateApplicablePercent>0<"))},
	{"BR-IC-12", chain(replAll("<cbc:ID>S</cbc:ID>", "<cbc:ID>K</cbc:ID>"), replAll("<cbc:Percent>7<", "<cbc:Percent>0<")), chain(replAll("<ram:CategoryCode>S<", "<ram:CategoryCode>K<"), replAll("<ram:RateApplicablePercent>7<", "<ram:RateApplicablePercent>0<"))},
	// code lists
	{"BR-CL-01", repl("<cbc:InvoiceTypeCode>380<", "<cbc:InvoiceTypeCode>999<"), repl("<ram:TypeCode>380<", "<ram:TypeCode>999<")},
	{"BR-CL-03", repl(`currencyID="EUR"`, `currencyID="EUX"`), repl(`currencyID="EUR"`, `currencyID="EUX"`)},
	{"BR-CL-04", repl("<cbc:DocumentCurrencyCode>EUR<", "<cbc:DocumentCurrencyCode>EUX<"), repl("<ram:InvoiceCurrencyCode>EUR<", "<ram:InvoiceCurrencyCode>EUX<")},
	{"BR-CL-14", repl("<cbc:IdentificationCode>DE<", "<cbc:IdentificationCode>XX<"), repl("<ram:CountryID>DE<", "<ram:CountryID>XX<")},
	{"BR-CL-16", repl("<cbc:PaymentMeansCode>58<", "<cbc:PaymentMeansCode>999<"), repl("<ram:TypeCode>58<", "<ram:TypeCode>999<")},
	{"BR-CL-18", replN("<cbc:ID>S</cbc:ID>", "<cbc:ID>Q</cbc:ID>", 3), replN("<ram:CategoryCode>S<", "<ram:CategoryCode>Q<", 2)},
	{"BR-CL-23", repl(`unitCode="XPP"`, `unitCode="QQQ"`), repl(`unitCode="XPP"`, `unitCode="QQQ"`)},
	{"BR-CL-25", repl(`schemeID="EM"`, `schemeID="ZZ"`), repl(`schemeID="EM"`, `schemeID="ZZ"`)},
	// XRechnung
	{"BR-DE-1", reDel(`(?s)<cac:PaymentMeans>.*?</cac:PaymentMeans>`), reDel(`(?s)<ram:SpecifiedTradeSettlementPaymentMeans>.*?</ram:SpecifiedTradeSettlementPaymentMeans>`)},
	{"BR-DE-2", reDel(`(?s)<cac:Contact>.*?</cac:Contact>`), reDel(`(?s)<ram:DefinedTradeContact>.*?</ram:DefinedTradeContact>`)},
	{"BR-DE-3", repl("<cbc:CityName>[Seller city]</cbc:CityName>", ""), repl("<ram:CityName>[Seller city]</ram:CityName>", "")},
	{"BR-DE-7", repl("<cbc:ElectronicMail>seller@email.de</cbc:ElectronicMail>", ""), reDel(`(?s)<ram:EmailURIUniversalCommunication>.*?</ram:EmailURIUniversalCommunication>`)},
	{"BR-DE-15", repl("<cbc:BuyerReference>04011000-12345-03</cbc:BuyerReference>", ""), repl("<ram:BuyerReference>04011000-12345-03</ram:BuyerReference>", "")},
	{"BR-DE-17", repl("<cbc:InvoiceTypeCode>380<", "<cbc:InvoiceTypeCode>383<"), repl("<ram:TypeCode>380<", "<ram:TypeCode>383<")},
	{"BR-DE-18", repl("Zahlbar sofort ohne Abzug.", "#SKONTO#TAGE=14#PROZENT=2,00#\n"), repl("Zahlbar sofort ohne Abzug.", "#SKONTO#TAGE=14#PROZENT=2,00#\n")},
	{"BR-DE-19", repl("DE79000000001234567890", "DE79000000001234567891"), repl("DE79000000001234567890", "DE79000000001234567891")},
	{"BR-DE-21", repl("kosit:xrechnung_3.0<", "kosit:xrechnung_2.3<"), repl("kosit:xrechnung_3.0<", "kosit:xrechnung_2.3<")},
	{"BR-DE-23-a", reDel(`(?s)<cac:PayeeFinancialAccount>.*?</cac:PayeeFinancialAccount>`), reDel(`(?s)<ram:PayeePartyCreditorFinancialAccount>.*?</ram:PayeePartyCreditorFinancialAccount>`)},
	{"BR-DE-27", repl("+49 1234-5678", "+4"), repl("+49 1234-5678", "+4")},
	// Poststelle
	{"PS-FMT-01", repl(`<cbc:TaxInclusiveAmount currencyID="EUR">336.9<`, `<cbc:TaxInclusiveAmount currencyID="EUR">336,9<`), repl("<ram:GrandTotalAmount>336.9<", "<ram:GrandTotalAmount>336,9<")},
	{"PS-FMT-02", repl("<cbc:IssueDate>2016-04-04<", "<cbc:IssueDate>2016-02-30<"), repl(">20160404<", ">20160230<")},
	{"PS-LW-01", repl(">04011000-12345-03<", ">Abteilung 4<"), repl(">04011000-12345-03<", ">Abteilung 4<")},
	{"PS-LW-02", repl(">04011000-12345-03<", ">04011000-12345-04<"), repl(">04011000-12345-03<", ">04011000-12345-04<")},
	{"PS-PROFILE-01", repl("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0<", "urn:factur-x.eu:1p0:minimum<"), repl("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0<", "urn:factur-x.eu:1p0:basicwl<")},
}

// TestDefectsCaught: each defect, made from a valid corpus invoice in both
// syntaxes, is reported with its rule id (fatal rules among the failed,
// warnings among the warned).
func TestDefectsCaught(t *testing.T) {
	dir := testcorpus.Path(t, "einvoice", "xrechnung")
	bases := map[string]string{}
	for syn, f := range map[string]string{SyntaxUBL: "01.01a-INVOICE_ubl.xml", SyntaxCII: "01.01a-INVOICE_uncefact.xml"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		inv, err := Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		if res := Validate(inv); !res.Valid() || len(res.Warned) != 0 {
			t.Fatalf("%s: base invoice not clean: %v %v", f, res.FailedIDs(), res.WarnedIDs())
		}
		bases[syn] = string(b)
	}
	families := map[string]int{}
	for _, d := range defects {
		rule, ok := catalogue[d.rule]
		if !ok {
			t.Fatalf("%s: not in the catalogue", d.rule)
		}
		for syn, m := range map[string]mutation{SyntaxUBL: d.ubl, SyntaxCII: d.cii} {
			text := m(bases[syn])
			if text == bases[syn] {
				t.Errorf("%s/%s: mutation did not change the invoice", d.rule, syn)
				continue
			}
			inv, err := Parse([]byte(text))
			if err != nil {
				t.Errorf("%s/%s: %v", d.rule, syn, err)
				continue
			}
			res := Validate(inv)
			got := res.FailedIDs()
			if rule.Severity == Warning {
				got = res.WarnedIDs()
			}
			if !slices.Contains(got, d.rule) {
				t.Errorf("%s/%s: not reported; failed %v warned %v", d.rule, syn, res.FailedIDs(), res.WarnedIDs())
			}
			if rule.Severity == Warning && !res.Valid() {
				t.Errorf("%s/%s: a warning made the invoice invalid: %v", d.rule, syn, res.FailedIDs())
			}
		}
		families[rule.Family]++
	}
	for _, f := range []string{FamilyCore, FamilyConditions, FamilyDecimals, FamilyVAT, FamilyCodes, FamilyXRechnung, FamilyPoststelle} {
		if families[f] == 0 {
			t.Errorf("family %s has no generated defect", f)
		}
	}
	t.Logf("defects per family (each in UBL and CII): %v", families)
}

// TestCatalogue: every rule has both messages, a severity and a family;
// prints the count per family (docs/einvoice.md quotes it).
func TestCatalogue(t *testing.T) {
	per := map[string]int{}
	for _, r := range Rules() {
		if r.DE == "" || r.EN == "" || r.Family == "" || (r.Severity != Fatal && r.Severity != Warning) {
			t.Errorf("%s: incomplete rule %+v", r.ID, r)
		}
		per[r.Family]++
	}
	for _, want := range []string{"BR-01", "BR-65", "BR-CO-26", "BR-DEC-28", "BR-S-10", "BR-IC-12", "BR-O-14", "BR-IP-10", "BR-CL-25", "BR-DE-31", "PS-XML-01"} {
		if _, ok := catalogue[want]; !ok {
			t.Errorf("%s missing", want)
		}
	}
	t.Logf("rules per family: %v (total %d)", per, len(catalogue))
}

func TestDecimalRounding(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2.345", "2.35"}, {"2.344", "2.34"}, {"-2.345", "-2.34"}, {"-2.346", "-2.35"}, {"0.005", "0.01"}, {"10", "10.00"},
	} {
		r, ok := dec(c.in)
		if !ok {
			t.Fatalf("%s: not parsed", c.in)
		}
		if got := round2(r).FloatString(2); got != c.want {
			t.Errorf("round2(%s) = %s, want %s (XPath round: half towards +∞)", c.in, got, c.want)
		}
	}
	for _, bad := range []string{"1,5", "1e3", "--1", ".", "", "1.2.3", "12345678901234567890123456789012345678901234"} {
		if _, ok := dec(bad); ok {
			t.Errorf("dec(%q) accepted", bad)
		}
	}
	// 0.1 + 0.2 is exactly 0.3 in decimal arithmetic (it is not in float64).
	if !eq(add(decOr0("0.1"), decOr0("0.2")), decOr0("0.3")) {
		t.Error("0.1 + 0.2 != 0.3")
	}
}

func TestLeitwegID(t *testing.T) {
	for id, want := range map[string]string{
		"04011000-1234512345-06": "", // the example of the Leitweg-ID format specification
		"04011000-12345-03":      "", // corpus 01.01a
		"991-33333TEST-33":       "",
		"04011000-1234512345-07": "PS-LW-02",
		"04011000-12345-34":      "PS-LW-02",
		"4011000-12345-03":       "PS-LW-01", // 7-digit coarse address
		"17011000-12345-03":      "PS-LW-01", // no Land 17
		"04011000-12345":         "PS-LW-01",
		"Abteilung 4":            "PS-LW-01",
	} {
		if got := LeitwegProblem(id); got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	if !validIBAN("DE79 0000 0000 1234 5678 90") || validIBAN("DE79000000001234567891") {
		t.Error("IBAN check")
	}
}

func BenchmarkValidate(b *testing.B) {
	invs := corpusInvoices(b)
	for _, name := range []string{"xrechnung/01.01a-INVOICE_ubl.xml", "xrechnung/01.01a-INVOICE_uncefact.xml", "zugferd/EN16931_Einfach.cii.xml"} {
		inv, err := Parse(invs[name])
		if err != nil {
			b.Fatal(err)
		}
		b.Run(filepath.Base(name)+"/validate", func(b *testing.B) {
			for b.Loop() {
				Validate(inv)
			}
		})
		b.Run(filepath.Base(name)+"/parse+validate", func(b *testing.B) {
			for b.Loop() {
				inv, _ := Parse(invs[name])
				Validate(inv)
			}
		})
	}
}

// BenchmarkValidateLarge: the CII corpus invoice with its first line
// repeated to 1,000 lines (sums then fail; the cost is what is measured).
func BenchmarkValidateLarge(b *testing.B) {
	src := string(corpusInvoices(b)["xrechnung/01.01a-INVOICE_uncefact.xml"])
	start := strings.Index(src, "<ram:IncludedSupplyChainTradeLineItem>")
	end := strings.Index(src, "</ram:IncludedSupplyChainTradeLineItem>") + len("</ram:IncludedSupplyChainTradeLineItem>")
	big := src[:start] + strings.Repeat(src[start:end], 1000) + src[end:]
	inv, err := Parse([]byte(big))
	if err != nil || len(inv.Lines) < 1000 {
		b.Fatalf("%v, %d lines", err, len(inv.Lines))
	}
	b.Run("validate", func(b *testing.B) {
		for b.Loop() {
			Validate(inv)
		}
	})
	b.Run("parse+validate", func(b *testing.B) {
		for b.Loop() {
			inv, _ := Parse([]byte(big))
			Validate(inv)
		}
	})
}
