package engine

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/safefile"
)

// RecogniseStage makes a document readable and moves it to review
// (recognising → review): classifiers look at it first (e-invoices, signed
// documents, mails), then Recognition makes the searchable PDF/A unless a
// classifier made a rendition, proposers suggest metadata from the text, and
// metadata.json is written. A document of record gets an unchanged copy of
// its original beside the rendition.
type RecogniseStage struct {
	Store       mailroom.Store
	Recognition mailroom.Recognition
	Classifiers []mailroom.Classifier
	Proposers   []mailroom.Proposer
	Actor       string
	Log         *slog.Logger
	// AutoApprove reports whether documents of the batch are approved
	// without a visual check (a profile's auto_approve); Approve does it.
	AutoApprove func(b *mailroom.Batch) bool
	Approve     func(ctx context.Context, docID string, a mailroom.Approval) error
	// AutoSplit is the [separators] auto_split mode ("" = propose; see autosplit.go).
	AutoSplit string
}

var _ mailroom.Stage = (*RecogniseStage)(nil)

func (e *Engine) recogniseStage() *RecogniseStage {
	st := &RecogniseStage{Store: e.Store, Recognition: e.Recognition, Classifiers: e.Classifiers, Proposers: e.Proposers,
		Actor: e.Owner(), Log: e.log(), AutoApprove: e.autoApprove, Approve: e.approve}
	if e.Config != nil {
		st.AutoSplit = e.Config.Separators.AutoSplitMode()
	}
	return st
}

// Name implements mailroom.Stage.
func (s *RecogniseStage) Name() string { return "recognise" }

// From implements mailroom.Stage.
func (s *RecogniseStage) From() mailroom.State { return mailroom.StateRecognising }

// Working implements mailroom.Stage.
func (s *RecogniseStage) Working() mailroom.State { return mailroom.StateRecognising }

// outcome collects what classification and recognition found for one document.
type outcome struct {
	meta         map[string]string
	flags        []string
	pages        []mailroom.PageResult
	output       string
	keepOriginal bool
	splits       []mailroom.SplitProposal // proposed document boundaries
}

// Process implements mailroom.Stage.
func (s *RecogniseStage) Process(ctx context.Context, d *mailroom.Document) error {
	return s.process(ctx, d, true)
}

// process recognises d; mayCut: the proposals may be applied (apply mode),
// after which the first part is recognised again with its own pages.
func (s *RecogniseStage) process(ctx context.Context, d *mailroom.Document, mayCut bool) error {
	b, err := s.Store.Batch(ctx, d.BatchID)
	if err != nil {
		return err
	}
	layout := mailroom.Layout{Root: s.Store.DataDir()}
	orig := s.Store.OriginalPath(b.SHA256)
	outDir, workDir := layout.Out(d.ID), layout.Work(d.ID)
	o := &outcome{meta: map[string]string{}}
	if err := s.classify(ctx, d, b, orig, outDir, o); err != nil {
		return err
	}
	if o.output == "" && s.Recognition != nil && pageMedia(b.MediaType) {
		job := mailroom.RecognitionJob{DocumentID: d.ID, Original: orig, MediaType: b.MediaType, Pages: d.Pages,
			OutDir: outDir, WorkDir: workDir, Metadata: d.Metadata, KeepOriginal: o.keepOriginal}
		if err := s.recognise(ctx, d, job, o); err != nil {
			return err
		}
		o.splits = s.proposeSplits(d, o)
		if mayCut && s.mayApply(d, b, o) {
			head, err := s.applySplits(ctx, d, o.splits)
			if err != nil {
				return err
			}
			return s.process(ctx, head, false)
		}
	}
	if err := s.writeOutputs(withSplits(d, o.splits), b, orig, outDir, o); err != nil {
		return err
	}
	os.RemoveAll(workDir)
	if err := s.toReview(ctx, d, o); err != nil {
		return err
	}
	s.autoApprove(ctx, d, b)
	return nil
}

// classify runs every classifier and merges what they found.
func (s *RecogniseStage) classify(ctx context.Context, d *mailroom.Document, b *mailroom.Batch, orig, outDir string, o *outcome) error {
	for _, c := range s.Classifiers {
		cl, err := c.Classify(ctx, mailroom.ClassifyInput{DocumentID: d.ID, Original: orig, MediaType: b.MediaType,
			Filename: b.Filename, Pages: d.Pages, Metadata: d.Metadata, OutDir: outDir})
		if err != nil {
			return err
		}
		for k, v := range cl.Metadata {
			o.meta[k] = v
		}
		o.flags = append(o.flags, cl.Flags...)
		o.keepOriginal = o.keepOriginal || cl.KeepOriginal
		if cl.Rendition != "" {
			o.output = cl.Rendition
		}
	}
	return nil
}

// recognise makes the searchable PDF and lets the proposers suggest metadata
// from its text. Proposals never overwrite metadata that is already set.
func (s *RecogniseStage) recognise(ctx context.Context, d *mailroom.Document, job mailroom.RecognitionJob, o *outcome) error {
	res, err := s.Recognition.Recognise(ctx, job)
	if err != nil {
		return err
	}
	o.output, o.pages = res.Output, res.Pages
	o.flags = append(o.flags, res.Flags...)
	for k, v := range res.Metadata {
		o.meta[k] = v
	}
	texts := make([]string, len(res.Pages))
	for i, p := range res.Pages {
		texts[i] = p.Text
	}
	var proposed []string
	for _, p := range s.Proposers {
		for k, v := range p.Propose(texts) {
			if _, set := o.meta[k]; !set && d.Metadata[k] == "" {
				o.meta[k] = v
				proposed = append(proposed, k)
			}
		}
	}
	if len(proposed) > 0 {
		sort.Strings(proposed)
		o.meta[mailroom.MetaProposed] = strings.Join(proposed, ",")
	}
	return nil
}

// withSplits is a copy of d with the new proposals in its metadata (for
// metadata.json; the store gets them in toReview).
func withSplits(d *mailroom.Document, ps []mailroom.SplitProposal) *mailroom.Document {
	c := *d
	c.Metadata = make(map[string]string, len(d.Metadata)+1)
	for k, v := range d.Metadata {
		c.Metadata[k] = v
	}
	mailroom.SetProposedSplits(&c, ps)
	return &c
}

// writeOutputs puts the unchanged copy of a document of record and
// metadata.json into the document folder.
func (s *RecogniseStage) writeOutputs(d *mailroom.Document, b *mailroom.Batch, orig, outDir string, o *outcome) error {
	if err := os.MkdirAll(outDir, 0o750); err != nil {
		return err
	}
	if o.keepOriginal {
		// The original is the document of record: an unchanged copy goes
		// beside the rendition and is what the DMS receives.
		name := mailroom.RecordFileName(b.MediaType)
		if err := safefile.Copy(orig, filepath.Join(outDir, name), 0o640); err != nil {
			return err
		}
		o.meta[mailroom.MetaRecord] = "original"
		o.meta[mailroom.MetaRecordFile] = name
	}
	return writeMetadataJSON(outDir, d, b, o.meta, o.flags, o.pages, o.keepOriginal)
}

// toReview records the outcome on the document and moves it to review.
func (s *RecogniseStage) toReview(ctx context.Context, d *mailroom.Document, o *outcome) error {
	_, err := s.Store.Transition(ctx, d.ID, mailroom.Change{To: mailroom.StateReview, Actor: s.Actor, Action: "recognised",
		Detail: map[string]any{"output": o.output, "flags": o.flags, "pages": len(o.pages)},
		Mutate: func(doc *mailroom.Document) error {
			// Proposals are made anew at every recognition.
			mailroom.SetProposedSplits(doc, o.splits)
			if s.AutoSplit != mailroom.AutoSplitOff && doc.Metadata[mailroom.MetaAutoSplitDone] == "" && len(o.pages) > 1 {
				doc.Metadata[mailroom.MetaAutoSplitDone] = s.AutoSplit
			}
			for k, v := range o.meta {
				if _, set := doc.Metadata[k]; !set {
					doc.Metadata[k] = v
				}
			}
			for _, f := range o.flags {
				if !doc.HasFlag(f) {
					doc.Flags = append(doc.Flags, f)
				}
			}
			doc.Output = o.output
			return nil
		}})
	return err
}

// autoApprove approves documents of auto-approving profiles. A refusal
// leaves the document in review for a person: it is not lost or retried
// blindly.
func (s *RecogniseStage) autoApprove(ctx context.Context, d *mailroom.Document, b *mailroom.Batch) {
	if s.AutoApprove == nil || s.Approve == nil || !s.AutoApprove(b) {
		return
	}
	err := s.Approve(ctx, d.ID, mailroom.Approval{Person: mailroom.AutomaticApprover, Automatic: true, Time: time.Now().UTC()})
	if err != nil {
		s.Log.Warn("automatic approval refused; document waits at the desk", "document", d.ID, "err", err)
		s.Store.Append(ctx, s.Actor, "auto-approve-refused", d.ID, d.BatchID, map[string]string{"error": err.Error()})
	}
}

// autoApprove reports whether the batch's profile approves automatically.
func (e *Engine) autoApprove(b *mailroom.Batch) bool {
	if e.Config == nil {
		return false
	}
	for _, f := range e.Config.Folders {
		if f.Name == b.Profile {
			return f.AutoApprove
		}
	}
	for _, a := range e.Config.Mail.Accounts {
		if a.Name == b.Profile {
			return a.AutoApprove
		}
	}
	return false
}
