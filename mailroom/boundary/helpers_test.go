package boundary

import (
	"image"
	"strings"
	"unicode/utf8"

	"poststelle/mailroom"
)

// A synthetic page: text lines placed in millimetres on an A4 sheet at
// 300 dpi, each word a box of its length (2 mm per letter, 3.5 mm high), as
// tesseract would report it.
type at struct {
	x, y float64 // mm from the left and top edge
	text string
}

const testDPI = 300

func px(mm float64) int { return int(mm / 25.4 * testDPI) }

func page(src int, ls ...at) Page {
	p := Page{Source: src, Width: px(210), Height: px(297), DPI: testDPI}
	var text []string
	for _, l := range ls {
		x := l.x
		for _, w := range strings.Fields(l.text) {
			wmm := 2 * float64(utf8.RuneCountInString(w))
			p.Words = append(p.Words, mailroom.Word{Text: w, Confidence: 90,
				Box: image.Rect(px(x), px(l.y), px(x+wmm), px(l.y+3.5))})
			x += wmm + 1.5
		}
		text = append(text, l.text)
	}
	p.Text = strings.Join(text, "\n")
	return p
}

// letterFirst is the first page of a DIN 5008 letter (form B) from sender.
func letterFirst(src int, sender, street, place, ref, subject string, more ...at) Page {
	ls := []at{
		{120, 15, sender},
		{120, 22, street},
		{120, 29, place},
		{25, 47, sender + " · " + street + " · " + place},
		{25, 60, "Frau"},
		{25, 65, "Erika Mustermann"},
		{25, 70, "Heidestraße 17"},
		{25, 75, "51147 Köln"},
		{125, 60, "Aktenzeichen: " + ref},
		{125, 100, "Musterstadt, 05.03.2024"},
		{25, 110, subject},
		{25, 125, "Sehr geehrte Frau Mustermann,"},
		{25, 135, "wir bestätigen Ihnen den Eingang Ihres Antrags vom 1. März."},
		{25, 141, "Die Unterlagen werden in den nächsten Wochen geprüft."},
	}
	return page(src, append(ls, more...)...)
}

// letterFollow is a continuation page: the text goes on mid-sentence.
func letterFollow(src int, more ...at) Page {
	ls := []at{
		{25, 20, "und wir bitten Sie, die fehlenden Nachweise bis zum Monatsende nachzureichen."},
		{25, 26, "Ohne diese Nachweise kann der Antrag nicht bearbeitet werden."},
		{25, 32, "Für Rückfragen stehen wir Ihnen gern zur Verfügung."},
	}
	return page(src, append(ls, more...)...)
}

// closing is the end of a letter: closing formula and signature.
func closing(y float64) []at {
	return []at{
		{25, y, "Mit freundlichen Grüßen"},
		{25, y + 15, "i. A. Max Muster"},
	}
}

func proposed(r Result) []int {
	var out []int
	for _, p := range r.Proposals {
		out = append(out, p.Page)
	}
	return out
}

func signals(g Gap) map[string]bool {
	m := map[string]bool{}
	for _, r := range g.Reasons {
		m[r.Signal] = true
	}
	return m
}

func gapAt(r Result, page int) Gap {
	for _, g := range r.Gaps {
		if g.Page == page {
			return g
		}
	}
	return Gap{}
}
