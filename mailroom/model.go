package mailroom

import (
	"image"
	"time"
)

// Protection is the protection need of a document class (BSI TR-03138).
type Protection string

// Protection levels.
const (
	ProtectionNormal   Protection = "normal"
	ProtectionHoch     Protection = "hoch"
	ProtectionSehrHoch Protection = "sehr hoch"
)

// Valid reports whether p is a known level.
func (p Protection) Valid() bool {
	switch p {
	case ProtectionNormal, ProtectionHoch, ProtectionSehrHoch:
		return true
	}
	return false
}

// Batch is one intake unit: a file from a hot folder, a mail, a file given to
// `process`. Its original is stored unchanged and content-addressed.
type Batch struct {
	ID         string            `json:"id"`
	Source     string            `json:"source"`  // source name, e.g. "folder:eingang" or "cli"
	Profile    string            `json:"profile"` // profile name
	Filename   string            `json:"filename"`
	Path       string            `json:"path"` // where it came from (path or mail reference)
	SHA256     string            `json:"sha256"`
	Size       int64             `json:"size"`
	MediaType  string            `json:"media_type"`
	PageCount  int               `json:"page_count"`
	ReceivedAt time.Time         `json:"received_at"`
	Metadata   map[string]string `json:"metadata,omitempty"`
	Separators []Separator       `json:"separators,omitempty"`
}

// Document is what the desk verifies and the DMS receives: a range of pages of
// one batch (after splitting), with metadata.
type Document struct {
	ID         string            `json:"id"` // UUID; the idempotency key towards the DMS
	BatchID    string            `json:"batch"`
	Seq        int               `json:"seq"` // 1-based position within the batch
	State      State             `json:"state"`
	Pages      []int             `json:"pages"` // source page numbers, 1-based
	Metadata   map[string]string `json:"metadata"`
	Flags      []string          `json:"flags"`
	Reason     string            `json:"reason,omitempty"` // quarantine or rejection reason
	Output     string            `json:"output,omitempty"` // path of the produced PDF
	Protection Protection        `json:"protection"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
	Attempts   int               `json:"attempts"`
	// Version counts the changes of the document's row (1 at intake); a
	// change from the desk or the API names the version it was made on.
	Version int64 `json:"version"`
	// Desk is who has the document open at a desk (nil: nobody).
	Desk *DeskLease `json:"desk,omitempty"`
}

// HasFlag reports whether the document carries flag f.
func (d *Document) HasFlag(f string) bool {
	for _, x := range d.Flags {
		if x == f {
			return true
		}
	}
	return false
}

// Page is one page of a document as the pipeline sees it.
type Page struct {
	Index int         // 0-based index in the source file
	Image image.Image // the rendered or decoded page image
	DPI   float64     // resolution of Image
}

// Separator is a separator or index sheet found while splitting a batch.
type Separator struct {
	Page      int    `json:"page"` // 1-based source page
	Symbology string `json:"symbol"`
	Text      string `json:"text"`
	Mirrored  bool   `json:"mirrored,omitempty"`
	Action    string `json:"action,omitempty"` // "split", "split-keep", "tag", "metadata"
}

// Symbol is a barcode or patch code found on a page.
type Symbol struct {
	Symbology string          `json:"symbology"` // qrcode, code128, code39, datamatrix, ean13, upca, pdf417, aztec, itf, patch
	Text      string          `json:"text"`
	Box       image.Rectangle `json:"-"`
	Mirrored  bool            `json:"mirrored,omitempty"` // patch codes: read as the mirror partner
}

// Word is a recognised word with its box in page pixels and its confidence 0–100.
type Word struct {
	Text       string          `json:"text"`
	Box        image.Rectangle `json:"box"`
	Confidence float64         `json:"confidence"`
}

// PageText is the recognition result of one page.
type PageText struct {
	Text       string  `json:"text"`
	Words      []Word  `json:"words,omitempty"`
	Confidence float64 `json:"confidence"` // mean word confidence, 0–100
}

// Item is one thing a source delivers for intake.
type Item struct {
	Source   string            // source name
	Profile  Profile           // the profile of the folder or mailbox it came from
	Path     string            // local file to read the content from: a regular file, never followed if a link
	Name     string            // original file name
	Metadata map[string]string // e.g. sub-folder names, mail headers
	// MaxSize refuses a larger file while it is copied (an InputError;
	// nothing is stored). 0: no limit. Engine.Accept sets intake.max_file_size.
	MaxSize int64
}

// Flags the pipeline sets on documents and pages.
const (
	FlagBlankPage     = "blank-page"
	FlagLowConfidence = "low-confidence"
	FlagRotated       = "rotated"
	FlagDeskewed      = "deskewed"
	FlagSigned        = "signed"
	FlagEInvoice      = "e-invoice"
	FlagTextLayer     = "born-digital"
	FlagDuplicate     = "duplicate"
	FlagSeparatorOnly = "separators-only"
)
