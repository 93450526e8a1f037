package engine

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"

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
	it = WithScannedBy(e.limited(it), "")
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

// limited sets intake.max_file_size as the item's limit unless it has one.
func (e *Engine) limited(it mailroom.Item) mailroom.Item {
	if it.MaxSize == 0 && e.Config != nil {
		it.MaxSize = e.Config.Intake.MaxFileSize
	}
	return it
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

// WithScannedBy sets the item's "scanned_by" from a real source, never from
// what the item itself says: operator, the login of the person logged in
// at the scan station that imports (API, desk); else the profile's
// scanned_by (a station's folder, "E-Mail-Eingang" for mail); else, with
// operator_folders, the first sub-folder's name when it is a plausible
// login. Without any of them "scanned_by" is left out (unknown).
func WithScannedBy(it mailroom.Item, operator string) mailroom.Item {
	meta := make(map[string]string, len(it.Metadata)+1)
	for k, v := range it.Metadata {
		meta[k] = v
	}
	delete(meta, mailroom.MetaScannedBy)
	who := strings.TrimSpace(operator)
	if who == "" {
		who = strings.TrimSpace(it.Profile.ScannedBy)
	}
	if who == "" && it.Profile.OperatorFolders {
		if sub := strings.ToLower(strings.TrimSpace(meta["subfolder_1"])); plausibleLogin(sub) {
			who = sub
		}
	}
	if who != "" {
		meta[mailroom.MetaScannedBy] = who
	}
	it.Metadata = meta
	return it
}

// plausibleLogin admits letters, digits and ". _ - @", at most 64 (the
// logins of mailroom/identity).
func plausibleLogin(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("._-@", r) {
			return false
		}
	}
	return true
}

// Import takes in a file a person sends from a scan station or desk (the
// API's import): the person needs the role erfassung and is recorded as
// "scanned_by". A duplicate returns the existing batch and dup true.
func (e *Engine) Import(ctx context.Context, act mailroom.Actor, it mailroom.Item) (b *mailroom.Batch, d *mailroom.Document, dup bool, err error) {
	if err := e.Authorize(ctx, act, "import", ""); err != nil {
		return nil, nil, false, err
	}
	start := time.Now()
	it = WithScannedBy(e.limited(it), act.Login)
	b, d, err = e.Store.Intake(ctx, it)
	dup = errors.Is(err, mailroom.ErrDuplicate)
	if ie, bad := mailroom.AsInputError(err); bad {
		e.refused(ctx, it, ie)
		return nil, nil, false, err
	}
	if err != nil && !dup {
		return nil, nil, false, err
	}
	if e.Hooks.Intake != nil {
		e.Hooks.Intake(it.Source, time.Since(start), dup)
	}
	e.log().Info("imported", "source", it.Source, "file", it.Name, "batch", b.ID, "by", act.Login, "duplicate", dup)
	return b, d, dup, nil
}
