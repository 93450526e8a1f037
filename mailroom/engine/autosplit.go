package engine

import (
	"context"
	"encoding/json"
	"fmt"

	"poststelle/mailroom"
	"poststelle/mailroom/boundary"
)

// Automatic splitting ([separators] auto_split, docs/autosplit.md). After
// recognition the boundary scorer looks at the recognised pages of the
// document. In "propose" mode its proposals are stored on the document
// (mailroom.MetaProposedSplits) for the desk and the `process` output. In
// "apply" mode the document is cut before every proposal with the same store
// operation as the desk's split (store.SplitDocument, journaled as page-op
// "auto-split" with score and reasons); the parts are recognised on their
// own afterwards, as parts cut at separator sheets are. The recognition of
// the parts finds the pages' OCR in the Recognizer's cache (ocr/ocrcache)
// when it is configured, so pages are not OCRed twice.
//
// Separator sheets and barcode rules win: a batch they split is never split
// automatically (its proposals are only shown). A document is split
// automatically at most once (mailroom.MetaAutoSplitDone), so a merge at the
// desk is not undone by a later re-recognition; documents of record (signed
// PDFs, e-invoices) are never split.

// splitter is the store operation apply mode needs (the desk's split).
type splitter interface {
	SplitDocument(ctx context.Context, docID, actor string, detail any, fn func(head, tail *mailroom.Document) error) (*mailroom.Document, *mailroom.Document, error)
}

// proposeSplits scores the gaps between the recognised pages; proposals the
// clerk dismissed before are left out.
func (s *RecogniseStage) proposeSplits(d *mailroom.Document, o *outcome) []mailroom.SplitProposal {
	if s.AutoSplit == mailroom.AutoSplitOff || o.keepOriginal || len(o.pages) < 2 {
		return nil
	}
	in := make([]boundary.Page, len(o.pages))
	for i, p := range o.pages {
		in[i] = boundary.FromResult(p)
	}
	dismissed := mailroom.DismissedSplits(d)
	var out []mailroom.SplitProposal
	for _, p := range boundary.Score(in, boundary.Options{}).Proposals {
		if !dismissed[p.Page] {
			out = append(out, p)
		}
	}
	return out
}

// mayApply reports whether the proposals may be applied to d.
func (s *RecogniseStage) mayApply(d *mailroom.Document, b *mailroom.Batch, o *outcome) bool {
	if s.AutoSplit != mailroom.AutoSplitApply || len(o.splits) == 0 || o.keepOriginal {
		return false
	}
	if len(b.Separators) > 0 || d.Metadata[mailroom.MetaAutoSplitDone] != "" {
		return false
	}
	_, ok := s.Store.(splitter)
	return ok
}

// applySplits cuts d before every proposal, front to back (each cut splits
// the last part, so the parts keep the batch's order in Seq). It returns
// the first part: d with its remaining pages.
func (s *RecogniseStage) applySplits(ctx context.Context, d *mailroom.Document, props []mailroom.SplitProposal) (*mailroom.Document, error) {
	sp := s.Store.(splitter)
	head, cur := d, d
	for i, p := range props {
		at := -1
		for j, src := range cur.Pages {
			if src == p.Page {
				at = j
			}
		}
		if at <= 0 {
			continue
		}
		det := map[string]any{"op": "auto-split", "page": p.Page, "score": p.Score, "reasons": p.Reasons}
		h, t, err := sp.SplitDocument(ctx, cur.ID, s.Actor, det, func(h, t *mailroom.Document) error {
			if h.State != mailroom.StateRecognising {
				return fmt.Errorf("auto-split: document %s is %s, not recognising", h.ID, h.State)
			}
			divide(h, t, at)
			t.Output = ""
			t.Metadata["split_from"] = h.ID
			applied, _ := json.Marshal(p)
			t.Metadata[mailroom.MetaAutoSplit] = string(applied)
			h.Metadata[mailroom.MetaAutoSplitDone] = mailroom.AutoSplitApply
			t.Metadata[mailroom.MetaAutoSplitDone] = mailroom.AutoSplitApply
			delete(t.Metadata, mailroom.MetaProposedSplits)
			det["head"], det["tail"] = h.ID, t.ID
			det["head_pages"], det["tail_pages"] = h.Pages, t.Pages
			return nil
		})
		if err != nil {
			return nil, err
		}
		s.Log.Info("document split automatically", "document", h.ID, "new", t.ID, "page", p.Page, "score", p.Score)
		if i == 0 || head.ID == h.ID {
			head = h
		}
		cur = t
	}
	return head, nil
}

// divide gives head the pages before position at and tail the rest, each
// with its desk rotations.
func divide(head, tail *mailroom.Document, at int) {
	all := head.Pages
	rot := mailroom.Rotations(head)
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
}

// AcceptSplit is the clerk accepting the proposal at source page page: the
// document is split there (as Split does) and the page-op is journaled as
// "accept-split" with the proposal's score and reasons.
func (o *PageOps) AcceptSplit(ctx context.Context, act mailroom.Actor, ref mailroom.Ref, page int) (*mailroom.Document, *mailroom.Document, error) {
	if err := authorize(ctx, o.Docs, act, "page-op", ref.ID); err != nil {
		return nil, nil, err
	}
	d, err := o.Docs.Document(ctx, ref.ID)
	if err != nil {
		return nil, nil, err
	}
	p, at, err := findProposal(d, page)
	if err != nil {
		return nil, nil, err
	}
	det := map[string]any{"op": "accept-split", "page": page, "at": at + 1, "score": p.Score, "reasons": p.Reasons}
	head, tail, err := o.Store.SplitDocument(ctx, ref.ID, act.Login, withVia(det, act), func(head, tail *mailroom.Document) error {
		if err := guard(act, ref, head); err != nil {
			return err
		}
		if err := inReview(head); err != nil {
			return err
		}
		if len(head.Pages) <= at || head.Pages[at] != page {
			return mailroom.BadInput("Die Seiten des Dokuments haben sich geändert", "the document's pages changed", nil)
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

// DismissSplit is the clerk dismissing the proposal at source page page: it
// leaves the open proposals, is remembered (not proposed again at the next
// recognition) and journaled as page-op "dismiss-split".
func (o *PageOps) DismissSplit(ctx context.Context, act mailroom.Actor, ref mailroom.Ref, page int) (*mailroom.Document, error) {
	if err := authorize(ctx, o.Docs, act, "page-op", ref.ID); err != nil {
		return nil, err
	}
	det := map[string]any{"op": "dismiss-split", "page": page}
	d, err := o.Store.EditPages(ctx, ref.ID, act.Login, withVia(det, act), func(ps *mailroom.PageState) error {
		d := ps.Doc
		if err := guard(act, ref, d); err != nil {
			return err
		}
		if err := inReview(d); err != nil {
			return err
		}
		p, _, err := findProposal(d, page)
		if err != nil {
			return err
		}
		det["score"], det["reasons"] = p.Score, p.Reasons
		var rest []mailroom.SplitProposal
		for _, q := range mailroom.ProposedSplits(d) {
			if q.Page != page {
				rest = append(rest, q)
			}
		}
		mailroom.SetProposedSplits(d, rest)
		mailroom.AddDismissedSplit(d, page)
		return nil
	})
	return d, explain(ctx, o.Docs, ref.ID, err)
}

// findProposal returns the open proposal at source page page and the
// page's position in d.
func findProposal(d *mailroom.Document, page int) (mailroom.SplitProposal, int, error) {
	for _, p := range mailroom.ProposedSplits(d) {
		if p.Page == page {
			for i, src := range d.Pages {
				if src == page {
					return p, i, nil
				}
			}
		}
	}
	return mailroom.SplitProposal{}, 0, mailroom.BadInput(fmt.Sprintf("Kein Trennvorschlag vor Seite %d", page),
		fmt.Sprintf("no split proposal before page %d", page), nil)
}
