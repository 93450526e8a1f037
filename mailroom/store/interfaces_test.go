package store_test

import (
	"poststelle/mailroom"
	"poststelle/mailroom/dms/outbox"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/inbox"
	"poststelle/mailroom/store"
)

// The store satisfies every interface its consumers declare for it. These
// checks live in a test file so the store does not import its consumers.
var (
	_ mailroom.Store            = (*store.Store)(nil)
	_ mailroom.PageStore        = (*store.Store)(nil)
	_ outbox.Store              = (*store.Store)(nil)
	_ outbox.DocSource          = (*store.Store)(nil)
	_ evidence.Records          = (*store.Store)(nil)
	_ evidence.DestructionStore = (*store.Store)(nil)
	_ inbox.State               = (*store.Store)(nil)
)
