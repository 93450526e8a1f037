package engine

import (
	"context"
	"fmt"
	"time"

	"poststelle/mailroom"
)

// stages returns the pipeline's stages in dispatch priority: later stages
// first, so documents are finished before new batches are started.
func (e *Engine) stages() []mailroom.Stage {
	return []mailroom.Stage{e.recogniseStage(), e.splitStage()}
}

// dispatch claims due documents stage by stage and queues them for the
// workers; it sleeps for idle when nothing is due.
func (e *Engine) dispatch(ctx context.Context, queue chan<- *mailroom.Document, idle time.Duration) error {
	stages := e.stages()
	for {
		found, err := e.claimOne(ctx, stages, queue)
		if err != nil || ctx.Err() != nil {
			return err
		}
		if !found {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(idle):
			}
		}
	}
}

// claimOne claims the first due document of the highest-priority stage and
// queues it. It reports whether it found one.
func (e *Engine) claimOne(ctx context.Context, stages []mailroom.Stage, queue chan<- *mailroom.Document) (bool, error) {
	for _, st := range stages {
		d, err := e.Store.Claim(ctx, st.From(), st.Working(), e.Owner())
		if err != nil {
			if ctx.Err() != nil {
				return false, nil
			}
			return false, fmt.Errorf("claim: %w", err)
		}
		if d == nil {
			continue
		}
		select {
		case queue <- d:
		case <-ctx.Done():
			e.Store.Release(context.Background(), d.ID)
		}
		return true, nil
	}
	return false, nil
}

// stageFor returns the stage that works on documents in state s.
func (e *Engine) stageFor(s mailroom.State) mailroom.Stage {
	for _, st := range e.stages() {
		if st.From() == s || st.Working() == s {
			return st
		}
	}
	return nil
}
