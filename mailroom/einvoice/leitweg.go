package einvoice

import (
	"math/big"
	"regexp"
	"strings"
)

// The Leitweg-ID (KoSIT "Format-Spezifikation Leitweg-ID") addresses an
// invoice to a public authority: Grobadressierung (2 to 12 digits: Land or
// Bund, Regierungsbezirk, Landkreis, Gemeinde), optional Feinadressierung
// (up to 30 letters and digits), and two check digits, joined by "-".
// The check digits follow ISO/IEC 7064 MOD 97-10 over the ID without
// hyphens, letters counted A = 10 … Z = 35: the whole number mod 97 is 1.

func init() {
	define(FamilyPoststelle, Warning, "PS-LW-01",
		"Die Leitweg-ID (BT-10) hat nicht den Aufbau Grobadressierung-Feinadressierung-Prüfziffer (z. B. 04011000-12345-03).",
		"The Leitweg-ID (BT-10) does not have the structure coarse address-fine address-check digits (e.g. 04011000-12345-03).")
	define(FamilyPoststelle, Warning, "PS-LW-02",
		"Die Prüfziffer der Leitweg-ID (BT-10) stimmt nicht (ISO/IEC 7064 MOD 97-10).",
		"The check digits of the Leitweg-ID (BT-10) are wrong (ISO/IEC 7064 MOD 97-10).")
}

var (
	reLeitweg     = regexp.MustCompile(`^([0-9]{2,12})(-[A-Za-z0-9]{1,30})?-([0-9]{2})$`)
	reLeitwegLike = regexp.MustCompile(`^[0-9]{2,12}-`)
)

// LeitwegProblem returns "" for a well-formed Leitweg-ID with correct check
// digits, else the id of the rule it breaks (PS-LW-01 structure, PS-LW-02
// check digits).
func LeitwegProblem(id string) string {
	m := reLeitweg.FindStringSubmatch(id)
	if m == nil {
		return "PS-LW-01"
	}
	grob := m[1]
	switch len(grob) {
	case 2, 3, 5, 8, 9, 12:
	default:
		return "PS-LW-01"
	}
	if land := grob[:2]; land != "99" && (land < "01" || land > "16") {
		return "PS-LW-01"
	}
	if !mod97OK(strings.ReplaceAll(id, "-", "")) {
		return "PS-LW-02"
	}
	return ""
}

// mod97OK reports whether s (digits and letters) is 1 mod 97 with letters
// as two-digit numbers A = 10 … Z = 35.
func mod97OK(s string) bool {
	var b strings.Builder
	for _, c := range strings.ToUpper(s) {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c >= 'A' && c <= 'Z':
			b.WriteString(big.NewInt(int64(c - 'A' + 10)).String())
		default:
			return false
		}
	}
	n, ok := new(big.Int).SetString(b.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}

// checkLeitwegID warns about a malformed Leitweg-ID. For XRechnung the
// buyer reference is the Leitweg-ID; for other profiles it is checked only
// when it looks like one (digits, then a hyphen).
func checkLeitwegID(v *vctx, xrechnung bool) {
	ref := v.inv.BuyerReference
	if ref == "" || (!xrechnung && !reLeitwegLike.MatchString(ref)) {
		return
	}
	if id := LeitwegProblem(ref); id != "" {
		v.fail(id, "BT-10", ref)
	}
}

var reIBAN = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{0,30}$`)

// validIBAN checks an IBAN as BR-DE-19/20 do: form, then MOD 97-10 over the
// rearranged number.
func validIBAN(s string) bool {
	s = strings.Join(strings.Fields(s), "")
	if !reIBAN.MatchString(s) {
		return false
	}
	return mod97OK(s[4:] + s[:4])
}
