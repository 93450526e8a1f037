package proposal

import (
	"os"
	"testing"

	"poststelle/mailroom/testcorpus"
)

func TestLetter(t *testing.T) {
	letter := `Stadtwerke Musterstadt GmbH · Hauptstraße 1 · 40210 Düsseldorf

Stadt Musterstadt
Bauordnungsamt
Rathausplatz 2
40213 Düsseldorf
                                        Düsseldorf, 14. Oktober 2026
Ihr Zeichen: 63-12/2026
Aktenzeichen: 63.2-0815/26

Betreff: Widerspruch gegen den Gebührenbescheid vom 01.09.2026

Sehr geehrte Damen und Herren,
hiermit lege ich Widerspruch ein.`
	got := Text{}.Propose([]string{letter})
	want := map[string]string{
		"sender":        "Stadtwerke Musterstadt GmbH",
		"letter_date":   "2026-10-14",
		"aktenzeichen":  "63.2-0815/26",
		"subject":       "Widerspruch gegen den Gebührenbescheid vom 01.09.2026",
		"document_type": "Widerspruch",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestSenderLabelDropped(t *testing.T) {
	got := Text{}.Propose([]string{"Verkäufer\nName: Lieferant GmbH\nAnschrift: Lieferantenstraße 20"})
	if got["sender"] != "Lieferant GmbH" {
		t.Errorf("sender %q", got["sender"])
	}
}

func TestNothingFromNothing(t *testing.T) {
	got := Text{}.Propose([]string{"Lorem ipsum dolor sit amet, 31.02.2020 ist kein Datum."})
	if len(got) != 0 {
		t.Errorf("proposals from text without clues: %v", got)
	}
	if len(Text{}.Propose(nil)) != 0 {
		t.Error("proposals without text")
	}
}

// TestInvoicePages uses the ground truth of the scanned batch (the text a
// perfect OCR would give).
func TestInvoicePages(t *testing.T) {
	cases := map[string]map[string]string{
		"EN16931_Einfach-1.txt":    {"document_type": "Rechnung", "letter_date": "2018-03-05", "sender": "Lieferant GmbH"},
		"EN16931_Gutschrift-1.txt": {"document_type": "Gutschrift", "letter_date": "2018-03-05", "sender": "Lieferant GmbH"},
		"EN16931_Miete-1.txt":      {"document_type": "Rechnung", "letter_date": "2018-10-01"},
	}
	for name, want := range cases {
		b, err := os.ReadFile(testcorpus.Path(t, "scans", "groundtruth", name))
		if err != nil {
			t.Fatal(err)
		}
		got := Text{}.Propose([]string{string(b)})
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %q, want %q", name, k, got[k], v)
			}
		}
	}
}
