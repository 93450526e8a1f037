package desk

import (
	"context"
	"encoding/json"
	"image"
	"os"
	"path/filepath"

	"poststelle/mailroom"
	"poststelle/mailroom/api/apiv1"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/store"
)

// Service is the desk's work over one store and engine. It is safe for
// concurrent use.
type Service struct {
	Config *mailroom.Config
	Store  *store.Store
	Engine *engine.Engine
	ops    *engine.PageOps
	pages  *Renderer
}

// New makes the service. opener renders page images (pages.NewOpener in
// scan/pages); thumbnails are cached under work/desk-thumbs.
func New(cfg *mailroom.Config, st *store.Store, e *engine.Engine, opener mailroom.PageOpener) *Service {
	return &Service{Config: cfg, Store: st, Engine: e,
		ops:   &engine.PageOps{Store: st, Docs: st},
		pages: NewRenderer(opener, filepath.Join(st.DataDir(), "work", "desk-thumbs"))}
}

// Renderer is the page renderer (Close it when done).
func (s *Service) Renderer() *Renderer { return s.pages }

// Schema is the desk's metadata form ([desk] of the configuration).
func (s *Service) Schema() mailroom.FieldSchema { return s.Config.Desk.Schema() }

// Counts returns the number of documents per state.
func (s *Service) Counts(ctx context.Context) (map[mailroom.State]int, error) {
	return s.Store.Counts(ctx)
}

// Rows lists the documents in the given states, oldest first.
func (s *Service) Rows(ctx context.Context, states ...mailroom.State) ([]apiv1.DocRow, error) {
	docs, err := s.Store.Documents(ctx, mailroom.DocFilter{States: states})
	if err != nil {
		return nil, err
	}
	batches := map[string]*mailroom.Batch{}
	out := make([]apiv1.DocRow, 0, len(docs))
	for _, d := range docs {
		b := batches[d.BatchID]
		if b == nil {
			if b, err = s.Store.Batch(ctx, d.BatchID); err != nil {
				return nil, err
			}
			batches[d.BatchID] = b
		}
		out = append(out, row(d, b))
	}
	return out, nil
}

func row(d *mailroom.Document, b *mailroom.Batch) apiv1.DocRow {
	class := d.Metadata["document_type"]
	if class == "" {
		class = d.Metadata["document_class"]
	}
	return apiv1.DocRow{ID: d.ID, BatchID: d.BatchID, Seq: d.Seq, State: d.State, Source: b.Source, Filename: b.Filename,
		Received: b.ReceivedAt, Class: class, Subject: d.Metadata["subject"], Pages: len(d.Pages),
		Flags: d.Flags, Protection: d.Protection, Reason: d.Reason, Version: d.Version, Lock: d.Desk,
		Proposals: len(mailroom.ProposedSplits(d))}
}

// View returns one document with its pages, OCR text and flags.
func (s *Service) View(ctx context.Context, id string) (*apiv1.DocView, error) {
	d, err := s.Store.Document(ctx, id)
	if err != nil {
		return nil, err
	}
	b, err := s.Store.Batch(ctx, d.BatchID)
	if err != nil {
		return nil, err
	}
	del, err := s.Store.DeletedPages(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &apiv1.DocView{DocRow: row(d, b), Metadata: d.Metadata, Deleted: del, QA: mailroom.QAOf(d), Output: d.Output,
		Invoice: invoiceCheck(d)}
	v.ScannedBy = d.Metadata[mailroom.MetaScannedBy]
	if v.ScannedBy == "" {
		v.ScannedBy = b.Metadata[mailroom.MetaScannedBy]
	}
	results := s.pageResults(ctx, d)
	rot := mailroom.Rotations(d)
	seps := map[int]bool{}
	for _, sep := range b.Separators {
		seps[sep.Page] = true
	}
	props := map[int]*mailroom.SplitProposal{}
	for _, sp := range mailroom.ProposedSplits(d) {
		props[sp.Page] = &sp
	}
	v.Pages = []apiv1.PageView{}
	for _, p := range d.Pages {
		pv := apiv1.PageView{Source: p, Rotation: rot[p], Proposal: props[p]}
		if seps[p] {
			pv.Flags = append(pv.Flags, apiv1.FlagSeparator)
		}
		if r, ok := results[p]; ok {
			pv.Text, pv.Confidence = r.Text, r.Confidence
			pv.Flags = append(pv.Flags, r.Flags...)
			if r.Rotation != 0 {
				pv.Flags = append(append([]string{}, pv.Flags...), mailroom.FlagRotated)
			}
		}
		v.Pages = append(v.Pages, pv)
	}
	return v, nil
}

// pageResults reads the OCR results of the document's source pages from
// out/<id>/metadata.json, and for pages it does not cover (after a split or
// merge, before the PDF is re-made) from the other documents of the batch.
func (s *Service) pageResults(ctx context.Context, d *mailroom.Document) map[int]mailroom.PageResult {
	out := map[int]mailroom.PageResult{}
	lay := mailroom.Layout{Root: s.Store.DataDir()}
	read := func(id string) {
		data, err := os.ReadFile(filepath.Join(lay.Out(id), mailroom.FileMetadata))
		if err != nil {
			return
		}
		var md mailroom.DocumentMetadata
		if json.Unmarshal(data, &md) != nil {
			return
		}
		for _, r := range md.PageResults {
			if _, ok := out[r.Page]; !ok {
				out[r.Page] = r
			}
		}
	}
	read(d.ID)
	missing := false
	for _, p := range d.Pages {
		if _, ok := out[p]; !ok {
			missing = true
		}
	}
	if missing {
		if sibs, err := s.Store.Documents(ctx, mailroom.DocFilter{BatchID: d.BatchID}); err == nil {
			for _, sib := range sibs {
				if sib.ID != d.ID {
					read(sib.ID)
				}
			}
		}
	}
	return out
}

// PageImage renders source page `page` (1-based) of the document's
// original, turned by rotation degrees clockwise, scaled to fit maxPx on
// its longer side. Results are cached.
func (s *Service) PageImage(ctx context.Context, docID string, page, rotation, maxPx int) (image.Image, error) {
	d, err := s.Store.Document(ctx, docID)
	if err != nil {
		return nil, err
	}
	b, err := s.Store.Batch(ctx, d.BatchID)
	if err != nil {
		return nil, err
	}
	src, mt := s.Store.OriginalPath(b.SHA256), b.MediaType
	key := b.SHA256
	switch mt {
	case mailroom.MediaPDF, mailroom.MediaTIFF, mailroom.MediaJPEG, mailroom.MediaPNG:
	default:
		// Not a page format (mail, e-invoice XML): show the rendition.
		if d.Output == "" {
			return nil, mailroom.BadInput("Keine Seitenansicht: Dokument hat noch kein PDF",
				"no page view: the document has no PDF yet", nil)
		}
		src, mt, key = d.Output, mailroom.MediaPDF, "out-"+d.ID
	}
	return s.pages.Page(ctx, key, src, mt, page, rotation, maxPx)
}

// Journal returns journal entries.
func (s *Service) Journal(ctx context.Context, f mailroom.JournalFilter) ([]mailroom.JournalEntry, error) {
	return s.Store.Journal(ctx, f)
}

// Hold takes or renews act's desk lease of a document, or returns the
// lease of the other person who has it open.
func (s *Service) Hold(ctx context.Context, act mailroom.Actor, docID string) (*mailroom.DeskLease, error) {
	return s.Engine.Hold(ctx, act, docID)
}

// Leave gives up act's desk lease of a document.
func (s *Service) Leave(ctx context.Context, act mailroom.Actor, docID string) error {
	return s.Engine.Leave(ctx, act, docID)
}
