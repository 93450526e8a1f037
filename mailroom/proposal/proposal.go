// Package proposal proposes metadata for the desk from a document's
// recognised text: document type, the letter's date, the sender, the file
// reference (Aktenzeichen) and the subject. Proposals are only proposals: the
// clerk confirms or corrects them, and they never overwrite a value that a
// barcode, an e-invoice, a mail header or the intake profile supplied.
package proposal

import (
	"regexp"
	"strings"
	"time"

	"poststelle/mailroom"
)

// Text proposes metadata from recognised text.
type Text struct{}

var _ mailroom.Proposer = Text{}

// typeWords map a word ending (lower case) to the document type proposed.
// A word matches when it ends with the ending, so compounds
// ("Handelsrechnung", "Abgabenbescheid") count and plurals do not.
var typeWords = []struct{ ending, typ string }{
	{"gutschrift", "Gutschrift"},
	{"mahnung", "Mahnung"},
	{"zahlungserinnerung", "Mahnung"},
	{"rechnung", "Rechnung"},
	{"bescheid", "Bescheid"},
	{"widerspruch", "Widerspruch"},
	{"kündigung", "Kündigung"},
	{"antrag", "Antrag"},
	{"vertrag", "Vertrag"},
	{"angebot", "Angebot"},
	{"auftrag", "Auftrag"},
	{"bestellung", "Bestellung"},
	{"einladung", "Einladung"},
	{"beschwerde", "Beschwerde"},
	{"anhörung", "Anhörung"},
	{"ladung", "Ladung"},
}

var (
	wordRE    = regexp.MustCompile(`[\p{L}]+`)
	dateRE    = regexp.MustCompile(`\b([0-3]?\d)\.([01]?\d)\.((?:19|20)\d\d)\b`)
	longDate  = regexp.MustCompile(`(?i)\b([0-3]?\d)\.\s*(januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember)\s+((?:19|20)\d\d)\b`)
	aktenRE   = regexp.MustCompile(`(?i)\b(?:aktenzeichen|geschäftszeichen|unser zeichen|az\.)\s*[:.]?\s*([\p{L}\d][\p{L}\d ./\-]{1,40})`)
	subjectRE = regexp.MustCompile(`(?im)^\s*(?:betreff|betr\.)\s*:?\s*(.{3,120})$`)
	legalRE   = regexp.MustCompile(`(?:^|\s)(GmbH(?: & Co\.? KG)?|AG|KG|OHG|GbR|UG(?: \(haftungsbeschränkt\))?|e\.\s?V\.|eG|mbH|SE)(?:\s|$|,)`)
)

var months = map[string]time.Month{"januar": 1, "februar": 2, "märz": 3, "april": 4, "mai": 5, "juni": 6, "juli": 7,
	"august": 8, "september": 9, "oktober": 10, "november": 11, "dezember": 12}

// headLines is how many lines of the first page are searched for the title and sender.
const headLines = 40

// Propose implements mailroom.Proposer. pages are the recognised texts in page order.
func (Text) Propose(pages []string) map[string]string {
	out := map[string]string{}
	if len(pages) == 0 {
		return out
	}
	first := pages[0]
	lines := nonEmptyLines(first, headLines)
	if t := docType(lines); t != "" {
		out["document_type"] = t
	}
	if d := letterDate(strings.Join(lines, "\n")); d != "" {
		out["letter_date"] = d
	}
	if s := sender(lines); s != "" {
		out["sender"] = s
	}
	all := strings.Join(pages, "\n")
	if m := aktenRE.FindStringSubmatch(first); m != nil {
		out["aktenzeichen"] = strings.TrimSpace(strings.SplitN(m[1], "\n", 2)[0])
	}
	if m := subjectRE.FindStringSubmatch(all); m != nil {
		out["subject"] = strings.TrimSpace(m[1])
	}
	return out
}

func nonEmptyLines(s string, n int) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
			if len(out) == n {
				break
			}
		}
	}
	return out
}

// docType returns the type named by the first title-like word in the head.
func docType(lines []string) string {
	for _, l := range lines {
		for _, w := range wordRE.FindAllString(l, -1) {
			lw := strings.ToLower(w)
			for _, t := range typeWords {
				if strings.HasSuffix(lw, t.ending) {
					return t.typ
				}
			}
		}
	}
	return ""
}

// letterDate returns the first valid date in the head as YYYY-MM-DD.
func letterDate(head string) string {
	type cand struct {
		pos int
		d   time.Time
	}
	var best *cand
	for _, m := range dateRE.FindAllStringSubmatchIndex(head, -1) {
		d, ok := mkDate(head[m[2]:m[3]], head[m[4]:m[5]], head[m[6]:m[7]])
		if ok {
			best = &cand{m[0], d}
			break
		}
	}
	for _, m := range longDate.FindAllStringSubmatchIndex(head, -1) {
		if best != nil && best.pos < m[0] {
			break
		}
		day := head[m[2]:m[3]]
		mon := months[strings.ToLower(head[m[4]:m[5]])]
		d, ok := mkDate(day, itoa(int(mon)), head[m[6]:m[7]])
		if ok {
			best = &cand{m[0], d}
			break
		}
	}
	if best == nil {
		return ""
	}
	return best.d.Format("2006-01-02")
}

func itoa(i int) string {
	return string(rune('0'+i/10)) + string(rune('0'+i%10))
}

func mkDate(d, m, y string) (time.Time, bool) {
	t, err := time.Parse("2.1.2006", d+"."+m+"."+y)
	return t, err == nil
}

// sender returns the first line of the head that names an organisation by
// its legal form, cut to the name.
func sender(lines []string) string {
	for _, l := range lines {
		loc := legalRE.FindStringSubmatchIndex(l)
		if loc == nil {
			continue
		}
		name := strings.TrimSpace(l[:loc[3]])
		// "Name: Firma GmbH", "Absender: …": drop the label.
		if i := strings.Index(name, ": "); i > 0 && i < 20 && !strings.Contains(name[:i], " ") {
			name = strings.TrimSpace(name[i+2:])
		}
		// A sender line "Firma GmbH · Straße 1 · 12345 Ort": keep the first part.
		for _, sep := range []string{" · ", " | ", " - ", ", "} {
			if i := strings.Index(name, sep); i > 0 {
				name = name[:i]
			}
		}
		if len([]rune(name)) >= 4 && len([]rune(name)) <= 80 {
			return name
		}
	}
	return ""
}
