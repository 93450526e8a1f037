package mailroom

import (
	"context"
	"time"
)

// Source delivers intake items until ctx ends. It acknowledges an item
// (deletes or moves the file, moves the mail) only after accept returned nil,
// so accept must be idempotent across restarts: the same content from the same
// source returns nil again (ErrDuplicate is handled inside accept) and is not
// stored twice. accept is called from the source's own goroutine.
type Source interface {
	Name() string
	Run(ctx context.Context, accept func(context.Context, Item) error) error
}

// PageOpener opens a stored original for page access. Bad input (corrupt,
// encrypted, unsupported, a decompression bomb) is reported as an InputError.
type PageOpener interface {
	Open(ctx context.Context, path, mediaType string) (PageSet, error)
}

// PageSet gives access to the pages of one original, one page at a time, so
// memory does not grow with the page count. It is not safe for concurrent use.
type PageSet interface {
	Len() int
	// Page renders or decodes page i (0-based). dpi 0 means the native
	// resolution (images) or the configured default (PDF).
	Page(ctx context.Context, i int, dpi float64) (Page, error)
	Close() error
}

// Detector finds barcodes and patch codes on a page. It must be safe for
// concurrent use.
type Detector interface {
	Detect(ctx context.Context, page Page) ([]Symbol, error)
}

// PageSymbols are the symbols found on one source page (1-based).
type PageSymbols struct {
	Page    int
	Symbols []Symbol
}

// Segment is one document cut from a batch.
type Segment struct {
	Pages    []int             // 1-based source pages, in order
	Metadata map[string]string // from index sheets: asn, tags, department …
	Flags    []string          // e.g. signed (from a container's expansion)
}

// SplitPlan is the outcome of applying separator rules to a batch.
type SplitPlan struct {
	Separators []Separator
	Documents  []Segment
}

// SplitRules turns the symbols found on a batch's pages into documents.
// Consecutive separators never make an empty document. A rule violation in the
// input (an ASN out of range) is an InputError.
type SplitRules interface {
	Plan(pageCount int, pages []PageSymbols) (SplitPlan, error)
}

// Recognizer recognises the text on one page image. Implementations hold a
// pool of engines and must be safe for concurrent use. Word boxes are in the
// pixel coordinates of page.Image, confidences 0–100; a blank page gives no
// words. A context that is already done returns its error without starting
// the page. mailroom/recognizertest is the suite every implementation passes.
type Recognizer interface {
	Recognize(ctx context.Context, page Page) (PageText, error)
}

// RecognitionJob asks for the searchable PDF/A of one document.
type RecognitionJob struct {
	DocumentID string
	Original   string // path of the stored original (read-only)
	MediaType  string
	Pages      []int  // 1-based source pages
	OutDir     string // write document.pdf here (temp name, fsync, rename)
	WorkDir    string // scratch space, may be deleted afterwards
	Metadata   map[string]string
	// KeepOriginal: a classifier found the original to be the document of
	// record (signed PDF, ZUGFeRD invoice). Recognition must not rewrite it;
	// it writes at most a readable rendition beside it and returns that.
	KeepOriginal bool
}

// PageResult describes one page of a recognised document.
type PageResult struct {
	Page       int      `json:"page"` // 1-based source page
	Confidence float64  `json:"confidence"`
	Flags      []string `json:"flags,omitempty"`
	Rotation   int      `json:"rotation,omitempty"` // degrees turned clockwise to make it upright
	Skew       float64  `json:"skew,omitempty"`     // degrees corrected
	Text       string   `json:"text"`
	// The page's geometry as recognition saw it, for the boundary scorer
	// (mailroom/boundary); not written to metadata.json. Word boxes are in
	// the pixels of the upright, straightened Width × Height image at DPI.
	Words  []Word  `json:"-"`
	Width  int     `json:"-"`
	Height int     `json:"-"`
	DPI    float64 `json:"-"`
}

// RecognitionResult is what Recognition produced.
type RecognitionResult struct {
	Output   string // path of the PDF written under OutDir
	Pages    []PageResult
	Flags    []string
	Metadata map[string]string
}

// Recognition makes a document searchable: render, analyse, OCR, PDF/A.
// It is called again for the same job after a crash and must overwrite
// its previous output atomically.
type Recognition interface {
	Recognise(ctx context.Context, job RecognitionJob) (RecognitionResult, error)
}

// ClassifyInput is what a Classifier looks at.
type ClassifyInput struct {
	DocumentID string
	Original   string
	MediaType  string
	Filename   string
	Pages      []int
	Metadata   map[string]string
	OutDir     string // out/<document-id>: where a rendition may be written (temp name, rename)
}

// Classification is what a Classifier found.
type Classification struct {
	Metadata map[string]string
	Flags    []string
	// KeepOriginal: the original is the document of record (a signed PDF, an
	// e-invoice XML) and must never be rewritten; a rendition is made beside it.
	KeepOriginal bool
	// Rendition, if set, is a readable PDF made by the classifier (e.g. of an
	// invoice XML); recognition is then skipped.
	Rendition string
}

// Classifier recognises special documents (e-invoices, signed documents) and
// proposes metadata. It returns a zero Classification for documents it does
// not know.
type Classifier interface {
	Classify(ctx context.Context, in ClassifyInput) (Classification, error)
}

// ExportDoc is an approved document handed to a DMS connector.
type ExportDoc struct {
	ID       string // document UUID: the idempotency key
	Filename string // suggested file name in the DMS
	PDF      string // path of the document file
	SHA256   string // of the document file
	Metadata map[string]string
	Files    map[string]string // further files by name: transfervermerk.xml, metadata.json …
}

// Receipt confirms a delivery.
type Receipt struct {
	Target   string    `json:"target"`
	ObjectID string    `json:"object_id"`
	URL      string    `json:"url,omitempty"`
	Time     time.Time `json:"time"`
}

// Exporter delivers an approved document. doc.ID is the idempotency key:
// after a crash Export may be called again for the same ID and must not create
// a second copy in the DMS. Errors wrapped with Permanent wait for an
// operator; anything else is retried with backoff.
type Exporter interface {
	Name() string
	Export(ctx context.Context, doc ExportDoc) (Receipt, error)
}

// ExpandInput is a batch that may be a container (a mail).
type ExpandInput struct {
	Batch    *Batch
	Original string // path of the stored original
}

// Expansion is what an Expander made of a container.
type Expansion struct {
	// Parts are taken in as batches of their own (same source and profile as
	// the container unless set), e.g. a mail's attachments. Their Item.Path
	// files may be deleted after intake.
	Parts []Item
	// Metadata and Flags go to the container's own document (e.g. the mail).
	Metadata map[string]string
	Flags    []string
}

// Expander unpacks containers (mails) into parts. It returns ok=false for
// batches it does not handle. The container's own document continues through
// the pipeline (its rendition comes from a Classifier). Expand may be called
// again for the same batch after a crash: parts are deduplicated by intake.
type Expander interface {
	Expand(ctx context.Context, in ExpandInput) (x Expansion, ok bool, err error)
}

// Proposer proposes metadata from a document's recognised text (one string
// per page). Proposals never overwrite metadata that is already set.
type Proposer interface {
	Propose(pages []string) map[string]string
}
