package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"poststelle/mailroom"
)

// appendJournal appends one entry inside tx, chained to the current head.
func (s *Store) appendJournal(tx *sql.Tx, e *mailroom.JournalEntry) error {
	var prev string
	var seq int64
	err := tx.QueryRow(`SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		prev, seq = mailroom.GenesisHash, 0
	case err != nil:
		return fmt.Errorf("journal: %w", err)
	}
	e.Seq = seq + 1
	e.PrevHash = prev
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	e.Time = e.Time.UTC()
	e.Hash = e.ComputeHash()
	_, err = tx.Exec(`INSERT INTO journal (seq, time, actor, action, document_id, batch_id, detail, prev_hash, hash)
		VALUES (?,?,?,?,?,?,?,?,?)`, e.Seq, s.ts(e.Time), e.Actor, e.Action, e.DocumentID, e.BatchID, e.Detail, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}

// detail encodes v as JSON for a journal entry.
func detail(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%q", fmt.Sprint(v))
	}
	return string(b)
}

// Append appends an entry that is not a state change (login, config change, error).
func (s *Store) Append(ctx context.Context, actor, action, documentID, batchID string, det any) (mailroom.JournalEntry, error) {
	e := mailroom.JournalEntry{Actor: actor, Action: action, DocumentID: documentID, BatchID: batchID, Detail: detail(det)}
	err := s.tx(ctx, func(tx *sql.Tx) error { return s.appendJournal(tx, &e) })
	return e, err
}

// Journal returns entries in sequence order (or newest first).
func (s *Store) Journal(ctx context.Context, f mailroom.JournalFilter) ([]mailroom.JournalEntry, error) {
	q := `SELECT seq, time, actor, action, document_id, batch_id, detail, prev_hash, hash FROM journal WHERE seq > ?`
	args := []any{f.AfterSeq}
	if f.DocumentID != "" {
		q += ` AND document_id = ?`
		args = append(args, f.DocumentID)
	}
	if f.BatchID != "" {
		q += ` AND batch_id = ?`
		args = append(args, f.BatchID)
	}
	if f.Action != "" {
		q += ` AND action = ?`
		args = append(args, f.Action)
	}
	if f.Text != "" {
		q += ` AND (instr(lower(actor), ?) > 0 OR instr(lower(action), ?) > 0 OR instr(lower(detail), ?) > 0)`
		t := strings.ToLower(f.Text)
		args = append(args, t, t, t)
	}
	if f.Newest {
		q += ` ORDER BY seq DESC`
	} else {
		q += ` ORDER BY seq`
	}
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []mailroom.JournalEntry
	for rows.Next() {
		var e mailroom.JournalEntry
		var t string
		if err := rows.Scan(&e.Seq, &t, &e.Actor, &e.Action, &e.DocumentID, &e.BatchID, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.Time = parseTS(t)
		out = append(out, e)
	}
	return out, rows.Err()
}

// ChainError describes the first break in the journal's hash chain.
type ChainError struct {
	Seq    int64
	Reason string
}

func (e *ChainError) Error() string { return fmt.Sprintf("journal entry %d: %s", e.Seq, e.Reason) }

// VerifyChain recomputes every entry's hash and link. It returns the number of
// entries checked and a *ChainError naming the first broken entry.
func (s *Store) VerifyChain(ctx context.Context) (int64, error) {
	entries, err := s.Journal(ctx, mailroom.JournalFilter{})
	if err != nil {
		return 0, err
	}
	return VerifyEntries(entries)
}

// VerifyEntries checks a complete journal in sequence order.
func VerifyEntries(entries []mailroom.JournalEntry) (int64, error) {
	prev := mailroom.GenesisHash
	var n int64
	for i := range entries {
		e := &entries[i]
		if e.Seq != int64(i)+1 {
			return n, &ChainError{Seq: e.Seq, Reason: fmt.Sprintf("sequence gap: expected %d", i+1)}
		}
		if e.PrevHash != prev {
			return n, &ChainError{Seq: e.Seq, Reason: "link to predecessor broken (prev_hash differs)"}
		}
		if h := e.ComputeHash(); h != e.Hash {
			return n, &ChainError{Seq: e.Seq, Reason: "content changed (hash differs)"}
		}
		prev = e.Hash
		n++
	}
	return n, nil
}
