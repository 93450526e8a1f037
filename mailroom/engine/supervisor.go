package engine

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"poststelle/mailroom"
)

// Supervise runs r until ctx ends, restarting it with exponential backoff
// (from min up to max) whenever it returns or panics. A run that lasted longer
// than max resets the backoff.
func Supervise(ctx context.Context, log *slog.Logger, r mailroom.Runner, min, max time.Duration) {
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

func runSafe(ctx context.Context, r mailroom.Runner) (err error) {
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
