package rendition

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWriteReport(t *testing.T) {
	var many []Finding
	for i := 0; i < MaxReportFindings+3; i++ {
		many = append(many, Finding{ID: fmt.Sprintf("BR-W-%d", i), Message: "Warnung"})
	}
	r := Report{
		Title:   "Prüfbericht E-Rechnung",
		Fields:  []Field{{Label: "Rechnungsnummer", Value: "R-1"}, {Label: "leer", Value: ""}},
		Verdict: "Ergebnis: ungültig.",
		Groups: []FindingGroup{
			{Heading: "Verletzte Regeln", Findings: []Finding{{ID: "BR-CO-15", Severity: "Fehler / fatal",
				Message: "Gesamtbetrag einschließlich Umsatzsteuer stimmt nicht.", Element: "BT-112", Value: "346.9 ≠ 336.90"}}},
			{Heading: "Warnungen", Findings: many},
			{Heading: "Hinweise", Empty: "Keine Hinweise."},
		},
		Footer:  "Geprüft von Poststelle.",
		Created: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	path := filepath.Join(t.TempDir(), "pruefbericht.pdf")
	if err := WriteReport(path, r); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) missing")
		}
		t.Skip("pdftotext (poppler-utils) missing: cannot read the text back")
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"Prüfbericht", "BR-CO-15", "einschließlich", "346.9 ≠ 336.90", "BT-112", "Keine Hinweise.",
		"BR-W-0", "und 3 weitere", "Geprüft von Poststelle."} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(text, fmt.Sprintf("BR-W-%d", MaxReportFindings)) || strings.Contains(text, "leer") {
		t.Error("report prints what it should leave out")
	}
}
