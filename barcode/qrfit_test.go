package barcode

import (
	"strings"
	"testing"
)

// The function-pattern template must match every module it lists on codes
// made by an encoder, for versions with and without version information.
func TestQRTemplateMatchesEncodedCodes(t *testing.T) {
	for _, n := range []int{5, 30, 80, 150, 300, 600} {
		text := strings.Repeat("Poststelle ", n/10+1)[:n]
		m := encodeModules(t, QRCode, text)
		dim := len(m)
		tp, err := newQRTemplate(dim)
		if err != nil {
			t.Fatal(err)
		}
		bad := 0
		for i := range tp.x {
			if m[tp.y[i]][tp.x[i]] != tp.dark[i] {
				bad++
				if bad < 5 {
					t.Logf("dim %d: module (%d,%d) dark=%v, template %v", dim, tp.x[i], tp.y[i], m[tp.y[i]][tp.x[i]], tp.dark[i])
				}
			}
		}
		if bad > 0 {
			t.Errorf("dim %d (version %d): %d of %d template modules wrong", dim, tp.version.GetVersionNumber(), bad, len(tp.x))
		}
	}
}
