package boundary

import (
	"regexp"
	"strconv"
	"strings"
)

// Page numbering. Numbers may carry the OCR confusions l, I, | for 1 and
// O, o for 0; numberValue repairs them.
const num = `([0-9lI|Oo]{1,3})`

var (
	// "Seite 2 von 3", "Seite2/3", "Page 1 of 2", "Blatt 1 aus 4", "S. 2/3"
	numberedOfRE = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:seite|page|blatt|s\.)\s*` + num + `\s*(?:von|of|aus|/)\s*` + num + `(?:$|[^\p{L}\d])`)
	// "Seite 2", "Page 3" (the total unknown)
	numberedRE = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:seite|page|blatt)\s*` + num + `(?:$|[^\p{L}\d/])`)
	// "- 2 -", "– 2 –", "— 2 —" alone on a line
	dashedRE = regexp.MustCompile(`^[-–—]\s*` + num + `\s*[-–—]$`)
	// "2/3", "2 / 3", "2 von 3", "2 of 3" alone on a line
	fractionRE = regexp.MustCompile(`(?i)^` + num + `\s*(?:/|von|of)\s*` + num + `$`)
)

// numberValue reads a page number with OCR confusions repaired; ok=false
// when it is not a plausible page number (1–999).
func numberValue(s string) (int, bool) {
	s = strings.NewReplacer("l", "1", "I", "1", "|", "1", "O", "0", "o", "0").Replace(s)
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= 999
}

// First-page layout.
var (
	// A German or international postal code followed by a place:
	// "12345 Musterstadt", "D-12345 Ort", "DE 12345 Ort", "A-1010 Wien".
	postcodeRE = regexp.MustCompile(`(?:^|\s)(?:(?:D|DE|A|AT|CH)[- ]?)?\d{4,5}\s+\p{Lu}[\p{L}.\-]+`)
	// The salutation of a letter.
	salutationRE = regexp.MustCompile(`(?i)^(?:sehr\s+geehrte[rn]?|liebe[rs]?\s|hallo\b|guten\s+tag\b|dear\s|moin\b)`)
	// "Betreff: …", "Betr.: …", "Subject: …", "RE: …" with a subject after it.
	subjectRE = regexp.MustCompile(`(?i)^(?:betreff|betr\.|betrifft|subject|re)\s*:\s*\S`)
	// A date as letters and invoices print it.
	dateRE = regexp.MustCompile(`(?i)\b(?:[0-3]?\d\.\s?[01]?\d\.\s?(?:19|20)?\d\d|(?:19|20)\d\d-[01]\d-[0-3]\d|[0-3]?\d\.\s*(?:januar|jänner|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember)\s+(?:19|20)\d\d)\b`)
	// A line that announces a date: "Datum: …", "Berlin, den 5. März 2024", "Musterstadt, 05.03.2024".
	dateLeadRE = regexp.MustCompile(`(?i)^(?:(?:rechnungs|brief|ausstellungs)?datum\b|date\b|[\p{Lu}][\p{L}.\- ]{1,30},\s*(?:den\s+)?[0-3]?\d\.)`)
	// A number introduced as such: "Nr. 4711", "Nummer: A-17", "No. 12".
	numberedDocRE = regexp.MustCompile(`(?i)(?:\bnr\.?|\bnummer|\bno\.|#)\s*:?\s*([\p{L}\d][\p{L}\d/\-.]*\d[\p{L}\d/\-]*)`)
	// A sender (return address) line above the address field:
	// "Stadt Musterstadt · Markt 1 · 12345 Musterstadt".
	senderSepRE = regexp.MustCompile(`\s[·•|,\-–]\s|\s?[·•|]\s?`)
)

// docTypeEndings name kinds of documents by their word ending, so compounds
// count ("Handelsrechnung", "Gebührenbescheid").
var docTypeEndings = []string{
	"rechnung", "gutschrift", "mahnung", "zahlungserinnerung", "bescheid", "angebot", "auftragsbestätigung",
	"lieferschein", "kündigung", "vertrag", "bescheinigung", "quittung", "abrechnung", "kontoauszug", "einladung",
	"antrag", "bestätigung", "mitteilung", "ladung", "vollmacht", "invoice", "receipt", "statement",
}

// Last-page cues.
var (
	// Closing formulas.
	closingRE = regexp.MustCompile(`(?i)^(?:mit\s+)?(?:freundlich\w*|beste[nm]?|herzlich\w*|viele[n]?|liebe[n]?|kollegial\w*|sonnige[n]?)\s+gr(?:ü|u|ue)(?:ß|ss|b)\w*|^hochachtungsvoll|^(?:kind|best|warm)\s+regards|^(?:yours\s+)?(?:sincerely|faithfully|truly)\b`)
	// Signature block marks below the closing.
	signatureRE = regexp.MustCompile(`(?i)^(?:i\.\s?a\.|i\.\s?v\.|ppa\.|gez\.|im\s+auftrag|in\s+vertretung|unterschrift|\(.+\)$)`)
	// Totals and payment terms end an invoice's body.
	totalsRE = regexp.MustCompile(`(?i)\b(?:zahlbetrag|gesamtbetrag|rechnungsbetrag|endbetrag|gesamtsumme|bruttosumme|zu\s+zahlen(?:der\s+betrag)?|zahlbar\s+(?:bis|innerhalb|sofort|ohne)|zahlungsziel|zahlungsbedingungen|total\s+due|amount\s+due)\b`)
)

// Continuation cues.
var (
	// A carried-over total or an announced continuation.
	carryRE = regexp.MustCompile(`(?i)^(?:übertrag|uebertrag|fortsetzung|forts\.|continued|noch\s+seite)\b`)
)

// Identifiers compared between pages.
var (
	invoiceNoRE = regexp.MustCompile(`(?i)\b(?:rechnungs|beleg|gutschrifts?|auftrags|invoice)\s*-?\s*(?:nr\.?|nummer|no\.?|number)\s*:?\s*([\p{L}\d][\p{L}\d/\-]*\d[\p{L}\d/\-]*)`)
	referenceRE = regexp.MustCompile(`(?i)\b(?:aktenzeichen|az\.|gesch(?:ä|a)ftszeichen|unser\s+zeichen|ihr\s+zeichen|kassenzeichen|vorgangsnummer|vorgangs-nr\.?)\s*:?\s*([\p{L}\d][\p{L}\d/\-.]*\d[\p{L}\d/\-.]*)`)
	vatRE       = regexp.MustCompile(`\b(?:DE|AT)\s?U?\d{8,9}\b`)
	ibanRE      = regexp.MustCompile(`\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){3,7}(?:\s?[A-Z0-9]{1,3})?\b`)
	domainRE    = regexp.MustCompile(`(?i)(?:@|\bwww\.)([a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,6})\b`)
)

// proseStartRE: a line that begins in the middle of a sentence.
var proseStartRE = regexp.MustCompile(`^\p{Ll}[\p{L}'’,;]*\s+\p{L}`)
