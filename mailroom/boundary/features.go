package boundary

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"poststelle/mailroom"
)

// pageNumber is a page number printed on the page; total 0 = unknown.
type pageNumber struct {
	n, total int
	text     string
}

// features are the boundary cues found on one page.
type features struct {
	blank    bool
	geometry bool    // word boxes with a known resolution
	wmm, hmm float64 // page size in millimetres (0 unknown)
	dpi      float64
	number   *pageNumber
	first    []mailroom.SplitReason // cues of a first page
	last     []mailroom.SplitReason // cues of a last page
	contHead []mailroom.SplitReason // cues that the page continues the one before
	contTail []mailroom.SplitReason // cues that the page continues on the next
	lang     string                 // "de", "en" or "" (unknown)
	ids      map[string]map[string]bool
	symbols  map[string]bool
}

// Zones as fractions of the page height.
const (
	headerZone = 0.15 // page numbers in the top …
	footerZone = 0.85 // … or bottom 15 %
	upperPart  = 0.40 // title, subject and date lines
	letterPart = 0.60 // salutation
	lowerPart  = 0.10 // closing and totals below this
)

func analyse(p Page) features {
	f := features{dpi: p.DPI}
	var ls []line
	if len(p.Words) > 0 {
		h := float64(p.Height)
		if h <= 0 {
			for _, w := range p.Words {
				h = max(h, float64(w.Box.Max.Y))
			}
		}
		mm := 0.0
		if p.DPI > 0 {
			mm = 25.4 / p.DPI
			f.geometry = true
			f.wmm, f.hmm = float64(p.Width)*mm, float64(p.Height)*mm
		}
		ls = buildLines(p.Words, mm, h)
	} else {
		ls = textLines(p.Text)
		if p.DPI > 0 && p.Width > 0 {
			f.wmm, f.hmm = float64(p.Width)*25.4/p.DPI, float64(p.Height)*25.4/p.DPI
		}
	}
	f.blank = p.Blank || !hasLetters(ls)
	if f.blank {
		return f
	}
	f.number = findNumber(ls)
	f.first = firstPageCues(ls, f.geometry)
	f.last = lastPageCues(ls)
	f.contHead, f.contTail = continuationCues(ls)
	f.ids = identifiers(ls)
	f.lang = language(ls)
	if len(p.Symbols) > 0 {
		f.symbols = map[string]bool{}
		for _, s := range p.Symbols {
			f.symbols[s.Symbology+":"+s.Text] = true
		}
	}
	return f
}

func hasLetters(ls []line) bool {
	n := 0
	for _, l := range ls {
		for _, r := range l.text {
			if unicode.IsLetter(r) {
				if n++; n >= 3 {
					return true
				}
			}
		}
	}
	return false
}

func reason(sig, detail string) mailroom.SplitReason {
	if len([]rune(detail)) > 80 {
		detail = string([]rune(detail)[:80]) + "…"
	}
	return mailroom.SplitReason{Signal: sig, Weight: weights[sig], Detail: detail}
}

// findNumber looks for a page number in the header and footer zones: the
// most explicit form wins ("Seite 2 von 3" over "- 2 -").
func findNumber(ls []line) *pageNumber {
	var best *pageNumber
	rank := 0
	for _, l := range ls {
		if !l.edge {
			continue
		}
		if m := numberedOfRE.FindStringSubmatch(l.text); m != nil && rank < 4 {
			n, ok1 := numberValue(m[1])
			t, ok2 := numberValue(m[2])
			if ok1 && ok2 && n <= t {
				best, rank = &pageNumber{n: n, total: t, text: l.text}, 4
			}
			continue
		}
		if l.words > 6 {
			continue
		}
		if m := fractionRE.FindStringSubmatch(l.text); m != nil && rank < 3 {
			n, ok1 := numberValue(m[1])
			t, ok2 := numberValue(m[2])
			if ok1 && ok2 && n <= t {
				best, rank = &pageNumber{n: n, total: t, text: l.text}, 3
			}
		} else if m := numberedRE.FindStringSubmatch(l.text); m != nil && rank < 2 {
			if n, ok := numberValue(m[1]); ok {
				best, rank = &pageNumber{n: n, text: l.text}, 2
			}
		} else if m := dashedRE.FindStringSubmatch(l.text); m != nil && rank < 1 {
			if n, ok := numberValue(m[1]); ok {
				best, rank = &pageNumber{n: n, text: l.text}, 1
			}
		}
	}
	return best
}

// firstPageCues finds the elements of a first page: the address field
// (only with geometry), a sender line, a title or subject line, a date line
// and a salutation.
func firstPageCues(ls []line, geometry bool) []mailroom.SplitReason {
	var out []mailroom.SplitReason
	if geometry {
		if a := addressField(ls); a != "" {
			out = append(out, reason(SigAddressField, a))
		}
	}
	var title, subject, date, sender, salutation string
	for _, l := range ls {
		if l.rel < upperPart {
			if sender == "" && isSenderLine(l) {
				sender = l.text
			}
			if title == "" && l.words <= 14 && isDocumentTitle(l) {
				title = l.text
			}
			if subject == "" && l.words <= 14 && subjectRE.MatchString(l.text) {
				subject = l.text
			}
			if date == "" && l.words <= 7 && isDateLine(l) {
				date = l.text
			}
		}
		if l.rel < letterPart && salutation == "" && salutationRE.MatchString(l.text) {
			salutation = l.text
		}
	}
	if sender != "" {
		out = append(out, reason(SigSenderLine, sender))
	}
	switch {
	case title != "":
		out = append(out, reason(SigDocumentTitle, title))
	case subject != "":
		out = append(out, reason(SigSubjectLine, subject))
	}
	if date != "" {
		out = append(out, reason(SigDateLine, date))
	}
	if salutation != "" {
		out = append(out, reason(SigSalutation, salutation))
	}
	return out
}

// DIN 5008 address field: 20 mm from the left edge, 27 mm (form A) or
// 45 mm (form B) from the top, 85 × 45 mm; the text starts 5 mm inside.
// The bounds allow for a sheet fed a few millimetres off.
const (
	addrLeftMin, addrLeftMax = 12.0, 40.0
	addrTop, addrBottom      = 25.0, 100.0
	addrMaxWidth             = 95.0
)

// addressField returns the postcode line of an address block in the
// window position: 2–10 left-aligned lines, narrow, one of them (not the
// first: the name comes first) a postcode and place.
func addressField(ls []line) string {
	var block []line
	flush := func() string {
		defer func() { block = block[:0] }()
		if len(block) < 2 || len(block) > 10 {
			return ""
		}
		for _, b := range block[1:] {
			if postcodeRE.MatchString(b.text) {
				return b.text
			}
		}
		return ""
	}
	for _, l := range ls {
		cy := (l.y0 + l.y1) / 2
		in := l.x0 >= addrLeftMin && l.x0 <= addrLeftMax && cy >= addrTop && cy <= addrBottom && l.x1-l.x0 <= addrMaxWidth
		if !in {
			continue
		}
		if n := len(block); n > 0 {
			prev := block[n-1]
			h := max(prev.y1-prev.y0, 2.5)
			if l.y0-prev.y1 > 1.6*h || absf(l.x0-block[0].x0) > 4 {
				if s := flush(); s != "" {
					return s
				}
			}
		}
		block = append(block, l)
	}
	return flush()
}

// isSenderLine: a one-line return address ("Stadt Musterstadt · Markt 1 ·
// 12345 Musterstadt"): a postcode and place with at least two separators.
func isSenderLine(l line) bool {
	if digits(l.text) < 4 || !postcodeRE.MatchString(l.text) {
		return false
	}
	return len(senderSepRE.FindAllStringIndex(l.text, -1)) >= 2
}

// isDocumentTitle: a line naming a kind of document together with a number
// or a date ("Handelsrechnung Nr. 471102 vom 05.03.2018").
func isDocumentTitle(l line) bool {
	named := false
	for _, w := range strings.FieldsFunc(l.lower, func(r rune) bool { return !unicode.IsLetter(r) }) {
		for _, e := range docTypeEndings {
			if strings.HasSuffix(w, e) {
				named = true
			}
		}
	}
	return named && (numberedDocRE.MatchString(l.text) || dateRE.MatchString(l.text))
}

// isDateLine: a short line announcing a date, or holding nothing but one.
func isDateLine(l line) bool {
	loc := dateRE.FindStringIndex(l.text)
	if loc == nil {
		return false
	}
	rest := strings.TrimSpace(l.text[:loc[0]] + l.text[loc[1]:])
	return rest == "" || rest == "." || dateLeadRE.MatchString(l.text)
}

// lastPageCues finds a closing formula with a signature block below it and
// totals or payment terms.
func lastPageCues(ls []line) []mailroom.SplitReason {
	var out []mailroom.SplitReason
	closing, signature, totals := "", "", ""
	for i, l := range ls {
		if l.rel < lowerPart {
			continue
		}
		if closing == "" && has(l.lower, "gr", "hochachtungsvoll", "regards", "sincerely", "faithfully", "truly") && closingRE.MatchString(l.text) {
			closing = l.text
			for _, s := range ls[i+1 : min(len(ls), i+7)] {
				if signatureRE.MatchString(s.text) || isNameLine(s.text) {
					signature = s.text
					break
				}
			}
		}
		if totals == "" && has(l.lower, "betrag", "summe", "zahl", "due") && totalsRE.MatchString(l.text) {
			totals = l.text
		}
	}
	if closing != "" {
		out = append(out, reason(SigClosing, closing))
	}
	if signature != "" {
		out = append(out, reason(SigSignature, signature))
	}
	if totals != "" {
		out = append(out, reason(SigTotals, totals))
	}
	return out
}

// isNameLine: two to four capitalised words, as a signature's printed name.
func isNameLine(s string) bool {
	ws := strings.Fields(s)
	if len(ws) < 2 || len(ws) > 4 {
		return false
	}
	for _, w := range ws {
		r := []rune(w)
		if !unicode.IsUpper(r[0]) {
			return false
		}
		for _, c := range r {
			if !unicode.IsLetter(c) && c != '.' && c != '-' {
				return false
			}
		}
	}
	return true
}

// continuationCues: the page begins mid-sentence or with a carry over
// (head), or ends in a hyphenated word (tail).
func continuationCues(ls []line) (head, tail []mailroom.SplitReason) {
	for _, l := range ls {
		if t := dropNoise(l.text); isProse(t) {
			if proseStartRE.MatchString(t) {
				head = append(head, reason(SigMidSentence, l.text))
			}
			break
		}
	}
	for _, l := range ls {
		if l.rel < 0.35 && carryRE.MatchString(l.text) {
			head = append(head, reason(SigCarryOver, l.text))
			break
		}
	}
	for i := len(ls) - 1; i >= 0; i-- {
		l := ls[i]
		if l.rel >= footerZone && l.words < 4 {
			continue // footer, page number
		}
		if l.words >= 3 && strings.HasSuffix(l.text, "-") {
			r := []rune(strings.TrimSuffix(l.text, "-"))
			if len(r) > 0 && unicode.IsLetter(r[len(r)-1]) {
				tail = append(tail, reason(SigHyphenated, l.text))
			}
		}
		break
	}
	return head, tail
}

// isProse: a line of running text — at least four tokens, three quarters
// of them words (letters, at least two, or "a" / "I") — not a heading, a
// table row of figures or OCR noise from a drawing, stamp or signature.
func isProse(s string) bool {
	toks := strings.Fields(s)
	if len(toks) < 4 {
		return false
	}
	words := 0
	for _, t := range toks {
		t = strings.TrimRight(t, ".,;:!?")
		n := utf8.RuneCountInString(t)
		if (n >= 2 || t == "a" || t == "I") && strings.IndexFunc(t, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' && r != '\'' && r != '’' }) < 0 {
			words++
		}
	}
	return words*4 >= len(toks)*3
}

// dropNoise removes leading one-character tokens that are no word ("i",
// "|", "•" read from a drop cap, a bullet or a speckle); "a" and "I" stay.
func dropNoise(s string) string {
	for {
		tok, rest, ok := strings.Cut(s, " ")
		if !ok || utf8.RuneCountInString(tok) != 1 || tok == "a" || tok == "I" {
			return s
		}
		s = rest
	}
}

// Identifier kinds compared between pages.
const (
	idNumber    = "number"
	idReference = "reference"
	idVAT       = "vat"
	idIBAN      = "iban"
	idDomain    = "domain"
)

// identifiers collects document numbers, references and sender
// identifiers printed on the page.
func identifiers(ls []line) map[string]map[string]bool {
	ids := map[string]map[string]bool{}
	add := func(kind, v string) {
		v = strings.ToUpper(strings.Trim(v, ".-/"))
		if len(v) < 3 {
			return
		}
		if ids[kind] == nil {
			ids[kind] = map[string]bool{}
		}
		ids[kind][v] = true
	}
	for _, l := range ls {
		if has(l.lower, "nr", "nummer", "no", "number") {
			for _, m := range invoiceNoRE.FindAllStringSubmatch(l.text, -1) {
				add(idNumber, m[1])
			}
			if l.rel < upperPart && isDocumentTitle(l) {
				if m := numberedDocRE.FindStringSubmatch(l.text); m != nil {
					add(idNumber, m[1])
				}
			}
		}
		if has(l.lower, "zeichen", "az.", "vorgang") {
			for _, m := range referenceRE.FindAllStringSubmatch(l.text, -1) {
				add(idReference, m[1])
			}
		}
		if has(l.text, "DE", "AT") {
			for _, m := range vatRE.FindAllString(l.text, -1) {
				add(idVAT, strings.ReplaceAll(m, " ", ""))
			}
		}
		if digits(l.text) >= 12 {
			for _, m := range ibanRE.FindAllString(l.text, -1) {
				add(idIBAN, strings.ReplaceAll(m, " ", ""))
			}
		}
		if has(l.lower, "@", "www.") {
			for _, m := range domainRE.FindAllStringSubmatch(l.text, -1) {
				add(idDomain, m[1])
			}
		}
	}
	return ids
}

// has reports whether s contains any of subs (a cheap test before a
// regular expression).
func has(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

func absf(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
