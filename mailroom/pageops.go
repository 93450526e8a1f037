package mailroom

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
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

// PageOps performs page operations on documents in review.
type PageOps struct {
	Store PageStore
	// Transition is the engine's store, used by ApplyPages.
	Docs Store
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

func setRotations(d *Document, r map[int]int) {
	m := map[string]int{}
	keys := make([]int, 0, len(r))
	for p := range r {
		keys = append(keys, p)
	}
	sort.Ints(keys)
	for _, p := range keys {
		if v := ((r[p] % 360) + 360) % 360; v != 0 {
			m[strconv.Itoa(p)] = v
		}
	}
	if len(m) == 0 {
		delete(d.Metadata, MetaPageRotations)
		return
	}
	b, _ := json.Marshal(m)
	d.Metadata[MetaPageRotations] = string(b)
}

// markChanged flags d as changed and drops a QA result made on the old pages.
func markChanged(d *Document) {
	if !d.HasFlag(FlagPagesChanged) {
		d.Flags = append(d.Flags, FlagPagesChanged)
	}
	delete(d.Metadata, MetaQA)
}

func inReview(d *Document) error {
	if d.State != StateReview {
		return BadInput(fmt.Sprintf("Dokument ist im Status %s, Seiten können nur in der Prüfung geändert werden", d.State),
			fmt.Sprintf("document is %s; pages can only be changed in review", d.State), nil)
	}
	return nil
}

func checkPos(d *Document, pos int) error {
	if pos < 0 || pos >= len(d.Pages) {
		return BadInput(fmt.Sprintf("Seite %d gibt es nicht (Dokument hat %d Seiten)", pos+1, len(d.Pages)),
			fmt.Sprintf("page %d does not exist (document has %d pages)", pos+1, len(d.Pages)), nil)
	}
	return nil
}

// Rotate turns the page at position pos (0-based in Document.Pages) by
// degrees clockwise (a multiple of 90; negative turns left).
func (o *PageOps) Rotate(ctx context.Context, docID, person string, pos, degrees int) (*Document, error) {
	if degrees%90 != 0 {
		return nil, BadInput("Drehung nur in Schritten von 90°", "rotation only in steps of 90°", nil)
	}
	det := map[string]any{"op": "rotate", "position": pos + 1, "degrees": degrees}
	return o.Store.EditPages(ctx, docID, person, det, func(ps *PageState) error {
		d := ps.Doc
		if err := inReview(d); err != nil {
			return err
		}
		if err := checkPos(d, pos); err != nil {
			return err
		}
		r := Rotations(d)
		src := d.Pages[pos]
		r[src] = r[src] + degrees
		det["page"] = src
		det["rotation"] = ((r[src] % 360) + 360) % 360
		setRotations(d, r)
		markChanged(d)
		return nil
	})
}

// Delete removes the page at position pos. It stays restorable (Restore)
// while the document is in review. The last page cannot be deleted.
func (o *PageOps) Delete(ctx context.Context, docID, person string, pos int) (*Document, error) {
	det := map[string]any{"op": "delete", "position": pos + 1}
	return o.Store.EditPages(ctx, docID, person, det, func(ps *PageState) error {
		d := ps.Doc
		if err := inReview(d); err != nil {
			return err
		}
		if err := checkPos(d, pos); err != nil {
			return err
		}
		if len(d.Pages) == 1 {
			return BadInput("Die letzte Seite kann nicht gelöscht werden (Dokument stattdessen zurückweisen)",
				"the last page cannot be deleted (reject the document instead)", nil)
		}
		src := d.Pages[pos]
		det["page"] = src
		d.Pages = append(append([]int{}, d.Pages[:pos]...), d.Pages[pos+1:]...)
		ps.Deleted = append(ps.Deleted, DeletedPage{Page: src, Position: pos, By: person, At: time.Now().UTC()})
		markChanged(d)
		return nil
	})
}

// Restore puts a deleted source page back at the position it had (or the end).
func (o *PageOps) Restore(ctx context.Context, docID, person string, page int) (*Document, error) {
	det := map[string]any{"op": "restore", "page": page}
	return o.Store.EditPages(ctx, docID, person, det, func(ps *PageState) error {
		d := ps.Doc
		if err := inReview(d); err != nil {
			return err
		}
		idx := -1
		for i, dp := range ps.Deleted {
			if dp.Page == page {
				idx = i
			}
		}
		if idx < 0 {
			return BadInput(fmt.Sprintf("Seite %d ist nicht gelöscht", page), fmt.Sprintf("page %d is not deleted", page), nil)
		}
		pos := ps.Deleted[idx].Position
		if pos > len(d.Pages) {
			pos = len(d.Pages)
		}
		d.Pages = append(d.Pages[:pos], append([]int{page}, d.Pages[pos:]...)...)
		ps.Deleted = append(ps.Deleted[:idx], ps.Deleted[idx+1:]...)
		det["position"] = pos + 1
		markChanged(d)
		return nil
	})
}

// Move moves the page at position from to position to (both 0-based).
func (o *PageOps) Move(ctx context.Context, docID, person string, from, to int) (*Document, error) {
	det := map[string]any{"op": "move", "from": from + 1, "to": to + 1}
	return o.Store.EditPages(ctx, docID, person, det, func(ps *PageState) error {
		d := ps.Doc
		if err := inReview(d); err != nil {
			return err
		}
		if err := checkPos(d, from); err != nil {
			return err
		}
		if err := checkPos(d, to); err != nil {
			return err
		}
		if from == to {
			return nil
		}
		src := d.Pages[from]
		det["page"] = src
		rest := append(append([]int{}, d.Pages[:from]...), d.Pages[from+1:]...)
		d.Pages = append(append(append([]int{}, rest[:to]...), src), rest[to:]...)
		markChanged(d)
		return nil
	})
}

// Split cuts the document before position at (0-based): pages [0, at) stay,
// pages [at, n) become a new document of the same batch, in review, with
// the same metadata. Both are marked changed.
func (o *PageOps) Split(ctx context.Context, docID, person string, at int) (*Document, *Document, error) {
	det := map[string]any{"op": "split", "at": at + 1}
	return o.Store.SplitDocument(ctx, docID, person, det, func(head, tail *Document) error {
		if err := inReview(head); err != nil {
			return err
		}
		if at <= 0 || at >= len(head.Pages) {
			return BadInput(fmt.Sprintf("Trennen vor Seite %d nicht möglich (Dokument hat %d Seiten)", at+1, len(head.Pages)),
				fmt.Sprintf("cannot split before page %d (document has %d pages)", at+1, len(head.Pages)), nil)
		}
		all := head.Pages
		rot := Rotations(head)
		head.Pages = append([]int{}, all[:at]...)
		tail.Pages = append([]int{}, all[at:]...)
		hr, tr := map[int]int{}, map[int]int{}
		for _, p := range head.Pages {
			if r, ok := rot[p]; ok {
				hr[p] = r
			}
		}
		for _, p := range tail.Pages {
			if r, ok := rot[p]; ok {
				tr[p] = r
			}
		}
		setRotations(head, hr)
		setRotations(tail, tr)
		tail.Output = ""
		tail.State = StateReview
		tail.Metadata["split_from"] = head.ID
		det["head"], det["tail"] = head.ID, tail.ID
		det["head_pages"], det["tail_pages"] = head.Pages, tail.Pages
		markChanged(head)
		markChanged(tail)
		return nil
	})
}

// MergeNext appends the pages of the next document of the same batch (by
// Seq, also in review) to this one. The next document is rejected with a
// reason that names this one; its journal stays.
func (o *PageOps) MergeNext(ctx context.Context, docID, person string) (*Document, error) {
	d, err := o.Docs.Document(ctx, docID)
	if err != nil {
		return nil, err
	}
	docs, err := o.Docs.Documents(ctx, DocFilter{BatchID: d.BatchID})
	if err != nil {
		return nil, err
	}
	var next *Document
	for _, x := range docs {
		if x.ID != d.ID && x.Seq > d.Seq && x.State == StateReview && (next == nil || x.Seq < next.Seq) {
			next = x
		}
	}
	if next == nil {
		return nil, BadInput("Kein folgendes Dokument desselben Stapels in der Prüfung",
			"no following document of the same batch in review", nil)
	}
	det := map[string]any{"op": "merge", "into": d.ID, "merged": next.ID}
	return o.Store.MergeDocuments(ctx, d.ID, next.ID, person, det, func(doc, nx *Document) error {
		if err := inReview(doc); err != nil {
			return err
		}
		if err := inReview(nx); err != nil {
			return err
		}
		rot := Rotations(doc)
		for p, r := range Rotations(nx) {
			rot[p] = r
		}
		doc.Pages = append(append([]int{}, doc.Pages...), nx.Pages...)
		setRotations(doc, rot)
		det["pages"] = doc.Pages
		nx.State = StateRejected
		nx.Reason = fmt.Sprintf("zusammengeführt mit Dokument %s / merged into document %s", doc.ID, doc.ID)
		markChanged(doc)
		return nil
	})
}

// ApplyPages sends a document whose pages were changed back to recognising
// (review → recognising): the pipeline re-makes its PDF, OCR and
// metadata.json from the original with the new page list and rotations, and
// the document returns to review. QA is recorded afterwards on the new PDF.
func (o *PageOps) ApplyPages(ctx context.Context, docID, person string) (*Document, error) {
	return o.Docs.Transition(ctx, docID, Change{To: StateRecognising, Actor: person, Action: "page-op",
		Detail: map[string]any{"op": "apply"},
		Mutate: func(d *Document) error {
			if err := inReview(d); err != nil {
				return err
			}
			if !d.HasFlag(FlagPagesChanged) {
				return BadInput("Keine Seitenänderungen zu übernehmen", "no page changes to apply", nil)
			}
			flags := d.Flags[:0]
			for _, f := range d.Flags {
				if f != FlagPagesChanged {
					flags = append(flags, f)
				}
			}
			d.Flags = flags
			d.Output = ""
			return nil
		}})
}

// CheckPagesApplied refuses approval of a document with page changes whose
// PDF was not re-made yet.
func CheckPagesApplied(d *Document) error {
	if d.HasFlag(FlagPagesChanged) {
		return fmt.Errorf("%w: Seitenänderungen sind noch nicht übernommen (PDF neu erstellen) / page changes not applied yet (re-make the PDF)", ErrNotAllowed)
	}
	return nil
}
