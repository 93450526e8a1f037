package einvoice

import (
	"fmt"
	"math/big"
)

// EN 16931-1 VAT category rules: BR-S (standard rated), BR-Z (zero rated),
// BR-E (exempt), BR-AE (reverse charge), BR-IC (intra-community supply, code
// K), BR-G (export outside the EU), BR-O (not subject to VAT), BR-IG (IGIC,
// code L), BR-IP (IPSI, code M). Rules 01 … 10 have the same shape for
// every category; the category decides the details.

type rateKind int

const (
	ratePositive rateKind = iota // S: > 0
	rateZero                     // Z, E, AE, K, G: = 0
	rateNonNeg                   // L, M: >= 0
	rateNone                     // O: no rate
)

type vatCategory struct {
	code, prefix string
	en, de       string
	multi        bool     // S, L, M: one breakdown per rate, tax computed from the rate
	rate         rateKind // rules 05 … 07
	exemption    bool     // rule 10: exemption reason required (true) or forbidden (false)
	ids          func(inv *Invoice) bool
	idsEN, idsDE string
}

func sellerVATorReg(inv *Invoice) bool {
	return inv.Seller.VATID != "" || inv.Seller.TaxRegID != "" || taxRepVAT(inv) != ""
}
func sellerVAT(inv *Invoice) bool { return inv.Seller.VATID != "" || taxRepVAT(inv) != "" }

const (
	idsStdEN = "the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63)"
	idsStdDE = "die Umsatzsteuer-Identifikationsnummer des Verkäufers (BT-31), seine Steuernummer (BT-32) und/oder die Umsatzsteuer-Identifikationsnummer des Steuervertreters (BT-63) enthalten"
)

var vatCategories = []vatCategory{
	{code: "S", prefix: "BR-S", en: "Standard rated", de: "Normalsatz", multi: true, rate: ratePositive,
		ids: sellerVATorReg, idsEN: "shall contain " + idsStdEN, idsDE: idsStdDE},
	{code: "Z", prefix: "BR-Z", en: "Zero rated", de: "Nullsatz", rate: rateZero,
		ids: sellerVATorReg, idsEN: "shall contain " + idsStdEN, idsDE: idsStdDE},
	{code: "E", prefix: "BR-E", en: "Exempt from VAT", de: "steuerbefreit", rate: rateZero, exemption: true,
		ids: sellerVATorReg, idsEN: "shall contain " + idsStdEN, idsDE: idsStdDE},
	{code: "AE", prefix: "BR-AE", en: "Reverse charge", de: "Umkehrung der Steuerschuldnerschaft", rate: rateZero, exemption: true,
		ids: func(inv *Invoice) bool {
			return sellerVATorReg(inv) && (inv.Buyer.VATID != "" || inv.Buyer.LegalID.Value != "")
		},
		idsEN: "shall contain " + idsStdEN + " and the Buyer VAT identifier (BT-48) and/or the Buyer legal registration identifier (BT-47)",
		idsDE: idsStdDE + ", außerdem die Umsatzsteuer-Identifikationsnummer (BT-48) und/oder Registernummer (BT-47) des Erwerbers"},
	{code: "K", prefix: "BR-IC", en: "Intra-community supply", de: "innergemeinschaftliche Lieferung", rate: rateZero, exemption: true,
		ids:   func(inv *Invoice) bool { return sellerVAT(inv) && inv.Buyer.VATID != "" },
		idsEN: "shall contain the Seller VAT Identifier (BT-31) or the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48)",
		idsDE: "die Umsatzsteuer-Identifikationsnummer des Verkäufers (BT-31) oder seines Steuervertreters (BT-63) und die des Erwerbers (BT-48) enthalten"},
	{code: "G", prefix: "BR-G", en: "Export outside the EU", de: "Ausfuhr aus der EU", rate: rateZero, exemption: true,
		ids: sellerVAT, idsEN: "shall contain the Seller VAT Identifier (BT-31) or the Seller tax representative VAT identifier (BT-63)",
		idsDE: "die Umsatzsteuer-Identifikationsnummer des Verkäufers (BT-31) oder seines Steuervertreters (BT-63) enthalten"},
	{code: "O", prefix: "BR-O", en: "Not subject to VAT", de: "nicht steuerbar", rate: rateNone, exemption: true,
		ids:   func(inv *Invoice) bool { return !sellerVAT(inv) && inv.Buyer.VATID == "" },
		idsEN: "shall not contain the Seller VAT identifier (BT-31), the Seller tax representative VAT identifier (BT-63) or the Buyer VAT identifier (BT-48)",
		idsDE: "keine Umsatzsteuer-Identifikationsnummer des Verkäufers (BT-31), seines Steuervertreters (BT-63) oder des Erwerbers (BT-48) enthalten"},
	{code: "L", prefix: "BR-IG", en: "IGIC", de: "IGIC (Kanarische Inseln)", multi: true, rate: rateNonNeg,
		ids: sellerVATorReg, idsEN: "shall contain " + idsStdEN, idsDE: idsStdDE},
	{code: "M", prefix: "BR-IP", en: "IPSI", de: "IPSI (Ceuta und Melilla)", multi: true, rate: rateNonNeg,
		ids: sellerVATorReg, idsEN: "shall contain " + idsStdEN, idsDE: idsStdDE},
}

func init() {
	for _, c := range vatCategories {
		defineVATCategory(c)
	}
	define(FamilyVAT, Fatal, "BR-IC-11", "Bei innergemeinschaftlicher Lieferung (BT-118 = K) muss das Lieferdatum (BT-72) oder der Abrechnungszeitraum (BG-14) angegeben sein.",
		"In an Invoice with a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Intra-community supply\" the Actual delivery date (BT-72) or the Invoicing period (BG-14) shall not be blank.")
	define(FamilyVAT, Fatal, "BR-IC-12", "Bei innergemeinschaftlicher Lieferung (BT-118 = K) muss der Ländercode der Lieferanschrift (BT-80) angegeben sein.",
		"In an Invoice with a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Intra-community supply\" the Deliver to country code (BT-80) shall not be blank.")
	define(FamilyVAT, Fatal, "BR-O-11", "Eine Rechnung mit der Kategorie „nicht steuerbar“ (O) darf keine weitere Umsatzsteueraufschlüsselung (BG-23) enthalten.",
		"An Invoice that contains a VAT breakdown group (BG-23) with a VAT category code (BT-118) \"Not subject to VAT\" shall not contain other VAT breakdown groups (BG-23).")
	define(FamilyVAT, Fatal, "BR-O-12", "Eine Rechnung mit der Kategorie „nicht steuerbar“ (O) darf keine Position (BG-25) mit anderer Kategorie (BT-151) enthalten.",
		"An Invoice that contains a VAT breakdown group (BG-23) with a VAT category code (BT-118) \"Not subject to VAT\" shall not contain an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is not \"Not subject to VAT\".")
	define(FamilyVAT, Fatal, "BR-O-13", "Eine Rechnung mit der Kategorie „nicht steuerbar“ (O) darf keinen Nachlass (BG-20) mit anderer Kategorie (BT-95) enthalten.",
		"An Invoice that contains a VAT breakdown group (BG-23) with a VAT category code (BT-118) \"Not subject to VAT\" shall not contain Document level allowances (BG-20) where Document level allowance VAT category code (BT-95) is not \"Not subject to VAT\".")
	define(FamilyVAT, Fatal, "BR-O-14", "Eine Rechnung mit der Kategorie „nicht steuerbar“ (O) darf keinen Zuschlag (BG-21) mit anderer Kategorie (BT-102) enthalten.",
		"An Invoice that contains a VAT breakdown group (BG-23) with a VAT category code (BT-118) \"Not subject to VAT\" shall not contain Document level charges (BG-21) where Document level charge VAT category code (BT-102) is not \"Not subject to VAT\".")
	checks = append(checks, checkVATCategories, checkVATSpecial)
}

var rateTexts = map[rateKind][2]string{
	ratePositive: {"shall be greater than zero", "muss größer als null sein"},
	rateZero:     {"shall be 0 (zero)", "muss 0 (null) sein"},
	rateNonNeg:   {"shall be 0 (zero) or greater than zero", "muss 0 (null) oder größer sein"},
	rateNone:     {"shall not be given", "darf nicht angegeben sein"},
}

func defineVATCategory(c vatCategory) {
	id := func(n int) string { return fmt.Sprintf("%s-%02d", c.prefix, n) }
	qEN, qDE := `"`+c.en+`"`, "„"+c.de+"“ ("+c.code+")"
	count, countDE := "exactly one", "genau eine"
	if c.multi {
		count, countDE = "at least one", "mindestens eine"
	}
	define(FamilyVAT, Fatal, id(1), "Eine Rechnung mit Positionen, Nachlässen oder Zuschlägen der Kategorie "+qDE+" muss "+countDE+" Umsatzsteueraufschlüsselung (BG-23) dieser Kategorie enthalten.",
		"An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is "+qEN+" shall contain in the VAT breakdown (BG-23) "+count+" VAT category code (BT-118) equal with "+qEN+".")
	for i, what := range [][3]string{{"an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151)", "Position (BG-25)", "BT-151"},
		{"a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95)", "Nachlass (BG-20)", "BT-95"},
		{"a Document level charge (BG-21) where the Document level charge VAT category code (BT-102)", "Zuschlag (BG-21)", "BT-102"}} {
		define(FamilyVAT, Fatal, id(2+i), "Eine Rechnung mit einem "+what[1]+" der Kategorie "+qDE+" muss "+c.idsDE+".",
			"An Invoice that contains "+what[0]+" is "+qEN+" "+c.idsEN+".")
	}
	rt := rateTexts[c.rate]
	rateEN, rateDE := rt[0], rt[1]
	for i, w := range [][3]string{{"an Invoice line (BG-25)", "BT-151", "BT-152"}, {"a Document level allowance (BG-20)", "BT-95", "BT-96"},
		{"a Document level charge (BG-21)", "BT-102", "BT-103"}} {
		define(FamilyVAT, Fatal, id(5+i), "Bei Kategorie "+qDE+" ("+w[1]+") "+rateDE+" der Steuersatz ("+w[2]+").",
			"In "+w[0]+" where the VAT category code ("+w[1]+") is "+qEN+" the VAT rate ("+w[2]+") "+rateEN+".")
	}
	if c.multi {
		define(FamilyVAT, Fatal, id(8), "Für jeden Steuersatz der Kategorie "+qDE+" muss der Steuerbasisbetrag (BT-116) der Summe der Positionsnettobeträge plus Zuschläge minus Nachlässe mit dieser Kategorie und diesem Satz entsprechen.",
			"For each different value of VAT category rate (BT-119) where the VAT category code (BT-118) is "+qEN+", the VAT category taxable amount (BT-116) in a VAT breakdown (BG-23) shall equal the sum of Invoice line net amounts (BT-131) plus the sum of document level charge amounts (BT-99) minus the sum of document level allowance amounts (BT-92) where the VAT category code (BT-151, BT-102, BT-95) is "+qEN+" and the VAT rate (BT-152, BT-103, BT-96) equals the VAT category rate (BT-119).")
		define(FamilyVAT, Fatal, id(9), "Der Steuerbetrag (BT-117) der Kategorie "+qDE+" muss dem Steuerbasisbetrag (BT-116) mal Steuersatz (BT-119) entsprechen.",
			"The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where VAT category code (BT-118) is "+qEN+" shall equal the VAT category taxable amount (BT-116) multiplied by the VAT category rate (BT-119).")
	} else {
		define(FamilyVAT, Fatal, id(8), "Der Steuerbasisbetrag (BT-116) der Kategorie "+qDE+" muss der Summe der Positionsnettobeträge minus Nachlässe plus Zuschläge dieser Kategorie entsprechen.",
			"In a VAT breakdown (BG-23) where the VAT category code (BT-118) is "+qEN+" the VAT category taxable amount (BT-116) shall equal the sum of Invoice line net amounts (BT-131) minus the sum of Document level allowance amounts (BT-92) plus the sum of Document level charge amounts (BT-99) where the VAT category codes (BT-151, BT-95, BT-102) are "+qEN+".")
		define(FamilyVAT, Fatal, id(9), "Der Steuerbetrag (BT-117) der Kategorie "+qDE+" muss 0 (null) sein.",
			"The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where the VAT category code (BT-118) is "+qEN+" shall be 0 (zero).")
	}
	if c.exemption {
		define(FamilyVAT, Fatal, id(10), "Eine Umsatzsteueraufschlüsselung (BG-23) der Kategorie "+qDE+" muss einen Befreiungsgrund (BT-120) oder dessen Code (BT-121) enthalten.",
			"A VAT breakdown (BG-23) with VAT Category code (BT-118) "+qEN+" shall have a VAT exemption reason code (BT-121) or a VAT exemption reason text (BT-120).")
	} else {
		define(FamilyVAT, Fatal, id(10), "Eine Umsatzsteueraufschlüsselung (BG-23) der Kategorie "+qDE+" darf keinen Befreiungsgrund (BT-120, BT-121) enthalten.",
			"A VAT breakdown (BG-23) with VAT Category code (BT-118) "+qEN+" shall not have a VAT exemption reason code (BT-121) or VAT exemption reason text (BT-120).")
	}
}

// vatUse is one line, allowance or charge with a VAT category.
type vatUse struct {
	kind    int // 0 line, 1 allowance, 2 charge
	cat     TaxCat
	amount  *big.Rat // net amount; negative for allowances
	element string
}

func vatUses(inv *Invoice) []vatUse {
	var out []vatUse
	for i, l := range inv.Lines {
		if l.VAT.isVAT() {
			out = append(out, vatUse{0, l.VAT, decOr0(l.NetAmount), lineRef(inv, i, "BT-151")})
		}
	}
	for i, a := range inv.Allowances {
		if !a.VAT.isVAT() {
			continue
		}
		if a.Charge {
			out = append(out, vatUse{2, a.VAT, decOr0(a.Amount), nth("BG-21", i, "BT-102")})
		} else {
			out = append(out, vatUse{1, a.VAT, new(big.Rat).Neg(decOr0(a.Amount)), nth("BG-20", i, "BT-95")})
		}
	}
	return out
}

func checkVATCategories(v *vctx) {
	uses := vatUses(v.inv)
	for _, c := range vatCategories {
		checkVATCategory(v, c, uses)
	}
}

func checkVATCategory(v *vctx, c vatCategory, uses []vatUse) {
	inv := v.inv
	id := func(n int) string { return fmt.Sprintf("%s-%02d", c.prefix, n) }
	used := [3]bool{}
	for _, u := range uses {
		if u.cat.Code != c.code {
			continue
		}
		used[u.kind] = true
		checkRate(v, c, id(5+u.kind), u.cat.Rate, u.element)
	}
	var breakdowns []int
	for i, b := range inv.VAT {
		if b.Cat.isVAT() && b.Cat.Code == c.code {
			breakdowns = append(breakdowns, i)
		}
	}
	anyUse := used[0] || used[1] || used[2]
	if c.multi {
		v.check(anyUse == (len(breakdowns) > 0), id(1), "BG-23 / BT-118", c.code)
	} else {
		v.check(!(anyUse || len(breakdowns) > 0) || len(breakdowns) == 1, id(1), "BG-23 / BT-118", c.code)
	}
	for k := 0; k < 3; k++ {
		if used[k] {
			v.check(c.ids(inv), id(2+k), "BT-31 / BT-32 / BT-63 / BT-48", inv.Seller.VATID)
		}
	}
	for _, i := range breakdowns {
		checkBreakdown(v, c, i, uses)
	}
}

func checkRate(v *vctx, c vatCategory, id, rate, element string) {
	r, ok := dec(rate)
	switch c.rate {
	case ratePositive:
		v.check(ok && r.Sign() > 0, id, element, rate)
	case rateZero:
		v.check(ok && r.Sign() == 0, id, element, rate)
	case rateNonNeg:
		v.check(ok && r.Sign() >= 0, id, element, rate)
	case rateNone:
		v.check(rate == "", id, element, rate)
	}
}

func checkBreakdown(v *vctx, c vatCategory, i int, uses []vatUse) {
	b := v.inv.VAT[i]
	id := func(n int) string { return fmt.Sprintf("%s-%02d", c.prefix, n) }
	taxable, tax := decOr0(b.Taxable), decOr0(b.Tax)
	sum, matched := new(big.Rat), false
	rate, rateOK := dec(b.Cat.Rate)
	for _, u := range uses {
		if u.cat.Code != c.code {
			continue
		}
		if c.multi {
			ur, ok := dec(u.cat.Rate)
			if !ok || !rateOK || !eq(round0(ur), round0(rate)) {
				continue
			}
		}
		matched = true
		sum.Add(sum, u.amount)
	}
	if c.multi {
		v.check(matched && within1(taxable, sum), id(8), nth("BG-23", i, "BT-116"), b.Taxable+" ≠ "+fmtRat(sum))
		want := new(big.Rat)
		if rateOK {
			want = round2(mul(abs(taxable), new(big.Rat).Quo(rate, ratHundred)))
		}
		v.check(within1(tax, want), id(9), nth("BG-23", i, "BT-117"), b.Tax+" ≠ "+fmtRat(want))
	} else {
		v.check(eq(taxable, sum), id(8), nth("BG-23", i, "BT-116"), b.Taxable+" ≠ "+fmtRat(sum))
		v.check(tax.Sign() == 0, id(9), nth("BG-23", i, "BT-117"), b.Tax)
	}
	hasReason := b.ExemptionText != "" || b.ExemptionCode != ""
	v.check(hasReason == c.exemption, id(10), nth("BG-23", i, "BT-120 / BT-121"), b.ExemptionText+b.ExemptionCode)
}

func checkVATSpecial(v *vctx) {
	inv := v.inv
	hasK, hasO := false, false
	for _, b := range inv.VAT {
		hasK = hasK || (b.Cat.isVAT() && b.Cat.Code == "K")
		hasO = hasO || (b.Cat.isVAT() && b.Cat.Code == "O")
	}
	if hasK {
		date := inv.Delivery != nil && len(inv.Delivery.Date) > 1
		period := inv.Period != nil && (inv.Period.Start != "" || inv.Period.End != "")
		v.check(date || period, "BR-IC-11", "BT-72 / BG-14", "")
		country := inv.Delivery != nil && inv.Delivery.Address != nil && len(inv.Delivery.Address.Country) > 1
		v.check(country, "BR-IC-12", "BT-80", "")
	}
	if !hasO {
		return
	}
	for i, b := range inv.VAT {
		v.check(!b.Cat.isVAT() || b.Cat.Code == "O", "BR-O-11", nth("BG-23", i, "BT-118"), b.Cat.Code)
	}
	for _, u := range vatUses(inv) {
		id := [3]string{"BR-O-12", "BR-O-13", "BR-O-14"}[u.kind]
		v.check(u.cat.Code == "O", id, u.element, u.cat.Code)
	}
}
