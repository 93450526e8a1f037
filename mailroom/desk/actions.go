package desk

import (
	"context"
	"fmt"
	"sort"

	"poststelle/mailroom"
	"poststelle/mailroom/api/apiv1"
)

// The changes a person makes at a desk, by name (apiv1.Act…): the API's
// paths and the embedded desk's calls are the same list. Each goes to the
// engine with the actor and the version, so the engine checks the role,
// the version and the desk lease.

type action func(s *Service, ctx context.Context, act mailroom.Actor, ref mailroom.Ref, c apiv1.Change) (*mailroom.Document, string, error)

func one(f func(s *Service, ctx context.Context, act mailroom.Actor, ref mailroom.Ref, c apiv1.Change) (*mailroom.Document, error)) action {
	return func(s *Service, ctx context.Context, act mailroom.Actor, ref mailroom.Ref, c apiv1.Change) (*mailroom.Document, string, error) {
		d, err := f(s, ctx, act, ref, c)
		return d, "", err
	}
}

var actions = map[string]action{
	apiv1.ActMetadata: one(func(s *Service, ctx context.Context, act mailroom.Actor, ref mailroom.Ref, c apiv1.Change) (*mailroom.Document, error) {
		return s.Engine.UpdateMetadata(ctx, act, ref, c.Fields)
	}),
	apiv1.ActProtection: one(func(s *Service, ctx context.Context, act mailroom.Actor, ref mailroom.Ref, c apiv1.Change) (*mailroom.Document, error) {
		return s.Engine.SetProtection(ctx, act, ref, c.Protection)
	}),
	apiv1.ActQA: one(func(s *Service, ctx context.Context, act mailroom.Actor, ref mailroom.Ref, c apiv1.Change) (*mailroom.Document, error) {
		if c.QA == nil {
			return nil, mailroom.BadInput("Prüfergebnis fehlt", "the quality check (qa) is missing", nil)
		}
		q := c.QA
		return s.Engine.RecordQA(ctx, act, ref, mailroom.QAResult{Complete: q.Complete, ExpectedPages: q.ExpectedPages,
			ActualPages: q.ActualPages, Legible: q.Legible, Matches: q.Matches, Anomalies: q.Anomalies, Note: q.Note})
	}),
	apiv1.ActApprove: one(func(s *Service, ctx context.Context, act mailroom.Actor, ref mailroom.Ref, c apiv1.Change) (*mailroom.Document, error) {
		return s.Engine.Approve(ctx, act, ref)
	}),
	apiv1.ActReject: one(func(s *Service, ctx context.Context, act mailroom.Actor, ref mailroom.Ref, c apiv1.Change) (*mailroom.Document, error) {
		return s.Engine.Reject(ctx, act, ref, c.Reason)
	}),
	apiv1.ActRotate: one(func(s *Service, ctx context.Context, act mailroom.Actor, ref mailroom.Ref, c apiv1.Change) (*mailroom.Document, error) {
		return s.ops.Rotate(ctx, act, ref, c.Position, c.Degrees)
	}),
	apiv1.ActDeletePage: one(func(s *Service, ctx context.Context, act mailroom.Actor, ref mailroom.Ref, c apiv1.Change) (*mailroom.Document, error) {
		return s.ops.Delete(ctx, act, ref, c.Position)
	}),
	apiv1.ActRestorePage: one(func(s *Service, ctx context.Context, act mailroom.Actor, ref mailroom.Ref, c apiv1.Change) (*mailroom.Document, error) {
		return s.ops.Restore(ctx, act, ref, c.Page)
	}),
	apiv1.ActMovePage: one(func(s *Service, ctx context.Context, act mailroom.Actor, ref mailroom.Ref, c apiv1.Change) (*mailroom.Document, error) {
		return s.ops.Move(ctx, act, ref, c.From, c.To)
	}),
	apiv1.ActSplit: func(s *Service, ctx context.Context, act mailroom.Actor, ref mailroom.Ref, c apiv1.Change) (*mailroom.Document, string, error) {
		head, tail, err := s.ops.Split(ctx, act, ref, c.At)
		if err != nil {
			return nil, "", err
		}
		return head, tail.ID, nil
	},
	apiv1.ActAcceptSplit: func(s *Service, ctx context.Context, act mailroom.Actor, ref mailroom.Ref, c apiv1.Change) (*mailroom.Document, string, error) {
		head, tail, err := s.ops.AcceptSplit(ctx, act, ref, c.Page)
		if err != nil {
			return nil, "", err
		}
		return head, tail.ID, nil
	},
	apiv1.ActDismissSplit: one(func(s *Service, ctx context.Context, act mailroom.Actor, ref mailroom.Ref, c apiv1.Change) (*mailroom.Document, error) {
		return s.ops.DismissSplit(ctx, act, ref, c.Page)
	}),
	apiv1.ActMergeNext: one(func(s *Service, ctx context.Context, act mailroom.Actor, ref mailroom.Ref, c apiv1.Change) (*mailroom.Document, error) {
		return s.ops.MergeNext(ctx, act, ref)
	}),
	apiv1.ActApplyPages: one(func(s *Service, ctx context.Context, act mailroom.Actor, ref mailroom.Ref, c apiv1.Change) (*mailroom.Document, error) {
		return s.ops.ApplyPages(ctx, act, ref)
	}),
	apiv1.ActRetry: one(func(s *Service, ctx context.Context, act mailroom.Actor, ref mailroom.Ref, c apiv1.Change) (*mailroom.Document, error) {
		return s.Engine.RetryQuarantined(ctx, act, ref)
	}),
	apiv1.ActRelease: one(func(s *Service, ctx context.Context, act mailroom.Actor, ref mailroom.Ref, c apiv1.Change) (*mailroom.Document, error) {
		return s.Engine.ReleaseQuarantined(ctx, act, ref)
	}),
}

// Actions lists the names Do knows, sorted.
func Actions() []string {
	out := make([]string, 0, len(actions))
	for k := range actions {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ErrUnknownAction is returned by Do for a name not in Actions.
var ErrUnknownAction = fmt.Errorf("unknown action")

// Do makes the change named by action on behalf of act, on the version
// ref names, and returns the document's new version and state.
func (s *Service) Do(ctx context.Context, act mailroom.Actor, action string, ref mailroom.Ref, c apiv1.Change) (apiv1.Result, error) {
	f, ok := actions[action]
	if !ok {
		return apiv1.Result{}, fmt.Errorf("%w %q", ErrUnknownAction, action)
	}
	d, newID, err := f(s, ctx, act, ref, c)
	if err != nil {
		return apiv1.Result{}, err
	}
	return apiv1.Result{ID: d.ID, Version: d.Version, State: d.State, NewID: newID}, nil
}
