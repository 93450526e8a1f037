package einvoice

// EN 16931-1 BR-DEC-*: amounts have at most two decimals.

// decTerms names the business term of each BR-DEC rule.
var decTerms = [][3]string{
	{"BR-DEC-01", "BT-92", "Nachlassbetrag auf Dokumentenebene / Document level allowance amount"},
	{"BR-DEC-02", "BT-93", "Grundbetrag des Nachlasses auf Dokumentenebene / Document level allowance base amount"},
	{"BR-DEC-05", "BT-99", "Zuschlagsbetrag auf Dokumentenebene / Document level charge amount"},
	{"BR-DEC-06", "BT-100", "Grundbetrag des Zuschlags auf Dokumentenebene / Document level charge base amount"},
	{"BR-DEC-09", "BT-106", "Summe der Nettobeträge der Positionen / Sum of Invoice line net amount"},
	{"BR-DEC-10", "BT-107", "Summe der Nachlässe auf Dokumentenebene / Sum of allowances on document level"},
	{"BR-DEC-11", "BT-108", "Summe der Zuschläge auf Dokumentenebene / Sum of charges on document level"},
	{"BR-DEC-12", "BT-109", "Gesamtbetrag ohne Umsatzsteuer / Invoice total amount without VAT"},
	{"BR-DEC-13", "BT-110", "Umsatzsteuergesamtbetrag / Invoice total VAT amount"},
	{"BR-DEC-14", "BT-112", "Gesamtbetrag einschließlich Umsatzsteuer / Invoice total amount with VAT"},
	{"BR-DEC-15", "BT-111", "Umsatzsteuergesamtbetrag in Buchungswährung / Invoice total VAT amount in accounting currency"},
	{"BR-DEC-16", "BT-113", "Gezahlter Betrag / Paid amount"},
	{"BR-DEC-17", "BT-114", "Rundungsbetrag / Rounding amount"},
	{"BR-DEC-18", "BT-115", "Fälliger Zahlungsbetrag / Amount due for payment"},
	{"BR-DEC-19", "BT-116", "Steuerbasisbetrag der Kategorie / VAT category taxable amount"},
	{"BR-DEC-20", "BT-117", "Steuerbetrag der Kategorie / VAT category tax amount"},
	{"BR-DEC-23", "BT-131", "Nettobetrag der Position / Invoice line net amount"},
	{"BR-DEC-24", "BT-136", "Nachlassbetrag der Position / Invoice line allowance amount"},
	{"BR-DEC-25", "BT-137", "Grundbetrag des Nachlasses der Position / Invoice line allowance base amount"},
	{"BR-DEC-27", "BT-141", "Zuschlagsbetrag der Position / Invoice line charge amount"},
	{"BR-DEC-28", "BT-142", "Grundbetrag des Zuschlags der Position / Invoice line charge base amount"},
}

func init() {
	for _, d := range decTerms {
		de, en := splitDE(d[2])
		define(FamilyDecimals, Fatal, d[0],
			"Der Wert „"+de+"“ ("+d[1]+") darf höchstens zwei Nachkommastellen haben.",
			"The allowed maximum number of decimals for the "+en+" ("+d[1]+") is 2.")
	}
	checks = append(checks, checkDecimals)
}

func splitDE(s string) (string, string) {
	for i := 0; i+3 <= len(s); i++ {
		if s[i:i+3] == " / " {
			return s[:i], s[i+3:]
		}
	}
	return s, s
}

func checkDecimals(v *vctx) {
	inv := v.inv
	two := func(id, el, val string) { v.check(val == "" || decimals(val) <= 2, id, el, val) }
	t := inv.Totals
	for _, x := range [][3]string{{"BR-DEC-09", "BT-106", t.LineNet}, {"BR-DEC-10", "BT-107", t.Allowances},
		{"BR-DEC-11", "BT-108", t.Charges}, {"BR-DEC-12", "BT-109", t.TaxExclusive}, {"BR-DEC-13", "BT-110", t.TaxTotal},
		{"BR-DEC-14", "BT-112", t.TaxInclusive}, {"BR-DEC-15", "BT-111", t.TaxTotalAcc}, {"BR-DEC-16", "BT-113", t.Prepaid},
		{"BR-DEC-17", "BT-114", t.Rounding}, {"BR-DEC-18", "BT-115", t.Payable}} {
		two(x[0], x[1], x[2])
	}
	for i, a := range inv.Allowances {
		if a.Charge {
			two("BR-DEC-05", nth("BG-21", i, "BT-99"), a.Amount)
			two("BR-DEC-06", nth("BG-21", i, "BT-100"), a.Base)
		} else {
			two("BR-DEC-01", nth("BG-20", i, "BT-92"), a.Amount)
			two("BR-DEC-02", nth("BG-20", i, "BT-93"), a.Base)
		}
	}
	for i, b := range inv.VAT {
		two("BR-DEC-19", nth("BG-23", i, "BT-116"), b.Taxable)
		two("BR-DEC-20", nth("BG-23", i, "BT-117"), b.Tax)
	}
	for i, l := range inv.Lines {
		two("BR-DEC-23", lineRef(inv, i, "BT-131"), l.NetAmount)
		for _, a := range l.Allowances {
			if a.Charge {
				two("BR-DEC-27", lineRef(inv, i, "BT-141"), a.Amount)
				two("BR-DEC-28", lineRef(inv, i, "BT-142"), a.Base)
			} else {
				two("BR-DEC-24", lineRef(inv, i, "BT-136"), a.Amount)
				two("BR-DEC-25", lineRef(inv, i, "BT-137"), a.Base)
			}
		}
	}
}
