package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"poststelle/mailroom"
)

// exitAfterShutdown makes sure a command ends after SIGTERM/SIGINT: the
// engine stops within pipeline.shutdown_timeout by itself (the interrupted
// document is released and redone at the next start); should anything else
// still hold the process 10 s after that, it exits with code 1. A second
// signal ends it at once (the signals get their default action back).
func exitAfterShutdown(ctx context.Context, cfg *mailroom.Config) {
	bound := cfg.Pipeline.ShutdownWait() + 10*time.Second
	go func() {
		<-ctx.Done()
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		time.Sleep(bound)
		fmt.Fprintf(os.Stderr, "poststelle: still running %s after the stop signal; exiting (work in progress is redone at the next start)\n", bound)
		os.Exit(1)
	}()
}
