package ui

import (
	"context"

	"poststelle/mailroom"
	"poststelle/mailroom/api/apiv1"
)

// ChangeFunc makes one change of a document (apiv1.Act…) for the person
// logged in and returns the document's new version: the engine in-process
// (ui/embedded) or the API (ui/client).
type ChangeFunc func(ctx context.Context, action string, ref mailroom.Ref, c apiv1.Change) (apiv1.Result, error)

// Changes implements the change methods of Model over a ChangeFunc, with
// the desk's own versions carried from one change to the next (Versions).
// Both models embed it.
type Changes struct {
	Do   ChangeFunc
	vers Versions
}

func (m *Changes) do(ctx context.Context, action string, ref mailroom.Ref, c apiv1.Change) (apiv1.Result, error) {
	var res apiv1.Result
	err := m.vers.Do(ref, func(ref mailroom.Ref) (int64, error) {
		var err error
		c.Version = ref.Version
		res, err = m.Do(ctx, action, ref, c)
		return res.Version, err
	})
	return res, err
}

func (m *Changes) change(ctx context.Context, action string, ref mailroom.Ref, c apiv1.Change) error {
	_, err := m.do(ctx, action, ref, c)
	return err
}

// UpdateMetadata implements Model.
func (m *Changes) UpdateMetadata(ctx context.Context, ref mailroom.Ref, fields map[string]string) error {
	return m.change(ctx, apiv1.ActMetadata, ref, apiv1.Change{Fields: fields})
}

// SetProtection implements Model; lowering is refused by the engine.
func (m *Changes) SetProtection(ctx context.Context, ref mailroom.Ref, p mailroom.Protection) error {
	return m.change(ctx, apiv1.ActProtection, ref, apiv1.Change{Protection: p})
}

// RecordQA implements Model; the person of the check is the one logged in.
func (m *Changes) RecordQA(ctx context.Context, ref mailroom.Ref, qa mailroom.QAResult) error {
	return m.change(ctx, apiv1.ActQA, ref, apiv1.Change{QA: &apiv1.QA{Complete: qa.Complete, ExpectedPages: qa.ExpectedPages,
		ActualPages: qa.ActualPages, Legible: qa.Legible, Matches: qa.Matches, Anomalies: qa.Anomalies, Note: qa.Note}})
}

// Approve implements Model: unapplied page changes and the protection
// level's rules are the engine's to refuse.
func (m *Changes) Approve(ctx context.Context, ref mailroom.Ref) error {
	return m.change(ctx, apiv1.ActApprove, ref, apiv1.Change{})
}

// Reject implements Model.
func (m *Changes) Reject(ctx context.Context, ref mailroom.Ref, reason string) error {
	return m.change(ctx, apiv1.ActReject, ref, apiv1.Change{Reason: reason})
}

// Rotate implements Model.
func (m *Changes) Rotate(ctx context.Context, ref mailroom.Ref, pos, degrees int) error {
	return m.change(ctx, apiv1.ActRotate, ref, apiv1.Change{Position: pos, Degrees: degrees})
}

// DeletePage implements Model.
func (m *Changes) DeletePage(ctx context.Context, ref mailroom.Ref, pos int) error {
	return m.change(ctx, apiv1.ActDeletePage, ref, apiv1.Change{Position: pos})
}

// RestorePage implements Model.
func (m *Changes) RestorePage(ctx context.Context, ref mailroom.Ref, page int) error {
	return m.change(ctx, apiv1.ActRestorePage, ref, apiv1.Change{Page: page})
}

// MovePage implements Model.
func (m *Changes) MovePage(ctx context.Context, ref mailroom.Ref, from, to int) error {
	return m.change(ctx, apiv1.ActMovePage, ref, apiv1.Change{From: from, To: to})
}

// Split implements Model.
func (m *Changes) Split(ctx context.Context, ref mailroom.Ref, at int) (string, error) {
	res, err := m.do(ctx, apiv1.ActSplit, ref, apiv1.Change{At: at})
	return res.NewID, err
}

// AcceptSplit implements Model.
func (m *Changes) AcceptSplit(ctx context.Context, ref mailroom.Ref, page int) (string, error) {
	res, err := m.do(ctx, apiv1.ActAcceptSplit, ref, apiv1.Change{Page: page})
	return res.NewID, err
}

// DismissSplit implements Model.
func (m *Changes) DismissSplit(ctx context.Context, ref mailroom.Ref, page int) error {
	return m.change(ctx, apiv1.ActDismissSplit, ref, apiv1.Change{Page: page})
}

// MergeNext implements Model.
func (m *Changes) MergeNext(ctx context.Context, ref mailroom.Ref) error {
	return m.change(ctx, apiv1.ActMergeNext, ref, apiv1.Change{})
}

// ApplyPages implements Model.
func (m *Changes) ApplyPages(ctx context.Context, ref mailroom.Ref) error {
	return m.change(ctx, apiv1.ActApplyPages, ref, apiv1.Change{})
}

// Retry implements Model: a quarantined document that was already split
// goes back to recognising, one that was not back to received.
func (m *Changes) Retry(ctx context.Context, ref mailroom.Ref) error {
	return m.change(ctx, apiv1.ActRetry, ref, apiv1.Change{})
}

// Release implements Model: the quarantined document goes to review, where
// a person decides (approve or reject).
func (m *Changes) Release(ctx context.Context, ref mailroom.Ref) error {
	return m.change(ctx, apiv1.ActRelease, ref, apiv1.Change{})
}
