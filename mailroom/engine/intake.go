package engine

import (
	"context"
	"errors"
	"time"

	"poststelle/mailroom"
)

// Accept is the intake callback handed to sources: it stores the item and
// records its batch. A duplicate counts as accepted (the source may
// acknowledge it); the error is nil then. The item's size is limited to
// intake.max_file_size while it is copied. An input the store refuses (too
// large, a link or special file) is journaled as intake-refused with its
// reason and returned as the InputError: the source quarantines it on its
// side (the hot folder's quarantine/) instead of trying again.
func (e *Engine) Accept(ctx context.Context, it mailroom.Item) error {
	start := time.Now()
	if it.MaxSize == 0 && e.Config != nil {
		it.MaxSize = e.Config.Intake.MaxFileSize
	}
	b, _, err := e.Store.Intake(ctx, it)
	dup := errors.Is(err, mailroom.ErrDuplicate)
	if ie, bad := mailroom.AsInputError(err); bad {
		e.refused(ctx, it, ie)
		return err
	}
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

// refused journals and logs an item intake would not store.
func (e *Engine) refused(ctx context.Context, it mailroom.Item, ie *mailroom.InputError) {
	e.log().Warn("intake refused", "source", it.Source, "file", it.Name, "path", it.Path, "reason", ie.Reason())
	if _, err := e.Store.Append(ctx, it.Source, "intake-refused", "", "",
		map[string]string{"file": it.Name, "path": it.Path, "reason": ie.Reason()}); err != nil {
		e.log().Error("journal", "err", err)
	}
	if e.Hooks.Quarantine != nil {
		e.Hooks.Quarantine(ie.Reason())
	}
}
