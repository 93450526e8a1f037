package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"poststelle/mailroom"
)

// PageOps performs page operations on documents in review.
type PageOps struct {
	Store mailroom.PageStore
	// Transition is the engine's store, used by ApplyPages.
	Docs mailroom.Store
}

func setRotations(d *mailroom.Document, r map[int]int) {
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
		delete(d.Metadata, mailroom.MetaPageRotations)
		return
	}
	b, _ := json.Marshal(m)
	d.Metadata[mailroom.MetaPageRotations] = string(b)
}

// markChanged flags d as changed and drops a QA result made on the old pages.
func markChanged(d *mailroom.Document) {
	if !d.HasFlag(mailroom.FlagPagesChanged) {
		d.Flags = append(d.Flags, mailroom.FlagPagesChanged)
	}
	delete(d.Metadata, mailroom.MetaQA)
}

func inReview(d *mailroom.Document) error {
	if d.State != mailroom.StateReview {
		return mailroom.BadInput(fmt.Sprintf("Dokument ist im Status %s, Seiten können nur in der Prüfung geändert werden", d.State),
			fmt.Sprintf("document is %s; pages can only be changed in review", d.State), nil)
	}
	return nil
}

func checkPos(d *mailroom.Document, pos int) error {
	if pos < 0 || pos >= len(d.Pages) {
		return mailroom.BadInput(fmt.Sprintf("Seite %d gibt es nicht (Dokument hat %d Seiten)", pos+1, len(d.Pages)),
			fmt.Sprintf("page %d does not exist (document has %d pages)", pos+1, len(d.Pages)), nil)
	}
	return nil
}

// Rotate turns the page at position pos (0-based in Document.Pages) by
// degrees clockwise (a multiple of 90; negative turns left).
func (o *PageOps) Rotate(ctx context.Context, act mailroom.Actor, ref mailroom.Ref, pos, degrees int) (*mailroom.Document, error) {
	if err := authorize(ctx, o.Docs, act, "page-op", ref.ID); err != nil {
		return nil, err
	}
	if degrees%90 != 0 {
		return nil, mailroom.BadInput("Drehung nur in Schritten von 90°", "rotation only in steps of 90°", nil)
	}
	det := map[string]any{"op": "rotate", "position": pos + 1, "degrees": degrees}
	d, err := o.Store.EditPages(ctx, ref.ID, act.Login, withVia(det, act), func(ps *mailroom.PageState) error {
		d := ps.Doc
		if err := guard(act, ref, d); err != nil {
			return err
		}
		if err := inReview(d); err != nil {
			return err
		}
		if err := checkPos(d, pos); err != nil {
			return err
		}
		r := mailroom.Rotations(d)
		src := d.Pages[pos]
		r[src] = r[src] + degrees
		det["page"] = src
		det["rotation"] = ((r[src] % 360) + 360) % 360
		setRotations(d, r)
		markChanged(d)
		return nil
	})
	return d, explain(ctx, o.Docs, ref.ID, err)
}

// Delete removes the page at position pos. It stays restorable (Restore)
// while the document is in review. The last page cannot be deleted.
func (o *PageOps) Delete(ctx context.Context, act mailroom.Actor, ref mailroom.Ref, pos int) (*mailroom.Document, error) {
	if err := authorize(ctx, o.Docs, act, "page-op", ref.ID); err != nil {
		return nil, err
	}
	det := map[string]any{"op": "delete", "position": pos + 1}
	d, err := o.Store.EditPages(ctx, ref.ID, act.Login, withVia(det, act), func(ps *mailroom.PageState) error {
		d := ps.Doc
		if err := guard(act, ref, d); err != nil {
			return err
		}
		if err := inReview(d); err != nil {
			return err
		}
		if err := checkPos(d, pos); err != nil {
			return err
		}
		if len(d.Pages) == 1 {
			return mailroom.BadInput("Die letzte Seite kann nicht gelöscht werden (Dokument stattdessen zurückweisen)",
				"the last page cannot be deleted (reject the document instead)", nil)
		}
		src := d.Pages[pos]
		det["page"] = src
		d.Pages = append(append([]int{}, d.Pages[:pos]...), d.Pages[pos+1:]...)
		ps.Deleted = append(ps.Deleted, mailroom.DeletedPage{Page: src, Position: pos, By: act.Login, At: time.Now().UTC()})
		markChanged(d)
		return nil
	})
	return d, explain(ctx, o.Docs, ref.ID, err)
}

// Restore puts a deleted source page back at the position it had (or the end).
func (o *PageOps) Restore(ctx context.Context, act mailroom.Actor, ref mailroom.Ref, page int) (*mailroom.Document, error) {
	if err := authorize(ctx, o.Docs, act, "page-op", ref.ID); err != nil {
		return nil, err
	}
	det := map[string]any{"op": "restore", "page": page}
	d, err := o.Store.EditPages(ctx, ref.ID, act.Login, withVia(det, act), func(ps *mailroom.PageState) error {
		d := ps.Doc
		if err := guard(act, ref, d); err != nil {
			return err
		}
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
			return mailroom.BadInput(fmt.Sprintf("Seite %d ist nicht gelöscht", page), fmt.Sprintf("page %d is not deleted", page), nil)
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
	return d, explain(ctx, o.Docs, ref.ID, err)
}

// Move moves the page at position from to position to (both 0-based).
func (o *PageOps) Move(ctx context.Context, act mailroom.Actor, ref mailroom.Ref, from, to int) (*mailroom.Document, error) {
	if err := authorize(ctx, o.Docs, act, "page-op", ref.ID); err != nil {
		return nil, err
	}
	det := map[string]any{"op": "move", "from": from + 1, "to": to + 1}
	d, err := o.Store.EditPages(ctx, ref.ID, act.Login, withVia(det, act), func(ps *mailroom.PageState) error {
		d := ps.Doc
		if err := guard(act, ref, d); err != nil {
			return err
		}
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
	return d, explain(ctx, o.Docs, ref.ID, err)
}

// Split cuts the document before position at (0-based): pages [0, at) stay,
// pages [at, n) become a new document of the same batch, in review, with
// the same metadata. Both are marked changed.
func (o *PageOps) Split(ctx context.Context, act mailroom.Actor, ref mailroom.Ref, at int) (*mailroom.Document, *mailroom.Document, error) {
	if err := authorize(ctx, o.Docs, act, "page-op", ref.ID); err != nil {
		return nil, nil, err
	}
	det := map[string]any{"op": "split", "at": at + 1}
	head, tail, err := o.Store.SplitDocument(ctx, ref.ID, act.Login, withVia(det, act), func(head, tail *mailroom.Document) error {
		if err := guard(act, ref, head); err != nil {
			return err
		}
		if err := inReview(head); err != nil {
			return err
		}
		if at <= 0 || at >= len(head.Pages) {
			return mailroom.BadInput(fmt.Sprintf("Trennen vor Seite %d nicht möglich (Dokument hat %d Seiten)", at+1, len(head.Pages)),
				fmt.Sprintf("cannot split before page %d (document has %d pages)", at+1, len(head.Pages)), nil)
		}
		divide(head, tail, at)
		tail.Output = ""
		tail.State = mailroom.StateReview
		tail.Metadata["split_from"] = head.ID
		det["head"], det["tail"] = head.ID, tail.ID
		det["head_pages"], det["tail_pages"] = head.Pages, tail.Pages
		markChanged(head)
		markChanged(tail)
		return nil
	})
	return head, tail, explain(ctx, o.Docs, ref.ID, err)
}

// MergeNext appends the pages of the next document of the same batch (by
// Seq, also in review) to this one. The next document is rejected with a
// reason that names this one; its journal stays.
func (o *PageOps) MergeNext(ctx context.Context, act mailroom.Actor, ref mailroom.Ref) (*mailroom.Document, error) {
	if err := authorize(ctx, o.Docs, act, "page-op", ref.ID); err != nil {
		return nil, err
	}
	d, err := o.Docs.Document(ctx, ref.ID)
	if err != nil {
		return nil, err
	}
	docs, err := o.Docs.Documents(ctx, mailroom.DocFilter{BatchID: d.BatchID})
	if err != nil {
		return nil, err
	}
	var next *mailroom.Document
	for _, x := range docs {
		if x.ID != d.ID && x.Seq > d.Seq && x.State == mailroom.StateReview && (next == nil || x.Seq < next.Seq) {
			next = x
		}
	}
	if next == nil {
		return nil, mailroom.BadInput("Kein folgendes Dokument desselben Stapels in der Prüfung",
			"no following document of the same batch in review", nil)
	}
	det := map[string]any{"op": "merge", "into": d.ID, "merged": next.ID}
	d, err = o.Store.MergeDocuments(ctx, d.ID, next.ID, act.Login, withVia(det, act), func(doc, nx *mailroom.Document) error {
		if err := guard(act, ref, doc); err != nil {
			return err
		}
		if err := guard(act, mailroom.Ref{}, nx); err != nil {
			return err
		}
		if err := inReview(doc); err != nil {
			return err
		}
		if err := inReview(nx); err != nil {
			return err
		}
		rot := mailroom.Rotations(doc)
		for p, r := range mailroom.Rotations(nx) {
			rot[p] = r
		}
		doc.Pages = append(append([]int{}, doc.Pages...), nx.Pages...)
		setRotations(doc, rot)
		det["pages"] = doc.Pages
		nx.State = mailroom.StateRejected
		nx.Reason = fmt.Sprintf("zusammengeführt mit Dokument %s / merged into document %s", doc.ID, doc.ID)
		markChanged(doc)
		return nil
	})
	return d, explain(ctx, o.Docs, ref.ID, err)
}

// ApplyPages sends a document whose pages were changed back to recognising
// (review → recognising): the pipeline re-makes its PDF, OCR and
// metadata.json from the original with the new page list and rotations, and
// the document returns to review. QA is recorded afterwards on the new PDF.
func (o *PageOps) ApplyPages(ctx context.Context, act mailroom.Actor, ref mailroom.Ref) (*mailroom.Document, error) {
	if err := authorize(ctx, o.Docs, act, "page-op", ref.ID); err != nil {
		return nil, err
	}
	d, err := o.Docs.Transition(ctx, ref.ID, mailroom.Change{To: mailroom.StateRecognising, Actor: act.Login, Action: "page-op",
		Detail: map[string]any{"op": "apply"}, Via: via(act),
		Mutate: func(d *mailroom.Document) error {
			if err := guard(act, ref, d); err != nil {
				return err
			}
			if err := inReview(d); err != nil {
				return err
			}
			if !d.HasFlag(mailroom.FlagPagesChanged) {
				return mailroom.BadInput("Keine Seitenänderungen zu übernehmen", "no page changes to apply", nil)
			}
			flags := d.Flags[:0]
			for _, f := range d.Flags {
				if f != mailroom.FlagPagesChanged {
					flags = append(flags, f)
				}
			}
			d.Flags = flags
			d.Output = ""
			return nil
		}})
	return d, explain(ctx, o.Docs, ref.ID, err)
}
