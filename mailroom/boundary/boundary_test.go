package boundary

import (
	"reflect"

	"poststelle/mailroom"
	"testing"
)

func TestFindNumber(t *testing.T) {
	cases := []struct {
		text     string
		n, total int // 0, 0: none
	}{
		{"Seite 2 von 3", 2, 3},
		{"Seite2 von 3", 2, 3},
		{"Seite 1/2", 1, 2},
		{"Page 1 / 1", 1, 1},
		{"Page 3 of 4", 3, 4},
		{"Blatt 1 aus 4", 1, 4},
		{"Seite l von 2", 1, 2}, // OCR read the 1 as l
		{"- 2 -", 2, 0},
		{"– 12 –", 12, 0},
		{"2/3", 2, 3},
		{"2 / 3", 2, 3},
		{"3 von 5", 3, 5},
		{"Seite 2", 2, 0},
		{"Lieferant GmbH · Seite 2 von 2", 2, 2},
		{"201/113/40209", 0, 0}, // a tax number
		{"5/3", 0, 0},           // more than the total
		{"12/2023", 0, 0},       // a month
		{"Seite 0 von 2", 0, 0},
		{"Bitte wenden Sie sich an die auf Seite 2 genannte Stelle", 0, 0}, // prose
	}
	for _, c := range cases {
		p := page(1, at{25, 100, "Text der Seite"}, at{150, 285, c.text})
		f := analyse(p)
		got := f.number
		if c.n == 0 {
			if got != nil {
				t.Errorf("%q: found page number %+v, want none", c.text, *got)
			}
			continue
		}
		if got == nil || got.n != c.n || got.total != c.total {
			t.Errorf("%q: got %+v, want %d of %d", c.text, got, c.n, c.total)
		}
	}
	// Outside the header and footer zones a page number is not looked for.
	if f := analyse(page(1, at{25, 150, "Seite 2 von 3"})); f.number != nil {
		t.Errorf("page number in the middle of the page counted: %+v", *f.number)
	}
	// Header zone counts.
	if f := analyse(page(1, at{25, 100, "Text der Seite"}, at{90, 10, "- 3 -"})); f.number == nil || f.number.n != 3 {
		t.Errorf("page number in the header not found: %+v", f.number)
	}
}

func TestNumberingDecides(t *testing.T) {
	body := at{25, 100, "Der Text dieser Seite ist nicht wichtig für die Zählung der Seiten."}
	pages := []Page{
		page(1, body, at{160, 285, "Seite 1 von 2"}),
		page(2, body, at{160, 285, "Seite 2 von 2"}),
		page(3, body, at{160, 285, "Seite 1 von 3"}),
		page(4, body, at{160, 285, "Seite 2 von 3"}),
		page(5, body, at{160, 285, "Seite 3 von 3"}),
		page(6, body, at{160, 285, "Seite 1"}),
	}
	r := Score(pages, Options{})
	if got := proposed(r); !reflect.DeepEqual(got, []int{3, 6}) {
		t.Fatalf("proposals %v, want [3 6]; gaps %+v", got, r.Gaps)
	}
	if !signals(gapAt(r, 3))[SigNumberingRestarts] || !signals(gapAt(r, 2))[SigNumberingContinues] {
		t.Errorf("reasons: %+v", r.Gaps)
	}
	if len(r.Gaps) != 5 {
		t.Errorf("%d gaps, want 5", len(r.Gaps))
	}
}

// Letters without page numbers: the first-page layout and the closing
// formula carry the decision.
func TestLettersWithoutNumbering(t *testing.T) {
	pages := []Page{
		letterFirst(1, "Stadt Musterstadt", "Markt 1", "12345 Musterstadt", "32-1/2024", "Ihr Antrag auf Wohngeld"),
		letterFollow(2, closing(60)...),
		letterFirst(3, "Finanzamt Musterstadt", "Steuerstraße 9", "12346 Musterstadt", "123/456/78901", "Einkommensteuer 2023", closing(200)...),
		letterFirst(4, "Stadtwerke Musterstadt GmbH", "Am Werk 3", "12347 Musterstadt", "SW-7788", "Abschlagszahlung"),
		letterFollow(5),
		letterFollow(6, closing(80)...),
	}
	r := Score(pages, Options{})
	if got := proposed(r); !reflect.DeepEqual(got, []int{3, 4}) {
		for _, g := range r.Gaps {
			t.Logf("gap %d: %.2f %+v", g.Page, g.Score, g.Reasons)
		}
		t.Fatalf("proposals %v, want [3 4]", got)
	}
	s := signals(gapAt(r, 3))
	for _, want := range []string{SigAddressField, SigSenderLine, SigSalutation, SigDateLine, SigClosing, SigSignature} {
		if !s[want] {
			t.Errorf("gap before page 3 lacks %s: %+v", want, gapAt(r, 3).Reasons)
		}
	}
	if s := signals(gapAt(r, 4)); !s[SigOtherReference] {
		t.Errorf("gap before page 4 lacks %s: %+v", SigOtherReference, gapAt(r, 4).Reasons)
	}
	if s := signals(gapAt(r, 2)); !s[SigMidSentence] {
		t.Errorf("continuation page not recognised as such: %+v", gapAt(r, 2).Reasons)
	}
}

// A first page with every element of a letter does not outweigh page
// numbering that says the page continues the document.
func TestFirstPageCapped(t *testing.T) {
	pages := []Page{
		letterFirst(1, "Stadt Musterstadt", "Markt 1", "12345 Musterstadt", "32-1/2024", "Antrag", at{160, 285, "Seite 1 von 2"}),
		letterFirst(2, "Stadt Musterstadt", "Markt 1", "12345 Musterstadt", "32-1/2024", "Antrag", at{160, 285, "Seite 2 von 2"}),
	}
	r := Score(pages, Options{})
	g := gapAt(r, 2)
	first := 0.0
	for _, rs := range g.Reasons {
		switch rs.Signal {
		case SigAddressField, SigSenderLine, SigDocumentTitle, SigSubjectLine, SigDateLine, SigSalutation:
			first += rs.Weight
		}
	}
	if first > capFirstPage+0.01 || first < capFirstPage-0.05 {
		t.Errorf("first-page signals weigh %.2f, want the cap %.1f: %+v", first, capFirstPage, g.Reasons)
	}
	if len(r.Proposals) != 0 {
		t.Errorf("proposed %v although the numbering continues", proposed(r))
	}
}

// A blank page inside a document (a back side) is not a boundary; a blank
// back side at the end of a document belongs to it, so the next document
// starts after it.
func TestBlankPages(t *testing.T) {
	blank := Page{Source: 0, Width: px(210), Height: px(297), DPI: testDPI, Blank: true}
	b2, b5 := blank, blank
	b2.Source, b5.Source = 2, 5
	pages := []Page{
		letterFirst(1, "Stadt Musterstadt", "Markt 1", "12345 Musterstadt", "32-1/2024", "Antrag"),
		b2,
		letterFollow(3),
		letterFollow(4, closing(60)...),
		b5,
		letterFirst(6, "Finanzamt Musterstadt", "Steuerstraße 9", "12346 Musterstadt", "123/456/78901", "Einkommensteuer"),
	}
	r := Score(pages, Options{})
	if got := proposed(r); !reflect.DeepEqual(got, []int{6}) {
		t.Fatalf("proposals %v, want [6]; gaps %+v", got, r.Gaps)
	}
	if !signals(gapAt(r, 6))[SigBlankBefore] || !signals(gapAt(r, 2))[SigBlankPage] {
		t.Errorf("blank pages not named: %+v", r.Gaps)
	}
	// A page the OCR found nothing on counts as blank even without the flag.
	empty := Page{Source: 2, Width: px(210), Height: px(297), DPI: testDPI}
	r = Score([]Page{pages[0], empty, pages[5]}, Options{})
	if got := proposed(r); !reflect.DeepEqual(got, []int{6}) {
		t.Errorf("with an unflagged empty page: proposals %v, want [6]", got)
	}
}

// Invoices: the title with number and date after a page with the totals.
func TestInvoices(t *testing.T) {
	inv := func(src int, no string) Page {
		return page(src,
			at{25, 20, "Muster GmbH"},
			at{25, 40, "Rechnung Nr. " + no + " vom 05.03.2024"},
			at{25, 60, "Pos. Beschreibung Menge Preis"},
			at{25, 66, "1 Beratung 2 Std. 180,00"})
	}
	tail := page(0, at{25, 30, "2 Fahrtkosten 1 Pauschale 40,00"}, at{25, 80, "Gesamtbetrag 261,80 EUR"},
		at{25, 90, "Zahlbar innerhalb von 14 Tagen ohne Abzug."})
	t2, t4 := tail, tail
	t2.Source, t4.Source = 2, 4
	r := Score([]Page{inv(1, "2024-0017"), t2, inv(3, "2024-0018"), t4}, Options{})
	if got := proposed(r); !reflect.DeepEqual(got, []int{3}) {
		t.Fatalf("proposals %v, want [3]; gaps %+v", got, r.Gaps)
	}
	s := signals(gapAt(r, 3))
	if !s[SigDocumentTitle] || !s[SigTotals] {
		t.Errorf("reasons %+v", gapAt(r, 3).Reasons)
	}
	// The same invoice number on both pages speaks against a boundary;
	// different numbers for it.
	r = Score([]Page{inv(1, "2024-0017"), inv(2, "2024-0017"), inv(3, "2024-0099")}, Options{})
	if !signals(gapAt(r, 2))[SigSameNumber] || !signals(gapAt(r, 3))[SigOtherNumber] {
		t.Errorf("number comparison: %+v", r.Gaps)
	}
}

// A change of paper size or resolution alone is not a boundary (an
// enclosed form, a landscape table).
func TestFormatChangeAlone(t *testing.T) {
	body := at{25, 100, "Fortlaufender Text ohne Merkmale einer ersten Seite steht hier."}
	a := page(1, body)
	b := page(2, body)
	b.Width, b.Height, b.DPI = 874, 1240, 150 // A5 at 150 dpi
	r := Score([]Page{a, b}, Options{})
	g := gapAt(r, 2)
	if !signals(g)[SigPaperSize] || !signals(g)[SigResolution] {
		t.Errorf("format change not seen: %+v", g.Reasons)
	}
	if g.Score > capFormat+0.001 || len(r.Proposals) != 0 {
		t.Errorf("format change alone scored %.2f, proposals %v", g.Score, proposed(r))
	}
}

// Pages without word boxes (a born-digital text layer) still give their
// text signals.
func TestTextOnly(t *testing.T) {
	pages := []Page{
		{Source: 1, Text: "Rechnung Nr. 1\n\nPosition 1\n\nSeite 1 von 2"},
		{Source: 2, Text: "Position 2\nSumme\nSeite 2 von 2"},
		{Source: 3, Text: "Rechnung Nr. 2\nPosition 1\nSeite 1 von 1"},
	}
	r := Score(pages, Options{})
	if got := proposed(r); !reflect.DeepEqual(got, []int{3}) {
		t.Fatalf("proposals %v, want [3]; gaps %+v", got, r.Gaps)
	}
}

func TestBarcodes(t *testing.T) {
	body := at{25, 100, "Fortlaufender Text ohne Merkmale einer ersten Seite steht hier."}
	a, b, c := page(1, body), page(2, body), page(3, body)
	b.Symbols = []mailroom.Symbol{{Symbology: "qrcode", Text: "A"}}
	c.Symbols = []mailroom.Symbol{{Symbology: "qrcode", Text: "B"}}
	r := Score([]Page{a, b, c}, Options{})
	if !signals(gapAt(r, 2))[SigNewBarcode] || !signals(gapAt(r, 3))[SigOtherBarcode] {
		t.Errorf("barcodes: %+v", r.Gaps)
	}
}

func TestThreshold(t *testing.T) {
	pages := []Page{page(1, at{25, 100, "Text"}, at{25, 120, "Gesamtbetrag 10,00"}), page(2, at{25, 100, "Weiter"})}
	if r := Score(pages, Options{}); len(r.Proposals) != 0 {
		t.Fatalf("totals alone proposed: %+v", r.Proposals)
	}
	if r := Score(pages, Options{Threshold: 0.5}); len(r.Proposals) != 1 {
		t.Fatalf("threshold 0.5: %+v", r)
	}
}

func TestLines(t *testing.T) {
	// Two columns far apart stay two lines; a slightly skewed line stays one.
	p := page(1, at{25, 50, "Name:"}, at{110, 50, "Lieferant GmbH"})
	ls := buildLines(p.Words, 25.4/testDPI, float64(p.Height))
	if len(ls) != 2 {
		t.Errorf("columns: %d lines %+v", len(ls), ls)
	}
	p = page(1, at{25, 50, "Seite"}, at{37, 50.6, "1"}, at{40, 51.2, "von"}, at{48, 51.8, "2"})
	ls = buildLines(p.Words, 25.4/testDPI, float64(p.Height))
	if len(ls) != 1 || ls[0].text != "Seite 1 von 2" {
		t.Errorf("skewed line: %+v", ls)
	}
}

func TestLanguage(t *testing.T) {
	de := textLines("Sehr geehrte Damen und Herren, wir bitten Sie um die Zahlung der Rechnung für den Monat.\nDas ist nicht auf dem Konto eingegangen.")
	en := textLines("We went tip-toeing along a path amongst the trees back towards the end of the widow's garden, and it was dark.")
	table := textLines("Trennblätter A4 Zuschläge Abschläge Fälligkeit Umsatzsteueraufschlüsselung Bruttosumme der Rechnung und Steuer, Übertrag für März")
	few := textLines("Name: Lieferant GmbH\nNummer: 549910")
	for _, c := range []struct {
		ls   []line
		want string
	}{{de, "de"}, {en, "en"}, {table, "de"}, {few, ""}} {
		if got := language(c.ls); got != c.want {
			t.Errorf("%q: language %q, want %q", c.ls[0].text, got, c.want)
		}
	}
}

// OCR noise from drawings and bullets does not count as a page beginning
// mid-sentence; real running text does.
func TestMidSentence(t *testing.T) {
	for _, c := range []struct {
		first string
		mid   bool
	}{
		{"and we ask you to send the missing papers by the end of the month", true},
		{"a plain face, on the throne of England; there", true},
		{"i WE went tip-toeing along a path amongst", false},
		{"a US x x IL: N", false},
		{"Positionsdaten der Rechnung folgen hier unten", false},
		{"198,00 275,00 19 % 7 %", false},
	} {
		p := page(2, at{25, 30, c.first}, at{25, 40, "Weiterer Text der Seite"})
		_, mid := signals(gapAt(Score([]Page{page(1, at{25, 30, "Erste Seite mit Text"}), p}, Options{}), 2))[SigMidSentence]
		if mid != c.mid {
			t.Errorf("%q: starts mid-sentence %v, want %v", c.first, mid, c.mid)
		}
	}
}
