package mailroom

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// GenesisHash is the predecessor hash of the first journal entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// JournalEntry is one entry of the append-only, hash-chained journal
// (TR-RESISCAN A.SC.11). Each entry carries the SHA-256 of its predecessor.
type JournalEntry struct {
	Seq        int64     `json:"seq"`
	Time       time.Time `json:"time"`
	Actor      string    `json:"actor"`  // person or component
	Action     string    `json:"action"` // intake, transition, split, login, login-failed, config, error …
	DocumentID string    `json:"document_id,omitempty"`
	BatchID    string    `json:"batch_id,omitempty"`
	Detail     string    `json:"detail,omitempty"` // JSON
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// TimeFormat is how journal times are written and hashed.
const TimeFormat = "2006-01-02T15:04:05.000000000Z07:00"

// ComputeHash returns the entry's hash over all its fields except Hash.
func (e *JournalEntry) ComputeHash() string {
	var b strings.Builder
	for _, f := range []string{
		e.PrevHash, strconv.FormatInt(e.Seq, 10), e.Time.UTC().Format(TimeFormat),
		e.Actor, e.Action, e.DocumentID, e.BatchID, e.Detail,
	} {
		b.WriteString(strconv.Quote(f))
		b.WriteByte('\n')
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}
