package rendition

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteUnicode(t *testing.T) {
	if !FontAvailable() {
		t.Skipf("font %s missing (Debian fonts-dejavu-core)", FontPath)
	}
	path := filepath.Join(t.TempDir(), "mail.pdf")
	d := Doc{Title: "Anfrage zur Müllabfuhr – Straße", Fields: []Field{{"Von", "Jürgen Öztürk <j@example.org>"}, {"Betreff", "Grüße"}},
		Body: strings.Repeat("Sehr geehrte Damen und Herren, die Tonne wurde nicht geleert.\r\n", 200) + "管理 \x00\x1b end"}
	if err := Write(path, d); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("%%EOF")) {
		t.Fatalf("not a PDF")
	}
	if !bytes.Contains(b, []byte("/BaseFont /utf8dejavu")) {
		t.Fatalf("Unicode font not embedded")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) missing: cannot read the text back")
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Müllabfuhr", "Straße", "Jürgen Öztürk", "Grüße", "nicht geleert", "end"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("rendition text lacks %q", want)
		}
	}
}
