package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"poststelle/mailroom"
)

// A step of a stage runs in its own goroutine under a watchdog, because
// not everything it calls can be stopped: Go code stops when its context
// ends, but a decoder inside MuPDF or an OCR call inside tesseract (cgo)
// runs until it returns. The watchdog gives the step pipeline.stage_timeout
// and, once that or the shutdown came, a short grace to notice its context;
// after that the step is abandoned: Advance goes on (the document is
// quarantined or, at shutdown, released), the goroutine runs to its end on
// its own and is counted in mailroom.StuckCalls. Its context is cancelled, so
// whatever it still writes to the store fails. When stuck calls pile up to
// the number of workers the engine restarts the process (ErrStuck), which is
// the only way to end them; the documents concerned are quarantined first.

// stepGrace is how long a step gets after its deadline to return by itself.
var stepGrace = 5 * time.Second

// ErrStuck is returned by Run when abandoned calls still running (stuck in
// C code) reached the number of workers: the process should exit and be
// started again by its service manager (systemd Restart=on-failure, the
// Windows service's recovery actions).
var ErrStuck = errors.New("engine: abandoned decoder or OCR calls are still running; restart needed " +
	"(Verarbeitung hängt in Bibliotheksaufrufen fest, Neustart nötig)")

// guardedStep runs st on d with the stage deadline and the watchdog.
func (e *Engine) guardedStep(ctx context.Context, st mailroom.Stage, d *mailroom.Document) error {
	limit := e.pipeline().StageDeadline()
	sctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.safeStep(sctx, st, d) }()
	var err error
	select {
	case err = <-done:
		if err != nil && ctx.Err() == nil && errors.Is(sctx.Err(), context.DeadlineExceeded) {
			return tooSlow(st, limit) // it stopped because of the deadline
		}
		return err
	case <-sctx.Done():
	}
	grace := stepGrace
	if ctx.Err() != nil {
		grace = e.pipeline().ShutdownWait()
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case err = <-done:
		if err == nil {
			return nil // finished just in time
		}
	case <-t.C:
		ended := mailroom.Abandoned()
		go func() { <-done; ended() }()
		why := "stage_timeout " + limit.String()
		if ctx.Err() != nil {
			why = "shutdown"
		}
		e.log().Error("step abandoned: it did not stop in time", "step", st.Name(), "document", d.ID,
			"why", why, "stuck_calls", mailroom.StuckCalls())
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return tooSlow(st, limit)
}

func tooSlow(st mailroom.Stage, limit time.Duration) error {
	return mailroom.ErrTooSlow("Schritt "+st.Name(), "step "+st.Name(), limit)
}

// pipeline is the [pipeline] configuration (zero without a configuration).
func (e *Engine) pipeline() mailroom.PipelineConfig {
	if e.Config == nil {
		return mailroom.PipelineConfig{}
	}
	return e.Config.Pipeline
}

// stuckLimit is the number of abandoned calls still running at which the
// engine asks for a restart: one per worker (the cores are then busy with
// calls whose results nobody waits for).
func (e *Engine) stuckLimit() int64 { return int64(max(1, e.Workers())) }

// checkStuck is called by a worker after each document (whose outcome is
// then recorded): it asks Run for a restart when too many calls are stuck.
func (e *Engine) checkStuck() {
	if n := mailroom.StuckCalls(); n >= e.stuckLimit() {
		e.restartOnce.Do(func() {
			e.log().Error("restarting: abandoned calls still running", "stuck_calls", n, "limit", e.stuckLimit())
			close(e.restart)
		})
	}
}

// waitBounded waits for wait to return, at most d; it reports whether it did.
func waitBounded(wait func(), d time.Duration) bool {
	ch := make(chan struct{})
	go func() { wait(); close(ch) }()
	select {
	case <-ch:
		return true
	case <-time.After(d):
		return false
	}
}

// errShutdownSlow is returned by Run when parts did not stop within the
// shutdown timeout; the process may exit anyway, their work is redone.
func errShutdownSlow(d time.Duration) error {
	return fmt.Errorf("engine: not every part stopped within %s of the shutdown; exiting anyway "+
		"(work in progress is redone at the next start)", d)
}
