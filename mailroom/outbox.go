package mailroom

import "time"

// OutboxStatus is where one delivery (one document to one target) stands.
type OutboxStatus string

// Outbox entry statuses.
const (
	// OutboxPending: waiting for (another) delivery attempt.
	OutboxPending OutboxStatus = "pending"
	// OutboxHeld: a permanent error (rejected metadata, authentication); it
	// waits for an operator (`poststelle outbox retry`).
	OutboxHeld OutboxStatus = "held"
	// OutboxDone: delivered, the receipt is stored.
	OutboxDone OutboxStatus = "done"
)

// OutboxEntry is one persistent delivery of an approved document to one
// configured target. There is at most one entry per document and target.
type OutboxEntry struct {
	ID         string       `json:"id"`
	DocumentID string       `json:"document_id"`
	Target     string       `json:"target"`
	Status     OutboxStatus `json:"status"`
	Attempts   int          `json:"attempts"`
	NextTry    time.Time    `json:"next_try"`
	LastError  string       `json:"last_error,omitempty"`
	CreatedAt  time.Time    `json:"created_at"`
	UpdatedAt  time.Time    `json:"updated_at"`
	Receipt    *Receipt     `json:"receipt,omitempty"`
}

// OutboxFilter selects outbox entries.
type OutboxFilter struct {
	Statuses   []OutboxStatus
	DocumentID string
	Target     string
	Limit      int
}
