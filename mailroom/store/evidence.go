package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"poststelle/mailroom"
	"poststelle/mailroom/evidence"
)

var _ evidence.Records = (*Store)(nil)

// PutEvidence stores (replaces) the evidence record of a document.
func (s *Store) PutEvidence(ctx context.Context, r evidence.Record) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO evidence (document_id, batch_id, record, updated_at) VALUES (?,?,?,?)
		ON CONFLICT(document_id) DO UPDATE SET batch_id=excluded.batch_id, record=excluded.record, updated_at=excluded.updated_at`,
		r.DocumentID, r.BatchID, string(data), s.ts(s.now()))
	return err
}

// Evidence returns the evidence record of a document, or nil.
func (s *Store) Evidence(ctx context.Context, docID string) (*evidence.Record, error) {
	var data string
	err := s.db.QueryRowContext(ctx, `SELECT record FROM evidence WHERE document_id = ?`, docID).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r evidence.Record
	return &r, json.Unmarshal([]byte(data), &r)
}

// PutBatchSeal stores (replaces) the seal of a batch.
func (s *Store) PutBatchSeal(ctx context.Context, b evidence.BatchSeal) error {
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO batch_seals (batch_id, seal, created_at) VALUES (?,?,?)
		ON CONFLICT(batch_id) DO UPDATE SET seal=excluded.seal, created_at=excluded.created_at`, b.BatchID, string(data), s.ts(s.now()))
	return err
}

// BatchSeal returns the seal of a batch, or nil.
func (s *Store) BatchSeal(ctx context.Context, batchID string) (*evidence.BatchSeal, error) {
	var data string
	err := s.db.QueryRowContext(ctx, `SELECT seal FROM batch_seals WHERE batch_id = ?`, batchID).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var b evidence.BatchSeal
	return &b, json.Unmarshal([]byte(data), &b)
}

// PutRelease records a destruction release and journals it in one transaction.
func (s *Store) PutRelease(ctx context.Context, r evidence.Release) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO destruction_releases (batch_id, department, person, time, note) VALUES (?,?,?,?,?)`,
			r.BatchID, r.Department, r.Person, s.ts(r.Time), r.Note); err != nil {
			return err
		}
		return s.appendJournal(tx, &mailroom.JournalEntry{Actor: r.Person, Action: "destruction-release", BatchID: r.BatchID,
			Detail: detail(r)})
	})
}

// Releases returns the destruction releases of a batch ("" = all).
func (s *Store) Releases(ctx context.Context, batchID string) ([]evidence.Release, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT batch_id, department, person, time, note FROM destruction_releases
		WHERE ? = '' OR batch_id = ? ORDER BY id`, batchID, batchID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []evidence.Release
	for rows.Next() {
		var r evidence.Release
		var t string
		if err := rows.Scan(&r.BatchID, &r.Department, &r.Person, &t, &r.Note); err != nil {
			return nil, err
		}
		r.Time = parseTS(t)
		out = append(out, r)
	}
	return out, rows.Err()
}

// PutJournalStamp stores a timestamp over a journal chain head.
func (s *Store) PutJournalStamp(ctx context.Context, j evidence.JournalStamp) error {
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO journal_stamps (seq, hash, token, time, data, prev, seal) VALUES (?,?,?,?,?,?,?)`,
		j.Seq, j.Hash, nonNil(j.Token), s.ts(j.Time), nonNil(j.Data), j.Prev, nonNil(j.Seal))
	return err
}

// JournalStamps returns all journal head timestamps in sequence order.
func (s *Store) JournalStamps(ctx context.Context) ([]evidence.JournalStamp, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, hash, token, time, data, prev, seal FROM journal_stamps ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []evidence.JournalStamp
	for rows.Next() {
		var j evidence.JournalStamp
		var t string
		if err := rows.Scan(&j.Seq, &j.Hash, &j.Token, &t, &j.Data, &j.Prev, &j.Seal); err != nil {
			return nil, err
		}
		j.Token, j.Data, j.Seal = nilIfEmpty(j.Token), nilIfEmpty(j.Data), nilIfEmpty(j.Seal)
		j.Time = parseTS(t)
		out = append(out, j)
	}
	return out, rows.Err()
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}
