package engine

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"poststelle/mailroom"
)

// Advance runs the stage that d's state calls for. Failures go to the
// document (retry with backoff, or quarantine); Advance never panics and
// never stops other documents.
func (e *Engine) Advance(ctx context.Context, d *mailroom.Document) {
	st := e.stageFor(d.State)
	if st == nil {
		return
	}
	start := time.Now()
	err := e.safeStep(ctx, st, d)
	if e.Hooks.StepDone != nil {
		e.Hooks.StepDone(st.Name(), time.Since(start), err)
	}
	if err == nil {
		return
	}
	if ctx.Err() != nil {
		// Shutting down: abandon safely; the document is redone at next start.
		e.Store.Release(context.Background(), d.ID)
		return
	}
	e.fail(ctx, d, err)
}

func (e *Engine) safeStep(ctx context.Context, st mailroom.Stage, d *mailroom.Document) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error (panic): %v", p)
			e.log().Error("panic in pipeline step", "step", st.Name(), "document", d.ID, "panic", p, "stack", string(debug.Stack()))
		}
	}()
	if d.State != st.Working() {
		// Not claimed by the dispatcher (process mode): move it first.
		nd, err := e.Store.Transition(ctx, d.ID, mailroom.Change{To: st.Working(), Actor: e.Owner()})
		if err != nil {
			return err
		}
		d = nd
	}
	return st.Process(ctx, d)
}

// fail hands a failed step to the document: bad input and permanent errors
// are quarantined at once, others are retried with doubling backoff until
// pipeline.max_tries.
func (e *Engine) fail(ctx context.Context, d *mailroom.Document, err error) {
	if ie, ok := mailroom.AsInputError(err); ok {
		e.quarantine(ctx, d.ID, ie.Reason(), err)
		return
	}
	max, backoff := e.retrySettings()
	if e.OneShot || mailroom.IsPermanent(err) || d.Attempts+1 >= max {
		e.quarantine(ctx, d.ID, fmt.Sprintf("Verarbeitung fehlgeschlagen / processing failed: %v", err), err)
		return
	}
	for i := 0; i < d.Attempts && backoff < 10*time.Minute; i++ {
		backoff *= 2
	}
	n, ferr := e.Store.Failed(ctx, d.ID, e.Owner(), err, backoff)
	e.log().Warn("step failed; will retry", "document", d.ID, "attempt", n, "retry_in", backoff, "err", err)
	if ferr != nil {
		e.log().Error("recording failure", "document", d.ID, "err", ferr)
	}
}

func (e *Engine) retrySettings() (maxTries int, backoff time.Duration) {
	maxTries, backoff = 5, 5*time.Second
	if e.Config != nil {
		if e.Config.Pipeline.MaxTries > 0 {
			maxTries = e.Config.Pipeline.MaxTries
		}
		if e.Config.Pipeline.Retry.Duration > 0 {
			backoff = e.Config.Pipeline.Retry.Duration
		}
	}
	return maxTries, backoff
}

func (e *Engine) quarantine(ctx context.Context, id, reason string, cause error) {
	_, err := e.Store.Transition(ctx, id, mailroom.Change{To: mailroom.StateQuarantined, Actor: e.Owner(), Action: "quarantine",
		Mutate: func(d *mailroom.Document) error { d.Reason = reason; return nil }})
	if err != nil {
		e.log().Error("quarantine failed", "document", id, "err", err, "cause", cause)
		return
	}
	e.log().Warn("quarantined", "document", id, "reason", reason)
	if e.Hooks.Quarantine != nil {
		e.Hooks.Quarantine(reason)
	}
}
