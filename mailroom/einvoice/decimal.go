package einvoice

import (
	"math/big"
	"strings"
)

// Decimal arithmetic for the calculation rules: exact rationals (math/big),
// never floating point. Values are xs:decimal literals as the schemas
// allow them: optional sign, digits, optional fraction, no exponent.

// maxDecimalDigits bounds a literal we compute with; longer ones are
// rejected as not a decimal (no real amount has 40 digits).
const maxDecimalDigits = 40

// dec parses an xs:decimal literal.
func dec(s string) (*big.Rat, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxDecimalDigits+2 {
		return nil, false
	}
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 || body == "" || body == "." {
		return nil, false
	}
	dot := false
	for _, c := range body {
		switch {
		case c == '.' && !dot:
			dot = true
		case c < '0' || c > '9':
			return nil, false
		}
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// decOr0 parses s, treating absent or invalid as zero.
func decOr0(s string) *big.Rat {
	if r, ok := dec(s); ok {
		return r
	}
	return new(big.Rat)
}

var (
	ratHundred = big.NewRat(100, 1)
	ratHalf    = big.NewRat(1, 2)
	ratOne     = big.NewRat(1, 1)
)

// floorRat is the largest integer not above r.
func floorRat(r *big.Rat) *big.Int {
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if m.Sign() < 0 {
		q.Sub(q, big.NewInt(1))
	}
	return q
}

// round0 rounds to an integer as XPath fn:round does: half towards
// positive infinity.
func round0(r *big.Rat) *big.Rat {
	return new(big.Rat).SetInt(floorRat(new(big.Rat).Add(r, ratHalf)))
}

// round2 rounds to two decimals as the EN 16931 rules write it:
// round(x * 10 * 10) div 100.
func round2(r *big.Rat) *big.Rat {
	x := round0(new(big.Rat).Mul(r, ratHundred))
	return x.Quo(x, ratHundred)
}

func add(a ...*big.Rat) *big.Rat {
	s := new(big.Rat)
	for _, x := range a {
		s.Add(s, x)
	}
	return s
}

func sub(a, b *big.Rat) *big.Rat { return new(big.Rat).Sub(a, b) }
func mul(a, b *big.Rat) *big.Rat { return new(big.Rat).Mul(a, b) }
func abs(a *big.Rat) *big.Rat    { return new(big.Rat).Abs(a) }
func eq(a, b *big.Rat) bool      { return a.Cmp(b) == 0 }

// decimals is the number of digits after the point in the literal s.
func decimals(s string) int {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// fmtRat writes r with two decimals for messages (r is already rounded
// where it matters; this only formats).
func fmtRat(r *big.Rat) string { return r.FloatString(2) }

// within1 reports |a| - 1 < b < |a| + 1 (the CEN rules' tolerance for
// BR-CO-17 and the rate-based VAT rules).
func within1(a, b *big.Rat) bool {
	x := abs(a)
	return sub(x, ratOne).Cmp(b) < 0 && add(x, ratOne).Cmp(b) > 0
}
