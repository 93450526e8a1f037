package mailroom

import (
	"context"
	"time"
)

// DocFilter selects documents.
type DocFilter struct {
	States  []State
	BatchID string
	Limit   int
}

// JournalFilter selects journal entries.
type JournalFilter struct {
	DocumentID string
	BatchID    string
	Action     string
	Text       string // substring of actor, action or detail
	AfterSeq   int64
	Limit      int // 0 = all
	Newest     bool
}

// Change describes a state transition and what else changes with it.
type Change struct {
	To     State // "" or the current state: an update without a state change
	Actor  string
	Action string // journal action; default "transition"
	Detail any
	// Via is added to the journal entry's detail: through what the actor
	// acted (Actor.JournalDetail).
	Via map[string]string
	// Mutate may change the document's fields (metadata, flags, output …)
	// within the transaction. It sees the current row.
	Mutate func(d *Document) error
}

// Store is what the engine needs of the document store (mailroom/store).
type Store interface {
	Intake(ctx context.Context, item Item) (*Batch, *Document, error)
	Batch(ctx context.Context, id string) (*Batch, error)
	Document(ctx context.Context, id string) (*Document, error)
	Documents(ctx context.Context, f DocFilter) ([]*Document, error)
	Transition(ctx context.Context, id string, c Change) (*Document, error)
	Claim(ctx context.Context, from, to State, owner string) (*Document, error)
	Release(ctx context.Context, id string) error
	Failed(ctx context.Context, id, actor string, cause error, backoff time.Duration) (int, error)
	ApplySplit(ctx context.Context, docID string, pageCount int, plan SplitPlan, actor string) ([]*Document, error)
	Append(ctx context.Context, actor, action, documentID, batchID string, detail any) (JournalEntry, error)
	Journal(ctx context.Context, f JournalFilter) ([]JournalEntry, error)
	Counts(ctx context.Context) (map[State]int, error)
	OriginalPath(sha256 string) string
	DataDir() string
}
