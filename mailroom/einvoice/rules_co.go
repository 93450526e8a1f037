package einvoice

import (
	"math/big"
	"strings"
)

// EN 16931-1 conditions BR-CO-* (calculations and cardinalities).

func init() {
	for _, r := range [][3]string{
		{"BR-CO-03", "Datum (BT-7) und Code (BT-8) des Steuerzeitpunkts schließen einander aus.", "Value added tax point date (BT-7) and Value added tax point date code (BT-8) are mutually exclusive."},
		{"BR-CO-04", "Jede Rechnungsposition (BG-25) muss einem Umsatzsteuer-Kategoriecode (BT-151) zugeordnet sein.", "Each Invoice line (BG-25) shall be categorized with an Invoiced item VAT category code (BT-151)."},
		{"BR-CO-09", "Die Umsatzsteuer-Identifikationsnummern (BT-31, BT-63, BT-48) müssen mit einem Ländercode nach ISO 3166-1 alpha-2 beginnen (Griechenland: EL).", "The Seller VAT identifier (BT-31), the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48) shall have a prefix in accordance with ISO code ISO 3166-1 alpha-2 by which the country of issue may be identified. Nevertheless, Greece may use the prefix ‘EL’."},
		{"BR-CO-10", "Summe der Nettobeträge der Positionen (BT-106) = Σ Nettobeträge der Positionen (BT-131).", "Sum of Invoice line net amount (BT-106) = Σ Invoice line net amount (BT-131)."},
		{"BR-CO-11", "Summe der Nachlässe auf Dokumentenebene (BT-107) = Σ Nachlassbeträge (BT-92).", "Sum of allowances on document level (BT-107) = Σ Document level allowance amount (BT-92)."},
		{"BR-CO-12", "Summe der Zuschläge auf Dokumentenebene (BT-108) = Σ Zuschlagsbeträge (BT-99).", "Sum of charges on document level (BT-108) = Σ Document level charge amount (BT-99)."},
		{"BR-CO-13", "Gesamtbetrag ohne Umsatzsteuer (BT-109) = Σ Nettobeträge der Positionen (BT-131) − Nachlässe (BT-107) + Zuschläge (BT-108).", "Invoice total amount without VAT (BT-109) = Σ Invoice line net amount (BT-131) - Sum of allowances on document level (BT-107) + Sum of charges on document level (BT-108)."},
		{"BR-CO-14", "Umsatzsteuergesamtbetrag (BT-110) = Σ Steuerbeträge der Kategorien (BT-117).", "Invoice total VAT amount (BT-110) = Σ VAT category tax amount (BT-117)."},
		{"BR-CO-15", "Gesamtbetrag einschließlich Umsatzsteuer (BT-112) = Gesamtbetrag ohne Umsatzsteuer (BT-109) + Umsatzsteuergesamtbetrag (BT-110).", "Invoice total amount with VAT (BT-112) = Invoice total amount without VAT (BT-109) + Invoice total VAT amount (BT-110)."},
		{"BR-CO-16", "Fälliger Zahlungsbetrag (BT-115) = Gesamtbetrag einschließlich Umsatzsteuer (BT-112) − gezahlter Betrag (BT-113) + Rundungsbetrag (BT-114).", "Amount due for payment (BT-115) = Invoice total amount with VAT (BT-112) -Paid amount (BT-113) +Rounding amount (BT-114)."},
		{"BR-CO-17", "Steuerbetrag der Kategorie (BT-117) = Steuerbasisbetrag (BT-116) × Steuersatz (BT-119) / 100, auf zwei Dezimalstellen gerundet.", "VAT category tax amount (BT-117) = VAT category taxable amount (BT-116) x (VAT category rate (BT-119) / 100), rounded to two decimals."},
		{"BR-CO-18", "Eine Rechnung muss mindestens eine Umsatzsteueraufschlüsselung (BG-23) enthalten.", "An Invoice shall at least have one VAT breakdown group (BG-23)."},
		{"BR-CO-19", "Ist ein Abrechnungszeitraum (BG-14) angegeben, muss sein Beginn (BT-73) oder Ende (BT-74) angegeben sein.", "If Invoicing period (BG-14) is used, the Invoicing period start date (BT-73) or the Invoicing period end date (BT-74) shall be filled, or both."},
		{"BR-CO-20", "Ist ein Abrechnungszeitraum der Position (BG-26) angegeben, muss sein Beginn (BT-134) oder Ende (BT-135) angegeben sein.", "If Invoice line period (BG-26) is used, the Invoice line period start date (BT-134) or the Invoice line period end date (BT-135) shall be filled, or both."},
		{"BR-CO-21", "Jeder Nachlass auf Dokumentenebene (BG-20) muss einen Grund (BT-97) oder Grund-Code (BT-98) enthalten, oder beides.", "Each Document level allowance (BG-20) shall contain a Document level allowance reason (BT-97) or a Document level allowance reason code (BT-98), or both."},
		{"BR-CO-22", "Jeder Zuschlag auf Dokumentenebene (BG-21) muss einen Grund (BT-104) oder Grund-Code (BT-105) enthalten, oder beides.", "Each Document level charge (BG-21) shall contain a Document level charge reason (BT-104) or a Document level charge reason code (BT-105), or both."},
		{"BR-CO-23", "Jeder Nachlass auf Positionsebene (BG-27) muss einen Grund (BT-139) oder Grund-Code (BT-140) enthalten, oder beides.", "Each Invoice line allowance (BG-27) shall contain an Invoice line allowance reason (BT-139) or an Invoice line allowance reason code (BT-140), or both."},
		{"BR-CO-24", "Jeder Zuschlag auf Positionsebene (BG-28) muss einen Grund (BT-144) oder Grund-Code (BT-145) enthalten, oder beides.", "Each Invoice line charge (BG-28) shall contain an Invoice line charge reason (BT-144) or an Invoice line charge reason code (BT-145), or both."},
		{"BR-CO-25", "Ist der fällige Betrag (BT-115) positiv, muss das Fälligkeitsdatum (BT-9) oder die Zahlungsbedingungen (BT-20) angegeben sein.", "In case the Amount due for payment (BT-115) is positive, either the Payment due date (BT-9) or the Payment terms (BT-20) shall be present."},
		{"BR-CO-26", "Damit der Erwerber den Verkäufer erkennt, muss dessen Kennung (BT-29), Registernummer (BT-30) und/oder Umsatzsteuer-Identifikationsnummer (BT-31) angegeben sein.", "In order for the buyer to automatically identify a supplier, the Seller identifier (BT-29), the Seller legal registration identifier (BT-30) and/or the Seller VAT identifier (BT-31) shall be present."},
	} {
		define(FamilyConditions, Fatal, r[0], r[1], r[2])
	}
	define(FamilyPoststelle, Fatal, "PS-FMT-01", "Der Betrag ist keine gültige Dezimalzahl (Ziffern, optional Vorzeichen und Punkt).",
		"The amount is not a valid decimal number (digits, optional sign and point).")
	define(FamilyPoststelle, Fatal, "PS-FMT-02", "Das Datum ist kein gültiges Kalenderdatum (JJJJ-MM-TT, in CII JJJJMMTT).",
		"The date is not a valid calendar date (YYYY-MM-DD, in CII YYYYMMDD).")
	checks = append(checks, checkFormats, checkTotals, checkTaxTotals, checkConditions)
}

// amountFields lists every amount of the model with its business term.
func amountFields(inv *Invoice) [][2]string {
	t := inv.Totals
	f := [][2]string{{"BT-106", t.LineNet}, {"BT-107", t.Allowances}, {"BT-108", t.Charges}, {"BT-109", t.TaxExclusive},
		{"BT-110", t.TaxTotal}, {"BT-111", t.TaxTotalAcc}, {"BT-112", t.TaxInclusive}, {"BT-113", t.Prepaid},
		{"BT-114", t.Rounding}, {"BT-115", t.Payable}}
	for i, b := range inv.VAT {
		f = append(f, [2]string{nth("BG-23", i, "BT-116"), b.Taxable}, [2]string{nth("BG-23", i, "BT-117"), b.Tax},
			[2]string{nth("BG-23", i, "BT-119"), b.Cat.Rate})
	}
	for i, a := range inv.Allowances {
		f = append(f, [2]string{nth("BG-20/21", i, "BT-92/99"), a.Amount}, [2]string{nth("BG-20/21", i, "BT-93/100"), a.Base},
			[2]string{nth("BG-20/21", i, "BT-96/103"), a.VAT.Rate})
	}
	for i, l := range inv.Lines {
		f = append(f, [2]string{lineRef(inv, i, "BT-129"), l.Quantity}, [2]string{lineRef(inv, i, "BT-131"), l.NetAmount},
			[2]string{lineRef(inv, i, "BT-146"), l.NetPrice}, [2]string{lineRef(inv, i, "BT-148"), l.GrossPrice},
			[2]string{lineRef(inv, i, "BT-152"), l.VAT.Rate})
		for _, a := range l.Allowances {
			f = append(f, [2]string{lineRef(inv, i, "BT-136/141"), a.Amount})
		}
	}
	return f
}

func checkFormats(v *vctx) {
	for _, f := range amountFields(v.inv) {
		if f[1] != "" {
			_, ok := dec(f[1])
			v.check(ok, "PS-FMT-01", f[0], f[1])
		}
	}
	inv := v.inv
	dates := [][2]string{{"BT-2", inv.Date}, {"BT-9", inv.DueDate}, {"BT-7", inv.TaxPointDate}}
	if inv.Period != nil {
		dates = append(dates, [2]string{"BT-73", inv.Period.Start}, [2]string{"BT-74", inv.Period.End})
	}
	if inv.Delivery != nil {
		dates = append(dates, [2]string{"BT-72", inv.Delivery.Date})
	}
	for i, l := range inv.Lines {
		if l.Period != nil {
			dates = append(dates, [2]string{lineRef(inv, i, "BT-134"), l.Period.Start}, [2]string{lineRef(inv, i, "BT-135"), l.Period.End})
		}
	}
	for _, d := range dates {
		if d[1] != "" {
			v.check(validDate(d[1]), "PS-FMT-02", d[0], d[1])
		}
	}
}

// sumAllowances sums the document level allowances (charge=false) or charges.
func sumAllowances(inv *Invoice, charge bool) (*big.Rat, int) {
	s, n := new(big.Rat), 0
	for _, a := range inv.Allowances {
		if a.Charge == charge {
			s.Add(s, decOr0(a.Amount))
			n++
		}
	}
	return s, n
}

func checkTotals(v *vctx) {
	inv, t := v.inv, v.inv.Totals
	lines := new(big.Rat)
	for _, l := range inv.Lines {
		lines.Add(lines, decOr0(l.NetAmount))
	}
	if t.LineNet != "" {
		v.check(eq(decOr0(t.LineNet), round2(lines)), "BR-CO-10", "BT-106", t.LineNet+" ≠ "+fmtRat(round2(lines)))
	}
	allow, na := sumAllowances(inv, false)
	charge, nc := sumAllowances(inv, true)
	v.check((t.Allowances == "" && na == 0) || (t.Allowances != "" && eq(decOr0(t.Allowances), round2(allow))),
		"BR-CO-11", "BT-107", t.Allowances+" ≠ "+fmtRat(round2(allow)))
	v.check((t.Charges == "" && nc == 0) || (t.Charges != "" && eq(decOr0(t.Charges), round2(charge))),
		"BR-CO-12", "BT-108", t.Charges+" ≠ "+fmtRat(round2(charge)))
	if t.TaxExclusive != "" {
		want := round2(add(decOr0(t.LineNet), decOr0(t.Charges), new(big.Rat).Neg(decOr0(t.Allowances))))
		v.check(eq(decOr0(t.TaxExclusive), want), "BR-CO-13", "BT-109", t.TaxExclusive+" ≠ "+fmtRat(want))
	}
	if t.TaxInclusive != "" {
		want := decOr0(t.TaxExclusive)
		if t.TaxTotal != "" {
			want = round2(add(want, decOr0(t.TaxTotal)))
		}
		v.check(eq(decOr0(t.TaxInclusive), want), "BR-CO-15", "BT-112", t.TaxInclusive+" ≠ "+fmtRat(want))
	}
	if t.Payable != "" {
		got := round2(sub(decOr0(t.Payable), decOr0(t.Rounding)))
		want := round2(sub(decOr0(t.TaxInclusive), decOr0(t.Prepaid)))
		v.check(eq(got, want), "BR-CO-16", "BT-115", t.Payable+" ≠ "+fmtRat(add(want, decOr0(t.Rounding))))
		if p, ok := dec(t.Payable); ok && p.Sign() > 0 {
			terms := inv.DueDate != ""
			for _, pt := range inv.PaymentTerms {
				terms = terms || strings.TrimSpace(pt) != ""
			}
			v.check(terms, "BR-CO-25", "BT-9 / BT-20", t.Payable)
		}
	}
}

func checkTaxTotals(v *vctx) {
	inv := v.inv
	v.check(len(inv.VAT) > 0, "BR-CO-18", "BG-23", "")
	sum := new(big.Rat)
	for i, b := range inv.VAT {
		sum.Add(sum, decOr0(b.Tax))
		tax := decOr0(b.Tax)
		if r, ok := dec(b.Cat.Rate); ok && round0(r).Sign() != 0 {
			want := round2(mul(abs(decOr0(b.Taxable)), new(big.Rat).Quo(r, ratHundred)))
			v.check(within1(tax, want), "BR-CO-17", nth("BG-23", i, "BT-117"), b.Tax+" ≠ "+fmtRat(want))
		} else {
			v.check(round0(tax).Sign() == 0, "BR-CO-17", nth("BG-23", i, "BT-117"), b.Tax)
		}
	}
	if inv.Totals.TaxTotal != "" && len(inv.VAT) > 0 {
		v.check(eq(decOr0(inv.Totals.TaxTotal), round2(sum)), "BR-CO-14", "BT-110", inv.Totals.TaxTotal+" ≠ "+fmtRat(round2(sum)))
	}
}

func checkConditions(v *vctx) {
	inv := v.inv
	v.check(inv.TaxPointDate == "" || inv.TaxPointCode == "", "BR-CO-03", "BT-7 / BT-8", inv.TaxPointDate+" / "+inv.TaxPointCode)
	for i, l := range inv.Lines {
		v.check(l.VAT.isVAT() && l.VAT.Code != "", "BR-CO-04", lineRef(inv, i, "BT-151"), l.VAT.Code)
		if p := l.Period; p != nil {
			v.check(p.Start != "" || p.End != "", "BR-CO-20", lineRef(inv, i, "BG-26"), "")
		}
		for _, a := range l.Allowances {
			id := map[bool]string{false: "BR-CO-23", true: "BR-CO-24"}[a.Charge]
			v.check(a.Reason != "" || a.ReasonCode != "", id, lineRef(inv, i, "BG-27/28"), "")
		}
	}
	if p := inv.Period; p != nil {
		v.check(p.Start != "" || p.End != "", "BR-CO-19", "BG-14", "")
	}
	for i, a := range inv.Allowances {
		id := map[bool]string{false: "BR-CO-21", true: "BR-CO-22"}[a.Charge]
		v.check(a.Reason != "" || a.ReasonCode != "", id, nth("BG-20/21", i, ""), "")
	}
	for _, p := range []struct {
		bt, id string
	}{{"BT-31", inv.Seller.VATID}, {"BT-48", inv.Buyer.VATID}, {"BT-63", taxRepVAT(inv)}} {
		if p.id != "" {
			v.check(len(p.id) >= 2 && vatPrefixes[p.id[:2]], "BR-CO-09", p.bt, p.id)
		}
	}
	s := inv.Seller
	v.check(len(s.IDs) > 0 || s.LegalID.Value != "" || s.VATID != "", "BR-CO-26", "BT-29 / BT-30 / BT-31", "")
}

func taxRepVAT(inv *Invoice) string {
	if inv.TaxRep == nil {
		return ""
	}
	return inv.TaxRep.VATID
}
