package einvoice

import "strings"

// profile is what the specification identifier (BT-24, CII guideline id)
// says about an invoice.
type profile struct {
	name       string
	xrechnung  bool   // the XRechnung CIUS applies
	notEN16931 string // rule id when the profile is no invoice under EN 16931
}

func init() {
	define(FamilyPoststelle, Fatal, "PS-PROFILE-01",
		"Das ZUGFeRD-/Factur-X-Profil (MINIMUM oder BASIC WL) ist keine Rechnung im Sinne der EN 16931: Es fehlen die Rechnungspositionen. Bitte eine Rechnung im Profil EN 16931, EXTENDED oder XRECHNUNG anfordern.",
		"The ZUGFeRD/Factur-X profile (MINIMUM or BASIC WL) is not an invoice under EN 16931: it has no invoice lines. Ask for an invoice in profile EN 16931, EXTENDED or XRECHNUNG.")
	define(FamilyPoststelle, Fatal, "PS-PROFILE-02",
		"ZUGFeRD 1.0 ist älter als die EN 16931 und erfüllt sie nicht. Bitte eine Rechnung nach ZUGFeRD 2 / XRechnung anfordern.",
		"ZUGFeRD 1.0 predates EN 16931 and does not comply with it. Ask for a ZUGFeRD 2 / XRechnung invoice.")
}

// Known guideline ids (ZUGFeRD 2.x / Factur-X 1.0 specification, KoSIT XRechnung).
var profileNames = []struct{ prefix, name string }{
	{"urn:factur-x.eu:1p0:minimum", "ZUGFeRD MINIMUM"},
	{"urn:factur-x.eu:1p0:basicwl", "ZUGFeRD BASIC WL"},
	{"urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic", "ZUGFeRD BASIC"},
	{"urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended", "ZUGFeRD EXTENDED"},
	{"urn:cen.eu:en16931:2017#conformant#urn:zugferd.de:2p0:extended", "ZUGFeRD EXTENDED"},
	{"urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_", "XRechnung"},
	{"urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_", "XRechnung"},
	{"urn:cen.eu:en16931:2017#compliant#urn:zugferd.de:2p0:basic", "ZUGFeRD BASIC"},
	{"urn:zugferd.de:2p0:minimum", "ZUGFeRD MINIMUM"},
	{"urn:zugferd.de:2p0:basicwl", "ZUGFeRD BASIC WL"},
	{"urn:ferd:CrossIndustryDocument:invoice:1p0", "ZUGFeRD 1.0"},
	{"urn:cen.eu:en16931:2017", "EN 16931"},
}

func profileOf(inv *Invoice) profile {
	id := strings.TrimSpace(inv.Profile)
	p := profile{name: id}
	for _, k := range profileNames {
		if strings.HasPrefix(id, k.prefix) {
			p.name = k.name
			break
		}
	}
	switch p.name {
	case "XRechnung":
		p.xrechnung = true
		if i := strings.LastIndex(id, "xrechnung_"); i >= 0 {
			v := id[i+len("xrechnung_"):]
			if j := strings.IndexByte(v, '#'); j >= 0 {
				v = v[:j]
			}
			p.name = "XRechnung " + v
		}
	case "ZUGFeRD MINIMUM", "ZUGFeRD BASIC WL":
		p.notEN16931 = "PS-PROFILE-01"
	}
	if inv.Syntax == SyntaxZUGFeRD1 {
		p.name, p.notEN16931 = "ZUGFeRD 1.0", "PS-PROFILE-02"
	}
	return p
}
