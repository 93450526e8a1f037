package engine

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"time"

	"poststelle/mailroom"
)

// Engine moves documents through the pipeline. Fields left nil switch a
// capability off: without Opener every input counts as one page and nothing
// is rendered; without Detector nothing is split; without Recognition no PDF
// is made.
type Engine struct {
	Config      *mailroom.Config
	Store       mailroom.Store
	Log         *slog.Logger
	Opener      mailroom.PageOpener
	Detector    mailroom.Detector
	Rules       mailroom.SplitRules
	Recognition mailroom.Recognition
	Classifiers []mailroom.Classifier
	Expanders   []mailroom.Expander
	Proposers   []mailroom.Proposer
	// Finisher makes the evidence at approval; Policy enforces protection levels.
	Finisher mailroom.Finisher
	Policy   mailroom.ApprovalPolicy
	Sources  []mailroom.Source
	// Runners are further long-running parts (outbox, HTTP, timestamping),
	// supervised like the sources.
	Runners []mailroom.Runner
	// Hooks observe the pipeline (metrics).
	Hooks Hooks
	// OneShot (the `process` command): a failed step quarantines the
	// document at once instead of retrying later.
	OneShot bool
	// DeskLease is how long a desk lease lasts without renewal; 0 =
	// DefaultDeskLease.
	DeskLease time.Duration

	id          string
	restart     chan struct{} // closed by checkStuck: Run returns ErrStuck
	restartOnce sync.Once
}

// Hooks let an observer count what the engine does. All fields are optional.
type Hooks struct {
	Intake     func(source string, latency time.Duration, duplicate bool)
	StepDone   func(step string, d time.Duration, err error)
	Quarantine func(reason string)
}

func (e *Engine) log() *slog.Logger {
	if e.Log == nil {
		return slog.Default()
	}
	return e.Log
}

// Owner is the engine's identity in leases and the journal
// ("engine@HOST/PID").
func (e *Engine) Owner() string {
	if e.id == "" {
		host, _ := os.Hostname()
		e.id = fmt.Sprintf("engine@%s/%d", host, os.Getpid())
	}
	return e.id
}

// Layout is the data directory's layout.
func (e *Engine) Layout() mailroom.Layout { return mailroom.Layout{Root: e.Store.DataDir()} }

// Workers is the number of document workers.
func (e *Engine) Workers() int {
	if e.Config != nil && e.Config.Pipeline.Workers > 0 {
		return e.Config.Pipeline.Workers
	}
	return runtime.NumCPU()
}

// Run runs sources, runners, the dispatcher and the workers until ctx ends.
// Work in progress is abandoned safely at cancellation: its lease is dropped
// and it is redone at the next start. Run returns at most
// pipeline.shutdown_timeout (plus a few seconds) after ctx ended, even when
// a step is stuck in C code (errShutdownSlow then), and returns ErrStuck
// when stuck calls need a restart of the process (watchdog.go).
func (e *Engine) Run(ctx context.Context) error {
	e.restart, e.restartOnce = make(chan struct{}), sync.Once{}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	supervise := func(r mailroom.Runner) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			Supervise(ctx, e.log(), r, time.Second, time.Minute)
		}()
	}
	for _, s := range e.Sources {
		s := s
		supervise(mailroom.RunnerFunc{N: "source " + s.Name(), F: func(ctx context.Context) error { return s.Run(ctx, e.Accept) }})
	}
	for _, r := range e.Runners {
		supervise(r)
	}
	queueSize, idle := e.queueSettings()
	queue := make(chan *mailroom.Document, queueSize)
	supervise(mailroom.RunnerFunc{N: "dispatcher", F: func(ctx context.Context) error { return e.dispatch(ctx, queue, idle) }})
	for i := 0; i < e.Workers(); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.work(ctx, queue)
		}()
	}
	stuck := false
	select {
	case <-ctx.Done():
	case <-e.restart:
		stuck = true
		cancel()
	}
	wait := e.pipeline().ShutdownWait() + 2*stepGrace
	if !waitBounded(wg.Wait, wait) {
		e.releaseQueued(queue)
		e.log().Error("shutdown: parts still running", "waited", wait)
		return errShutdownSlow(wait)
	}
	e.releaseQueued(queue)
	if stuck {
		return ErrStuck
	}
	return nil
}

func (e *Engine) queueSettings() (size int, idle time.Duration) {
	size, idle = 16, time.Second
	if e.Config != nil {
		if e.Config.Pipeline.QueueSize > 0 {
			size = e.Config.Pipeline.QueueSize
		}
		if e.Config.Pipeline.Idle.Duration > 0 {
			idle = e.Config.Pipeline.Idle.Duration
		}
	}
	return size, idle
}

// work is one worker: it advances queued documents until ctx ends.
func (e *Engine) work(ctx context.Context, queue <-chan *mailroom.Document) {
	for {
		select {
		case <-ctx.Done():
			return
		case d := <-queue:
			e.Advance(ctx, d)
			e.checkStuck()
		}
	}
}

// releaseQueued drops the leases of documents still queued at shutdown so
// they are redone at once next time.
func (e *Engine) releaseQueued(queue chan *mailroom.Document) {
	rel, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		select {
		case d := <-queue:
			e.Store.Release(rel, d.ID)
		default:
			return
		}
	}
}
