package wire

import (
	"context"
	"fmt"

	"poststelle/mailroom"
	"poststelle/mailroom/dms"
	"poststelle/mailroom/dms/outbox"
	"poststelle/mailroom/dms/targets"
	"poststelle/mailroom/engine"
)

func init() {
	register("50-dms", func(w *Wiring, e *engine.Engine) error {
		if !w.Serve || w.without(Outbox) {
			return nil
		}
		var m *outbox.Metrics
		if w.Collect != nil {
			m = outbox.NewMetrics()
			w.Collect(m)
		}
		ob, err := NewOutbox(w, m)
		if err != nil {
			return err
		}
		e.Runners = append(e.Runners, ob)
		return nil
	})
}

// NewOutbox opens the configured targets (with their retry, rate-limit and
// metrics wrappers) and makes the outbox. m may be nil.
func NewOutbox(w *Wiring, m *outbox.Metrics) (*outbox.Outbox, error) {
	var obs dms.Observer
	if m != nil {
		obs = m
	}
	exps, err := targets.OpenAll(w.Cfg, obs)
	if err != nil {
		return nil, err
	}
	return &outbox.Outbox{Store: w.Store, Targets: exps, Config: w.Cfg.Outbox, Log: w.Log.With("component", "outbox"), Metrics: m}, nil
}

// ApproveAndDeliver approves a document in review on behalf of act (the
// engine checks the role) and delivers it at once to every target; it
// returns the receipt (or receipts when several targets are configured).
func ApproveAndDeliver(ctx context.Context, w *Wiring, e *engine.Engine, docID string, act mailroom.Actor) (any, error) {
	d, err := w.Store.Document(ctx, docID)
	if err != nil {
		return nil, err
	}
	if d.State == mailroom.StateReview {
		if _, err := e.Approve(ctx, act, mailroom.Ref{ID: docID, Version: d.Version}); err != nil {
			return nil, fmt.Errorf("approve: %w", err)
		}
	}
	ob, err := NewOutbox(w, nil)
	if err != nil {
		return nil, err
	}
	rcs, err := ob.DeliverDocument(ctx, docID)
	switch {
	case len(rcs) == 1:
		return rcs[0], err
	case len(rcs) > 1:
		return rcs, err
	}
	return nil, err
}
