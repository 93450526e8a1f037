package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocsProcedure renders the Verfahrensdokumentation from a config with
// two folder profiles of different protection levels, a seal and a TSA, and
// checks that the configured values (not just the headings) appear where
// they belong.
func TestDocsProcedure(t *testing.T) {
	bin := binary(t)
	data := t.TempDir()
	seal := filepath.Join(t.TempDir(), "siegel-stadt.p12")
	os.WriteFile(seal, []byte("not read by docs procedure"), 0o600)
	cfgPath := filepath.Join(t.TempDir(), "poststelle.toml")
	cfg := fmt.Sprintf(`data_dir = %q
[[folders]]
path = "eingang-buergerbuero"
name = "buergerbuero"
department = "Bürgerbüro"
class = "Antrag"
protection = "normal"
auto_approve = true

[[folders]]
path = "eingang-personal"
name = "personalakten"
department = "Personalamt"
class = "Personalakte"
protection = "sehr hoch"

[evidence]
seal_p12 = %q
tsa = "http://tsa.example.test:3180/tsr"
journal_timestamp_interval = "2h30m"
qa_sample_rate = 0.07
retention_days = 183
`, data, seal)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "verfahren.md")
	if _, stderr, code := run(t, bin, "docs", "procedure", "--config", cfgPath, "--out", out); code != 0 {
		t.Fatalf("docs procedure exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	lines := strings.Split(doc, "\n")
	// line returns the one line starting with prefix (a table row, a list item).
	line := func(prefix string) string {
		t.Helper()
		var hit []string
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				hit = append(hit, l)
			}
		}
		if len(hit) != 1 {
			t.Fatalf("want one line starting with %q, got %d:\n%s", prefix, len(hit), doc)
		}
		return hit[0]
	}
	cells := func(row string) []string {
		c := strings.Split(strings.Trim(row, "|"), "|")
		for i := range c {
			c[i] = strings.TrimSpace(c[i])
		}
		return c
	}
	// Profiles with their protection level (column 5) and auto approval.
	for _, want := range []struct{ name, folder, dept, class, prot, auto string }{
		{"buergerbuero", "eingang-buergerbuero", "Bürgerbüro", "Antrag", "normal", "ja"},
		{"personalakten", "eingang-personal", "Personalamt", "Personalakte", "sehr hoch", "nein"},
	} {
		c := cells(line("| " + want.name + " |"))
		if len(c) != 6 || c[1] != "Ordner "+want.folder ||
			c[2] != want.dept || c[3] != want.class || c[4] != want.prot || !strings.HasPrefix(c[5], want.auto) {
			t.Errorf("profile row %s: %q", want.name, c)
		}
	}
	// QA: the sample rate as a percentage in the row of level normal.
	if c := cells(line("| normal |")); !strings.Contains(c[1], "Stichprobe: 7.0 %") || !strings.Contains(c[3], "Siegel (PAdES) + Zeitstempel") {
		t.Errorf("QA row normal: %q", c)
	}
	if c := cells(line("| sehr hoch |")); !strings.Contains(c[2], "Vier Augen") || !strings.Contains(c[3], "Siegel (PAdES) + Zeitstempel") {
		t.Errorf("QA row sehr hoch: %q", c)
	}
	// Seal: the configured key file; timestamping: TSA and journal interval.
	if l := line("- Siegel:"); !strings.Contains(l, seal) || strings.Contains(l, "nicht konfiguriert") {
		t.Errorf("seal: %s", l)
	}
	if l := line("- Zeitstempel:"); !strings.Contains(l, "http://tsa.example.test:3180/tsr") || !strings.Contains(l, "alle 2h30m0s") {
		t.Errorf("timestamping: %s", l)
	}
	// Retention period.
	if l := line("Papieroriginale eines Stapels"); !strings.Contains(l, "seit dem Export 183 Tage vergangen") {
		t.Errorf("retention: %s", l)
	}
	if !strings.Contains(doc, cfgPath) {
		t.Errorf("the rendered document does not name its configuration %s", cfgPath)
	}
}
