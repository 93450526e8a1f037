package engine

import (
	"context"
	"errors"
	"time"

	"poststelle/mailroom"
)

// Accept is the intake callback handed to sources: it stores the item and
// records its batch. A duplicate counts as accepted (the source may
// acknowledge it); the error is nil then.
func (e *Engine) Accept(ctx context.Context, it mailroom.Item) error {
	start := time.Now()
	b, _, err := e.Store.Intake(ctx, it)
	dup := errors.Is(err, mailroom.ErrDuplicate)
	if err != nil && !dup {
		return err
	}
	if e.Hooks.Intake != nil {
		e.Hooks.Intake(it.Source, time.Since(start), dup)
	}
	if dup {
		e.log().Info("duplicate ignored", "source", it.Source, "file", it.Name, "batch", b.ID, "sha256", b.SHA256)
		return nil
	}
	e.log().Info("received", "source", it.Source, "file", it.Name, "batch", b.ID, "media_type", b.MediaType, "size", b.Size)
	return nil
}
