package engine

import (
	"context"
	"errors"
	"fmt"

	"poststelle/mailroom"
)

// SplitStage cuts a received batch into documents: containers (mails) are
// expanded into parts, page media are decoded and searched for separator
// sheets and barcodes, and the store applies the resulting plan
// (received → splitting → recognising).
type SplitStage struct {
	Store     mailroom.Store
	Config    *mailroom.Config // separators, intake limits; may be nil
	Opener    mailroom.PageOpener
	Detector  mailroom.Detector
	Rules     mailroom.SplitRules
	Expanders []mailroom.Expander
	// Classified: classifiers are configured, so inputs without pages
	// (e-invoice XML, mail, PKCS#7) are accepted.
	Classified bool
	Actor      string
}

var _ mailroom.Stage = (*SplitStage)(nil)

func (e *Engine) splitStage() *SplitStage {
	return &SplitStage{Store: e.Store, Config: e.Config, Opener: e.Opener, Detector: e.Detector, Rules: e.Rules,
		Expanders: e.Expanders, Classified: len(e.Classifiers) > 0, Actor: e.Owner()}
}

// Name implements mailroom.Stage.
func (s *SplitStage) Name() string { return "split" }

// From implements mailroom.Stage.
func (s *SplitStage) From() mailroom.State { return mailroom.StateReceived }

// Working implements mailroom.Stage.
func (s *SplitStage) Working() mailroom.State { return mailroom.StateSplitting }

// Process implements mailroom.Stage.
func (s *SplitStage) Process(ctx context.Context, d *mailroom.Document) error {
	b, err := s.Store.Batch(ctx, d.BatchID)
	if err != nil {
		return err
	}
	if b.Size == 0 {
		return mailroom.BadInput("Datei ist leer", "file is empty", nil)
	}
	orig := s.Store.OriginalPath(b.SHA256)
	if done, err := s.expand(ctx, d, b, orig); done || err != nil {
		return err
	}
	if err := s.checkInput(b); err != nil {
		return err
	}
	pageCount, plan, err := s.plan(ctx, b, orig)
	if err != nil {
		return err
	}
	if plan.Documents == nil && len(plan.Separators) == 0 {
		plan.Documents = []mailroom.Segment{{Pages: allPages(pageCount)}}
	}
	_, err = s.Store.ApplySplit(ctx, d.ID, pageCount, plan, s.Actor)
	return err
}

// expand lets the first expander that handles the batch unpack it; its
// parts are taken in as batches of their own and the container stays one
// document. done reports whether an expander took the batch.
func (s *SplitStage) expand(ctx context.Context, d *mailroom.Document, b *mailroom.Batch, orig string) (done bool, err error) {
	for _, x := range s.Expanders {
		exp, ok, err := x.Expand(ctx, mailroom.ExpandInput{Batch: b, Original: orig})
		if err != nil {
			return true, err
		}
		if !ok {
			continue
		}
		if err := s.takeParts(ctx, d, b, exp.Parts); err != nil {
			return true, err
		}
		plan := mailroom.SplitPlan{Documents: []mailroom.Segment{{Pages: []int{1}, Metadata: exp.Metadata, Flags: exp.Flags}}}
		_, err = s.Store.ApplySplit(ctx, d.ID, 1, plan, s.Actor)
		return true, err
	}
	return false, nil
}

// takeParts takes a container's parts in; the same source and profile as the
// container unless a part sets its own. Duplicates (after a crash) are fine.
func (s *SplitStage) takeParts(ctx context.Context, d *mailroom.Document, b *mailroom.Batch, parts []mailroom.Item) error {
	for _, part := range parts {
		if part.Source == "" {
			part.Source = b.Source
		}
		if part.Profile.Name == "" {
			part.Profile = mailroom.Profile{Name: b.Profile, Protection: d.Protection}
		}
		if part.Metadata == nil {
			part.Metadata = map[string]string{}
		}
		part.Metadata["parent_batch"] = b.ID
		if part.MaxSize == 0 && s.Config != nil {
			part.MaxSize = s.Config.Intake.MaxFileSize
		}
		// A part was scanned (or received) with its container.
		delete(part.Metadata, mailroom.MetaScannedBy)
		if who := b.Metadata[mailroom.MetaScannedBy]; who != "" {
			part.Metadata[mailroom.MetaScannedBy] = who
		}
		if _, _, err := s.Store.Intake(ctx, part); err != nil && !errors.Is(err, mailroom.ErrDuplicate) {
			return fmt.Errorf("taking in part %s: %w", part.Name, err)
		}
	}
	return nil
}

// plan decodes the batch's pages and applies the separator rules to the
// symbols found on them. Inputs without pages count as one page.
func (s *SplitStage) plan(ctx context.Context, b *mailroom.Batch, orig string) (int, mailroom.SplitPlan, error) {
	if s.Opener == nil || !pageMedia(b.MediaType) {
		return 1, mailroom.SplitPlan{}, nil
	}
	ps, err := s.Opener.Open(ctx, orig, b.MediaType)
	if err != nil {
		return 0, mailroom.SplitPlan{}, err
	}
	defer ps.Close()
	n := ps.Len()
	if n == 0 {
		return 0, mailroom.SplitPlan{}, mailroom.BadInput("Datei enthält keine Seiten", "file has no pages", nil)
	}
	if s.Detector == nil || s.Rules == nil || s.Config == nil || !s.Config.Separators.Enabled {
		return n, mailroom.SplitPlan{}, nil
	}
	found, err := s.detect(ctx, ps)
	if err != nil {
		return 0, mailroom.SplitPlan{}, err
	}
	plan, err := s.Rules.Plan(n, found)
	return n, plan, err
}

// detect finds the symbols on every page, one page in memory at a time.
func (s *SplitStage) detect(ctx context.Context, ps mailroom.PageSet) ([]mailroom.PageSymbols, error) {
	var found []mailroom.PageSymbols
	for i := 0; i < ps.Len(); i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p, err := ps.Page(ctx, i, 0)
		if err != nil {
			return nil, err
		}
		syms, err := s.Detector.Detect(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("barcode detection page %d: %w", i+1, err)
		}
		if len(syms) > 0 {
			found = append(found, mailroom.PageSymbols{Page: i + 1, Symbols: syms})
		}
	}
	return found, nil
}

// checkInput rejects what Poststelle cannot take, with a reason a person understands.
func (s *SplitStage) checkInput(b *mailroom.Batch) error {
	if s.Config != nil && s.Config.Intake.MaxFileSize > 0 && b.Size > s.Config.Intake.MaxFileSize {
		return mailroom.BadInput(fmt.Sprintf("Datei ist zu groß (%d Bytes, höchstens %d)", b.Size, s.Config.Intake.MaxFileSize),
			fmt.Sprintf("file too large (%d bytes, limit %d)", b.Size, s.Config.Intake.MaxFileSize), nil)
	}
	if !pageMedia(b.MediaType) && !(s.Classified && classifiable(b.MediaType)) {
		return mailroom.BadInput("Dateiformat wird nicht unterstützt (erlaubt: PDF, TIFF, JPEG, PNG)",
			"unsupported file format (accepted: PDF, TIFF, JPEG, PNG)", fmt.Errorf("media type %s", b.MediaType))
	}
	return nil
}

// pageMedia reports whether the media type is decoded into pages.
func pageMedia(mt string) bool {
	switch mt {
	case mailroom.MediaPDF, mailroom.MediaTIFF, mailroom.MediaJPEG, mailroom.MediaPNG:
		return true
	}
	return false
}

// classifiable reports whether a non-page input may be handled by a
// classifier (e-invoice XML, mail, PKCS#7 container).
func classifiable(mt string) bool {
	return mt == mailroom.MediaXML || mt == mailroom.MediaEML || mt == mailroom.MediaPKCS7
}

func allPages(n int) []int {
	all := make([]int, n)
	for i := range all {
		all[i] = i + 1
	}
	return all
}
