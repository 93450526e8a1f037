package rendition

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom/evidence"
)

func destructionRows() []evidence.DestructionRow {
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	return []evidence.DestructionRow{
		{BatchID: "b-0001", Filename: "scan-0001.pdf", Source: "folder:eingang", Department: "Bauamt", ReceivedAt: day("2024-01-02"),
			Documents: 3, Pages: 7, ExportedAt: day("2024-01-03"), DestroyFrom: day("2024-02-02"), ReleasedBy: "Jürgen Müller (Bauamt)",
			ReleasedAt: day("2024-02-05"), May: true},
		{BatchID: "b-0002", Filename: strings.Repeat("sehr-langer-dateiname-", 6) + "ENDE.pdf", Source: "mail:post", Documents: 1, Pages: 1,
			ReceivedAt: day("2024-03-01"), Reasons: []string{"Freigabe des Fachbereichs fehlt / department's release missing"}},
	}
}

// The list's PDF carries the title, the mailroom, every batch with its
// dates, the reasons of a batch not yet allowed, umlauts, and cuts a value
// wider than its column.
func TestWriteDestructionPDF(t *testing.T) {
	var buf bytes.Buffer
	created := time.Date(2024, 3, 4, 15, 6, 0, 0, time.UTC)
	if err := WriteDestructionPDF(&buf, DestructionList{Instance: "Stadt Musterhausen", RetentionDays: 30, Created: created, Rows: destructionRows()}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext missing (poppler-utils in .ci/packages.txt)")
		}
		t.Skip("pdftotext (poppler-utils) missing: cannot read the text back")
	}
	p := filepath.Join(t.TempDir(), "list.pdf")
	os.WriteFile(p, buf.Bytes(), 0o600)
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", "-layout", p, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"Liste der zur Vernichtung freigegebenen Papieroriginale",
		"Stadt Musterhausen – erstellt 04.03.2024 15:06 – Aufbewahrungsfrist 30 Tage – BSI TR-03138",
		"b-0001", "scan-0001.pdf", "Bauamt", "2024-01-02", "2024-01-03", "2024-02-02", "Jürgen Müller (Bauamt)", " ja",
		"b-0002", "nein", "noch nicht: Freigabe des Fachbereichs fehlt / department's release missing",
		"Vernichtet am:", "Unterschrift:"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "ENDE.pdf") || !strings.Contains(text, "sehr-langer-dateiname-") {
		t.Errorf("the long file name must be cut to its column:\n%s", text)
	}
}

func TestWriteDestructionCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteDestructionCSV(&buf, destructionRows()); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(&buf)
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || len(recs[0]) != 13 || recs[0][0] != "Stapel" || recs[0][12] != "Gründe" {
		t.Fatalf("header: %v", recs)
	}
	want1 := "b-0001|scan-0001.pdf|folder:eingang|Bauamt|2024-01-02|3|7|2024-01-03|2024-02-02|Jürgen Müller (Bauamt)|2024-02-05|ja|"
	if got := strings.Join(recs[1], "|"); got != want1 {
		t.Errorf("row 1:\n%s\nwant\n%s", got, want1)
	}
	if recs[2][4] != "2024-03-01" || recs[2][7] != "" || recs[2][11] != "nein" || !strings.HasPrefix(recs[2][12], "Freigabe des Fachbereichs fehlt") {
		t.Errorf("row 2: %v", recs[2])
	}
}
