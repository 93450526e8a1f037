package boundary

import (
	"os"
	"regexp"
	"strconv"
	"testing"
)

// docs/autosplit.md lists every signal with its weight; the two cannot
// drift apart. Every signal also has a German and English label.
func TestDocsListEverySignal(t *testing.T) {
	data, err := os.ReadFile("../../docs/autosplit.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z-]+)` \\| (-?[0-9.]+) \\|")
	documented := map[string]float64{}
	for _, m := range row.FindAllStringSubmatch(string(data), -1) {
		w, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			t.Fatalf("%s: weight %q", m[1], m[2])
		}
		documented[m[1]] = w
	}
	for _, s := range Signals() {
		w, ok := documented[s]
		if !ok {
			t.Errorf("signal %s missing in docs/autosplit.md", s)
		} else if w != Weight(s) {
			t.Errorf("signal %s: docs say %v, code %v", s, w, Weight(s))
		}
		if _, ok := labels[s]; !ok {
			t.Errorf("signal %s has no label", s)
		}
	}
	for s := range documented {
		if _, ok := weights[s]; !ok {
			t.Errorf("docs/autosplit.md lists unknown signal %s", s)
		}
	}
	if len(documented) != len(Signals()) {
		t.Errorf("%d signals documented, %d in the code", len(documented), len(Signals()))
	}
}
