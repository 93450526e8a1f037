package engine

import (
	"context"
	"fmt"

	"poststelle/mailroom"
)

// ProcessBatch drives every document of a batch until it rests (review,
// exported, quarantined, rejected) or waits for delivery (approved). Used by
// `process`; the data directory must not be served by another engine meanwhile.
func (e *Engine) ProcessBatch(ctx context.Context, batchID string) error {
	for round := 0; round < 1000; round++ {
		progressed, err := e.processRound(ctx, batchID)
		if err != nil || !progressed {
			return err
		}
	}
	return fmt.Errorf("batch %s: pipeline did not come to rest", batchID)
}

// processRound advances every automatic document of the batch once and
// reports whether any of them moved.
func (e *Engine) processRound(ctx context.Context, batchID string) (bool, error) {
	docs, err := e.Store.Documents(ctx, mailroom.DocFilter{BatchID: batchID})
	if err != nil {
		return false, err
	}
	progressed := false
	for _, d := range docs {
		switch d.State {
		case mailroom.StateReceived, mailroom.StateSplitting, mailroom.StateRecognising:
			if err := ctx.Err(); err != nil {
				return false, err
			}
			before := d.UpdatedAt
			e.Advance(ctx, d)
			if nd, err := e.Store.Document(ctx, d.ID); err == nil && (nd.State != d.State || !nd.UpdatedAt.Equal(before)) {
				progressed = true
			}
		}
	}
	return progressed, nil
}
