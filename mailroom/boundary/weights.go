package boundary

import "sort"

// Signals and their weights (docs/autosplit.md explains each). A positive
// weight speaks for a new document starting at the gap, a negative one for
// the page continuing the document before it. The weights are set from what
// each signal means in German office mail, not fitted to test files: page
// numbering is the most reliable signal, a DIN 5008 address field or a
// salutation almost only appears on first pages, totals and a closing
// formula end a document, and a change of paper size alone happens inside
// documents too (an enclosed form, a landscape table).
const (
	// Page numbering.
	SigNumberingRestarts  = "numbering-restarts"    // previous page numbered, this one is page 1
	SigNumberingContinues = "numbering-continues"   // this page's number follows the previous one's
	SigNumberingFirst     = "numbering-first"       // this page is numbered 1 (previous page unnumbered)
	SigNumberingNotFirst  = "numbering-not-first"   // this page is numbered 2 or more
	SigNumberingLast      = "numbering-last"        // previous page was the last of its count ("2 von 2")
	SigNumberingNotLast   = "numbering-not-last"    // previous page was not the last of its count
	SigNumberingMismatch  = "numbering-mismatch"    // both numbered, neither sequence nor restart (OCR misread)
	SigAddressField       = "address-field"         // an address in the DIN 5008 window position
	SigSenderLine         = "sender-line"           // a return-address line above the window (letterhead)
	SigDocumentTitle      = "document-title"        // "Rechnung Nr. 4711", "Bescheid vom 05.03.2024" near the top
	SigSubjectLine        = "subject-line"          // "Betreff: …" near the top
	SigDateLine           = "date-line"             // a date line near the top
	SigSalutation         = "salutation"            // "Sehr geehrte …"
	SigClosing            = "closing"               // previous page: "Mit freundlichen Grüßen"
	SigSignature          = "signature"             // previous page: a signature block below the closing
	SigTotals             = "totals"                // previous page: totals or payment terms
	SigMidSentence        = "starts-mid-sentence"   // this page begins with a lower-case word
	SigCarryOver          = "carry-over"            // "Übertrag", "Fortsetzung" at the top
	SigHyphenated         = "hyphenated-end"        // previous page ends in a hyphenated word
	SigOtherNumber        = "other-document-number" // invoice numbers differ
	SigSameNumber         = "same-document-number"
	SigOtherReference     = "other-reference" // Aktenzeichen / Geschäftszeichen differ
	SigSameReference      = "same-reference"
	SigOtherSender        = "other-sender" // VAT id, IBAN or mail/web domain differ
	SigSameSender         = "same-sender"
	SigOtherBarcode       = "other-barcode" // both pages carry barcodes, none the same
	SigSameBarcode        = "same-barcode"
	SigNewBarcode         = "new-barcode"     // this page carries a barcode, the previous none
	SigLanguage           = "language"        // the pages are written in different languages
	SigPaperSize          = "paper-size"      // other paper size
	SigResolution         = "resolution"      // other scan resolution
	SigBlankBefore        = "blank-back-side" // a blank page (back side) lies between
	SigBlankPage          = "blank-page"      // the page is blank: it belongs to the document before it
	SigAfterBlankStart    = "blank-start"     // only blank pages before: nothing to compare with
)

// weights by signal; Weight reads them.
var weights = map[string]float64{
	SigNumberingRestarts:  4.0,
	SigNumberingContinues: -4.0,
	SigNumberingFirst:     3.0,
	SigNumberingNotFirst:  -3.0,
	SigNumberingLast:      2.0,
	SigNumberingNotLast:   -2.5,
	SigNumberingMismatch:  0,
	SigAddressField:       2.0,
	SigSenderLine:         1.0,
	SigDocumentTitle:      1.5,
	SigSubjectLine:        1.0,
	SigDateLine:           0.5,
	SigSalutation:         1.5,
	SigClosing:            1.5,
	SigSignature:          0.5,
	SigTotals:             0.75,
	SigMidSentence:        -1.0,
	SigCarryOver:          -1.0,
	SigHyphenated:         -0.5,
	SigOtherNumber:        1.5,
	SigSameNumber:         -1.0,
	SigOtherReference:     1.5,
	SigSameReference:      -1.0,
	SigOtherSender:        1.0,
	SigSameSender:         -0.5,
	SigOtherBarcode:       1.0,
	SigSameBarcode:        -1.0,
	SigNewBarcode:         0.5,
	SigLanguage:           1.0,
	SigPaperSize:          0.75,
	SigResolution:         0.5,
	SigBlankBefore:        0.5,
}

// Caps: correlated signals of one group count together at most this much,
// so a first page with every element of a letter does not outweigh
// numbering that says otherwise.
const (
	capFirstPage    = 3.5  // address, sender line, title/subject, date, salutation
	capLastPage     = 2.0  // closing, signature, totals
	capContinuation = -1.5 // mid-sentence, carry over, hyphenation
	capFormat       = 1.0  // paper size, resolution
)

// Weight returns the weight of a signal (0 for an unknown one).
func Weight(signal string) float64 { return weights[signal] }

// Signals lists every signal with a weight, for documentation and tests.
func Signals() []string {
	out := make([]string, 0, len(weights))
	for s := range weights {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
