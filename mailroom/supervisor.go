package mailroom

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"
)

// Runner is a long-running part of the engine.
type Runner interface {
	Name() string
	Run(ctx context.Context) error
}

// RunnerFunc adapts a function to a Runner.
type RunnerFunc struct {
	N string
	F func(ctx context.Context) error
}

// Name implements Runner.
func (r RunnerFunc) Name() string { return r.N }

// Run implements Runner.
func (r RunnerFunc) Run(ctx context.Context) error { return r.F(ctx) }

// Supervise runs r until ctx ends, restarting it with exponential backoff
// (from min up to max) whenever it returns or panics. A run that lasted longer
// than max resets the backoff.
func Supervise(ctx context.Context, log *slog.Logger, r Runner, min, max time.Duration) {
	backoff := min
	for ctx.Err() == nil {
		start := time.Now()
		err := runSafe(ctx, r)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > max {
			backoff = min
		}
		log.Warn("component stopped; restarting", "component", r.Name(), "err", err, "backoff", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff *= 2
		if backoff > max {
			backoff = max
		}
	}
}

func runSafe(ctx context.Context, r Runner) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	err = r.Run(ctx)
	if err == nil {
		err = fmt.Errorf("returned without error")
	}
	return err
}
