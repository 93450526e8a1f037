package main

import (
	"context"
	"fmt"
	"sync"

	"poststelle/mailroom"
	"poststelle/mailroom/dms"
	"poststelle/mailroom/dms/outbox"
	"poststelle/mailroom/dms/targets"
)

// Delivery to the DMS (issue 8): the outbox runner under `serve`, the
// `process --approve-as` hook and the doctor checks per target.

var (
	dmsMetricsOnce sync.Once
	dmsMetrics     *outbox.Metrics
)

func outboxMetrics() *outbox.Metrics {
	dmsMetricsOnce.Do(func() {
		dmsMetrics = outbox.NewMetrics()
		metricCollectors = append(metricCollectors, dmsMetrics)
	})
	return dmsMetrics
}

// newOutbox opens the configured targets and makes the outbox.
func newOutbox(w *wiring, m *outbox.Metrics) (*outbox.Outbox, error) {
	var obs dms.Observer
	if m != nil {
		obs = m
	}
	exps, err := targets.OpenAll(w.cfg, obs)
	if err != nil {
		return nil, err
	}
	return &outbox.Outbox{Store: w.store, Targets: exps, Config: w.cfg.Outbox, Log: w.log.With("component", "outbox"), Metrics: m}, nil
}

func init() {
	wirers["50-dms"] = func(w *wiring, e *mailroom.Engine) error {
		if !w.serve {
			return nil
		}
		ob, err := newOutbox(w, outboxMetrics())
		if err != nil {
			return err
		}
		e.Runners = append(e.Runners, ob)
		return nil
	}
	approveAndDeliver = func(ctx context.Context, w *wiring, e *mailroom.Engine, docID, person string) (any, error) {
		d, err := w.store.Document(ctx, docID)
		if err != nil {
			return nil, err
		}
		if d.State == mailroom.StateReview {
			if err := e.Approve(ctx, docID, person); err != nil {
				return nil, fmt.Errorf("approve: %w", err)
			}
		}
		ob, err := newOutbox(w, nil)
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
	doctorChecks["50-targets"] = func(cfg *mailroom.Config) []check {
		var out []check
		for _, t := range cfg.Targets {
			t := t
			out = append(out, check{"target " + t.Name, func(ctx context.Context, cfg *mailroom.Config) (string, error) {
				exp, err := targets.Raw(cfg, t)
				if err != nil {
					return "", err
				}
				return dms.Check(ctx, exp)
			}})
		}
		return out
	}
}
