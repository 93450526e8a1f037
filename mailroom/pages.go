package mailroom

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Page operations of the desk (TR-RESISCAN A.NB.1–3: manual post-processing
// is logged and checked). They change a document in review: its page list
// (Document.Pages, 1-based source pages), the rotation of single pages, the
// split into two documents and the merge with the next one. Every operation
// is one store transaction with a journal entry (action "page-op").
//
// Page operations do not re-make the PDF at once, so a person can do several
// in a row. They set FlagPagesChanged and drop a recorded QA result; approval
// is refused until ApplyPages sent the document back to recognising
// (review → recognising), where the pipeline re-makes the PDF, the OCR and
// metadata.json from the original and comes back to review.

// FlagPagesChanged marks a document whose pages were changed at the desk and
// whose PDF has not been re-made yet.
const FlagPagesChanged = "pages-changed"

// MetaPageRotations is the metadata key holding the desk's page rotations:
// a JSON object {"<source page>": degrees clockwise (90, 180, 270)}. The
// recognition step receives it in RecognitionJob.Metadata and applies it
// before its own orientation detection.
const MetaPageRotations = "page_rotations"

// DeletedPage is a page removed at the desk. It stays restorable while the
// document is in review.
type DeletedPage struct {
	Page     int       `json:"page"`     // 1-based source page
	Position int       `json:"position"` // 0-based position it had in Document.Pages
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// PageState is a document together with its deleted pages, as a page
// operation sees and changes it inside one transaction.
type PageState struct {
	Doc     *Document
	Deleted []DeletedPage
}

// PageStore is what page operations need of the store. Each method is one
// transaction that journals action "page-op" with detail on every document
// it changes.
type PageStore interface {
	// EditPages loads the document and its deleted pages, runs fn, and
	// writes both back. fn's error aborts without a change.
	EditPages(ctx context.Context, docID, actor string, detail any, fn func(*PageState) error) (*Document, error)
	// SplitDocument makes a new document (new UUID, same batch, next Seq,
	// copy of metadata, flags and protection) and lets fn divide the pages
	// between head and tail; both are written and journaled together.
	SplitDocument(ctx context.Context, docID, actor string, detail any, fn func(head, tail *Document) error) (*Document, *Document, error)
	// MergeDocuments lets fn move next's pages into doc; next is rejected
	// with a reason naming doc (nothing is deleted).
	MergeDocuments(ctx context.Context, docID, nextID, actor string, detail any, fn func(doc, next *Document) error) (*Document, error)
	// DeletedPages lists the deleted pages of a document.
	DeletedPages(ctx context.Context, docID string) ([]DeletedPage, error)
}

// Rotations returns the desk rotations of d by source page.
func Rotations(d *Document) map[int]int {
	out := map[int]int{}
	s := d.Metadata[MetaPageRotations]
	if s == "" {
		return out
	}
	var m map[string]int
	if json.Unmarshal([]byte(s), &m) != nil {
		return out
	}
	for k, v := range m {
		if p, err := strconv.Atoi(k); err == nil && v%360 != 0 {
			out[p] = ((v % 360) + 360) % 360
		}
	}
	return out
}

// CheckPagesApplied refuses approval of a document with page changes whose
// PDF was not re-made yet.
func CheckPagesApplied(d *Document) error {
	if d.HasFlag(FlagPagesChanged) {
		return fmt.Errorf("%w: Seitenänderungen sind noch nicht übernommen (PDF neu erstellen) / page changes not applied yet (re-make the PDF)", ErrNotAllowed)
	}
	return nil
}
