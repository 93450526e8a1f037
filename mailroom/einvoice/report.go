package einvoice

import (
	"fmt"
	"strings"
	"time"

	"poststelle/mailroom/rendition"
)

func init() {
	define(FamilyPoststelle, Fatal, "PS-XML-01",
		"Die E-Rechnung kann nicht gelesen werden (fehlerhaftes XML oder Grenzwert überschritten). Bitte beim Rechnungssteller eine korrekte Rechnung anfordern.",
		"The e-invoice cannot be read (malformed XML or a limit exceeded). Ask the supplier for a correct invoice.")
	define(FamilyPoststelle, Fatal, "PS-PDF-01",
		"Die PDF-Datei enthält mehr als eine eingebettete Rechnungs-XML; es ist nicht eindeutig, welche gilt.",
		"The PDF embeds more than one invoice XML; it is not clear which one is the invoice.")
}

// unreadable is the result for an e-invoice whose XML cannot be read.
func unreadable(err error) *Result {
	v := &vctx{res: &Result{}}
	v.fail("PS-XML-01", "XML", inputReason(err))
	return v.res
}

// addPDFDuplicate records PS-PDF-01 for a PDF with several invoice XMLs.
func (r *Result) addPDFDuplicate(found []*Embedded) {
	v := &vctx{res: r}
	v.fail("PS-PDF-01", "PDF / EmbeddedFile", fmt.Sprintf("%d eingebettete Rechnungen / embedded invoices", len(found)))
}

var severityNames = map[Severity]string{Fatal: "Fehler / fatal", Warning: "Warnung / warning"}

func reportFindings(fs []Finding) []rendition.Finding {
	out := make([]rendition.Finding, len(fs))
	for i, f := range fs {
		out[i] = rendition.Finding{ID: f.Rule.ID, Severity: severityNames[f.Rule.Severity],
			Message: f.Rule.DE + "\n" + f.Rule.EN, Element: f.Element, Value: f.Value}
	}
	return out
}

// reportDoc lays out the Prüfbericht: German first, English second.
func reportDoc(inv *Invoice, res *Result, filename string) rendition.Report {
	verdict := "Ergebnis: gültig. Die E-Rechnung erfüllt alle geprüften Regeln der EN 16931" +
		map[bool]string{true: " und der XRechnung", false: ""}[profileOf(inv).xrechnung] +
		". / Result: valid. The e-invoice passes every rule checked."
	if !res.Valid() {
		verdict = fmt.Sprintf("Ergebnis: ungültig. %d Regel(n) verletzt; die Rechnung kann mit diesem Bericht beim "+
			"Rechnungssteller zurückgewiesen werden. / Result: invalid. %d rule(s) failed; the invoice can be "+
			"rejected with this report.", len(res.FailedIDs()), len(res.FailedIDs()))
	}
	return rendition.Report{
		Title: "Prüfbericht E-Rechnung / e-invoice validation report",
		Fields: []rendition.Field{
			{Label: "Datei", Value: filename},
			{Label: "Format", Value: syntaxNames[inv.Syntax]},
			{Label: "Profil", Value: res.ProfileName},
			{Label: "Rechnungsnummer", Value: inv.Number},
			{Label: "Rechnungsdatum", Value: inv.Date},
			{Label: "Verkäufer", Value: inv.Seller.displayName()},
			{Label: "Käufer", Value: inv.Buyer.displayName()},
			{Label: "Leitweg-ID", Value: inv.BuyerReference},
			{Label: "Brutto", Value: withCurrency(inv.Totals.TaxInclusive, inv.Currency)},
			{Label: "Geprüft am", Value: time.Now().Format("02.01.2006 15:04")},
		},
		Verdict: verdict,
		Groups: []rendition.FindingGroup{
			{Heading: "Verletzte Regeln / failed rules", Empty: "Keine. / None.", Findings: reportFindings(res.Failed)},
			{Heading: "Warnungen / warnings", Empty: "Keine. / None.", Findings: reportFindings(res.Warned)},
		},
		Footer: "Geprüft von Poststelle gegen EN 16931-1 (CEN-Geschäftsregeln BR, BR-CO, BR-DEC, Umsatzsteuer-Kategorien, " +
			"Codelisten) und, bei XRechnung, die XRechnung-CIUS (BR-DE). Welche veröffentlichten Regeln nicht geprüft " +
			"werden, steht in docs/einvoice.md. / Checked by Poststelle against EN 16931-1 and the XRechnung CIUS.",
		Created: time.Now(),
	}
}

func withCurrency(v, cur string) string {
	if v == "" {
		return ""
	}
	return v + " " + cur
}

var syntaxNames = map[string]string{
	SyntaxUBL: "XRechnung (UBL)", SyntaxCII: "XRechnung / EN 16931 (UN/CEFACT CII)",
	SyntaxZUGFeRD1: "ZUGFeRD 1.0", SyntaxFacturX: "ZUGFeRD 2 / Factur-X",
}

// renditionDoc is the readable rendition of an XML invoice.
func renditionDoc(inv *Invoice, res *Result, filename string) rendition.Doc {
	amount := func(v string) string { return withCurrency(v, inv.Currency) }
	check := "gültig / valid"
	if !res.Valid() {
		check = "ungültig / invalid: " + joinIDs(res.FailedIDs()) + " (siehe / see " + ReportName + ")"
	}
	d := rendition.Doc{
		Title: fmt.Sprintf("E-Rechnung %s", inv.Number),
		Fields: []rendition.Field{
			{Label: "Format", Value: syntaxNames[inv.Syntax]},
			{Label: "Prüfung", Value: check},
			{Label: "Rechnungsnummer", Value: inv.Number},
			{Label: "Rechnungsdatum", Value: inv.Date},
			{Label: "Rechnungsart", Value: inv.TypeCode},
			{Label: "Verkäufer", Value: inv.Seller.displayName()},
			{Label: "Käufer", Value: inv.Buyer.displayName()},
			{Label: "Leitweg-ID", Value: inv.BuyerReference},
			{Label: "Netto", Value: amount(inv.Totals.TaxExclusive)},
			{Label: "Steuer", Value: amount(inv.Totals.TaxTotal)},
			{Label: "Brutto", Value: amount(inv.Totals.TaxInclusive)},
			{Label: "Zahlbetrag", Value: amount(inv.Totals.Payable)},
			{Label: "Fällig am", Value: inv.DueDate},
			{Label: "IBAN", Value: inv.IBAN()},
			{Label: "Datei", Value: filename},
		},
		Footer: "Lesefassung, von Poststelle aus der XML-Datei erzeugt. Rechtlich maßgeblich ist die unveränderte " +
			"XML-Datei (Original). / Readable rendition made by Poststelle; the unchanged XML file is the invoice of record.",
		Created: time.Now(),
	}
	var b strings.Builder
	if inv.Number == "" {
		b.WriteString("Die XML-Datei konnte nicht gelesen werden; Einzelheiten im Prüfbericht. / " +
			"The XML file could not be read; see the validation report.\n")
	}
	if len(inv.Lines) > 0 {
		b.WriteString("Positionen:\n")
		for i, l := range inv.Lines {
			if i == 500 {
				fmt.Fprintf(&b, "… %d weitere Positionen\n", len(inv.Lines)-i)
				break
			}
			fmt.Fprintf(&b, "%d. %s", i+1, l.Name)
			if l.Quantity != "" {
				fmt.Fprintf(&b, " — Menge %s", l.Quantity)
			}
			if l.NetAmount != "" {
				fmt.Fprintf(&b, " — %s", amount(l.NetAmount))
			}
			b.WriteString("\n")
		}
	}
	if len(inv.Notes) > 0 {
		b.WriteString("\nBemerkungen:\n")
		for _, n := range inv.Notes {
			b.WriteString(n + "\n")
		}
	}
	d.Body = b.String()
	return d
}
