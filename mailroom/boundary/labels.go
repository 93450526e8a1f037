package boundary

// labels name each signal for the clerk: German first, then English.
var labels = map[string][2]string{
	SigNumberingRestarts:  {"Seitenzählung beginnt neu", "page numbering restarts"},
	SigNumberingContinues: {"Seitenzählung läuft weiter", "page numbering continues"},
	SigNumberingFirst:     {"Seite 1", "page 1"},
	SigNumberingNotFirst:  {"Folgeseite laut Seitenzahl", "a following page by its number"},
	SigNumberingLast:      {"vorige Seite war die letzte", "previous page was the last"},
	SigNumberingNotLast:   {"vorige Seite war nicht die letzte", "previous page was not the last"},
	SigNumberingMismatch:  {"Seitenzahlen passen nicht zusammen", "page numbers do not match"},
	SigAddressField:       {"Anschriftfeld (DIN 5008)", "address field (DIN 5008)"},
	SigSenderLine:         {"Absenderzeile", "sender line"},
	SigDocumentTitle:      {"Dokumenttitel mit Nummer oder Datum", "document title with number or date"},
	SigSubjectLine:        {"Betreffzeile", "subject line"},
	SigDateLine:           {"Datumszeile", "date line"},
	SigSalutation:         {"Anrede", "salutation"},
	SigClosing:            {"Grußformel auf der vorigen Seite", "closing formula on the previous page"},
	SigSignature:          {"Unterschrift auf der vorigen Seite", "signature on the previous page"},
	SigTotals:             {"Summen oder Zahlungsbedingungen auf der vorigen Seite", "totals or payment terms on the previous page"},
	SigMidSentence:        {"Seite beginnt mitten im Satz", "page begins mid-sentence"},
	SigCarryOver:          {"Übertrag / Fortsetzung", "carried over / continued"},
	SigHyphenated:         {"vorige Seite endet mit Trennstrich", "previous page ends hyphenated"},
	SigOtherNumber:        {"andere Rechnungs- oder Belegnummer", "other invoice or document number"},
	SigSameNumber:         {"gleiche Rechnungs- oder Belegnummer", "same invoice or document number"},
	SigOtherReference:     {"anderes Aktenzeichen", "other file reference"},
	SigSameReference:      {"gleiches Aktenzeichen", "same file reference"},
	SigOtherSender:        {"anderer Absender", "other sender"},
	SigSameSender:         {"gleicher Absender", "same sender"},
	SigOtherBarcode:       {"anderer Barcode", "other barcode"},
	SigSameBarcode:        {"gleicher Barcode", "same barcode"},
	SigNewBarcode:         {"Barcode auf dieser Seite", "barcode on this page"},
	SigLanguage:           {"andere Sprache", "other language"},
	SigPaperSize:          {"anderes Papierformat", "other paper size"},
	SigResolution:         {"andere Auflösung", "other resolution"},
	SigBlankBefore:        {"leere Rückseite dazwischen", "blank back side in between"},
	SigBlankPage:          {"leere Seite (gehört zum Dokument davor)", "blank page (belongs to the document before)"},
	SigAfterBlankStart:    {"nur leere Seiten davor", "only blank pages before"},
}

// Label returns the German and English name of a signal (the signal
// itself for one it does not know).
func Label(signal string) (de, en string) {
	if l, ok := labels[signal]; ok {
		return l[0], l[1]
	}
	return signal, signal
}
