package engine

import (
	"context"
	"errors"
	"fmt"

	"poststelle/mailroom"
)

// Operator actions (role verwaltung): quarantine and outbox.

// RetryQuarantined sends a quarantined document back into the pipeline: to
// recognising when it was already split, else to received. It returns the
// state it went to.
func (e *Engine) RetryQuarantined(ctx context.Context, act mailroom.Actor, ref mailroom.Ref) (*mailroom.Document, error) {
	if err := e.Authorize(ctx, act, "quarantine-retry", ref.ID); err != nil {
		return nil, err
	}
	d, err := e.Store.Transition(ctx, ref.ID, mailroom.Change{Actor: act.Login, Action: "quarantine-retry", Via: via(act),
		Mutate: func(d *mailroom.Document) error {
			if err := guard(act, ref, d); err != nil {
				return err
			}
			if d.State != mailroom.StateQuarantined {
				return notQuarantined(d)
			}
			to := mailroom.StateReceived
			if len(d.Pages) > 0 {
				to = mailroom.StateRecognising
			}
			if !d.State.CanTransition(to) {
				return &mailroom.ErrTransition{From: d.State, To: to}
			}
			d.State = to
			d.Reason, d.Attempts = "", 0
			return nil
		}})
	return d, explain(ctx, e.Store, ref.ID, err)
}

// ReleaseQuarantined puts a quarantined document into review, where a
// person decides (approve or reject).
func (e *Engine) ReleaseQuarantined(ctx context.Context, act mailroom.Actor, ref mailroom.Ref) (*mailroom.Document, error) {
	if err := e.Authorize(ctx, act, "quarantine-release", ref.ID); err != nil {
		return nil, err
	}
	d, err := e.Store.Transition(ctx, ref.ID, mailroom.Change{To: mailroom.StateReview, Actor: act.Login, Action: "quarantine-release", Via: via(act),
		Mutate: func(d *mailroom.Document) error {
			if err := guard(act, ref, d); err != nil {
				return err
			}
			if d.State != mailroom.StateQuarantined {
				return notQuarantined(d)
			}
			if len(d.Pages) == 0 {
				d.Pages = []int{1}
			}
			d.Reason, d.Attempts = "", 0
			return nil
		}})
	return d, explain(ctx, e.Store, ref.ID, err)
}

func notQuarantined(d *mailroom.Document) error {
	return mailroom.BadInput(fmt.Sprintf("Dokument %s ist im Status %s, nicht in der Quarantäne", d.ID, d.State),
		fmt.Sprintf("document %s is %s, not quarantined", d.ID, d.State), nil)
}

// OutboxRetrier is the outbox's side of RetryDelivery (mailroom/store).
type OutboxRetrier interface {
	OutboxRetryVia(ctx context.Context, id, actor string, via map[string]string) (int, error)
}

// RetryDelivery puts held outbox entries back to pending; id names an entry
// or a document (all its undelivered entries). It returns how many.
func (e *Engine) RetryDelivery(ctx context.Context, act mailroom.Actor, id string) (int, error) {
	if err := e.Authorize(ctx, act, "export-retry", ""); err != nil {
		return 0, err
	}
	ob, ok := e.Store.(OutboxRetrier)
	if !ok {
		return 0, errors.New("outbox retry: the store has no outbox")
	}
	return ob.OutboxRetryVia(ctx, id, act.Login, via(act))
}
