package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"poststelle/mailroom"
)

var _ mailroom.PageStore = (*Store)(nil)

func (s *Store) loadDoc(tx *sql.Tx, id string) (*mailroom.Document, error) {
	d, err := scanDoc(tx.QueryRow(`SELECT `+docCols+` FROM documents WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("document %s: %w", id, ErrNotFound)
	}
	return d, err
}

func deletedPages(q interface {
	Query(string, ...any) (*sql.Rows, error)
}, docID string) ([]mailroom.DeletedPage, error) {
	rows, err := q.Query(`SELECT page, position, deleted_by, deleted_at FROM desk_deleted_pages WHERE document_id = ? ORDER BY deleted_at, page`, docID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []mailroom.DeletedPage
	for rows.Next() {
		var p mailroom.DeletedPage
		var at string
		if err := rows.Scan(&p.Page, &p.Position, &p.By, &at); err != nil {
			return nil, err
		}
		p.At = parseTS(at)
		out = append(out, p)
	}
	return out, rows.Err()
}

// DeletedPages lists the pages deleted at the desk from a document.
func (s *Store) DeletedPages(ctx context.Context, docID string) ([]mailroom.DeletedPage, error) {
	return deletedPages(s.db, docID)
}

func (s *Store) pageOpJournal(tx *sql.Tx, d *mailroom.Document, from mailroom.State, actor string, det any) error {
	m := map[string]any{"from": from, "to": d.State, "detail": det}
	if d.Reason != "" && d.State == mailroom.StateRejected {
		m["reason"] = d.Reason
	}
	return s.appendJournal(tx, &mailroom.JournalEntry{Actor: actor, Action: "page-op", DocumentID: d.ID, BatchID: d.BatchID, Detail: detail(m)})
}

// EditPages runs fn on a document and its deleted pages in one transaction
// and journals it as "page-op". The state is not changed.
func (s *Store) EditPages(ctx context.Context, docID, actor string, det any, fn func(*mailroom.PageState) error) (*mailroom.Document, error) {
	var out *mailroom.Document
	err := s.tx(ctx, func(tx *sql.Tx) error {
		d, err := s.loadDoc(tx, docID)
		if err != nil {
			return err
		}
		from := d.State
		del, err := deletedPages(tx, docID)
		if err != nil {
			return err
		}
		ps := &mailroom.PageState{Doc: d, Deleted: del}
		if err := fn(ps); err != nil {
			return err
		}
		if ps.Doc.State != from {
			return &mailroom.ErrTransition{From: from, To: ps.Doc.State}
		}
		d.UpdatedAt = s.now()
		if err := s.updateDoc(tx, d, false); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM desk_deleted_pages WHERE document_id = ?`, docID); err != nil {
			return err
		}
		for _, p := range ps.Deleted {
			if _, err := tx.Exec(`INSERT INTO desk_deleted_pages (document_id, page, position, deleted_by, deleted_at) VALUES (?,?,?,?,?)`,
				docID, p.Page, p.Position, p.By, s.ts(p.At)); err != nil {
				return err
			}
		}
		out = d
		return s.pageOpJournal(tx, d, from, actor, det)
	})
	return out, err
}

// SplitDocument creates a new document from docID (new UUID, same batch,
// next Seq) and lets fn divide the pages; both rows and their journal
// entries are written in one transaction.
func (s *Store) SplitDocument(ctx context.Context, docID, actor string, det any, fn func(head, tail *mailroom.Document) error) (*mailroom.Document, *mailroom.Document, error) {
	var head, tail *mailroom.Document
	err := s.tx(ctx, func(tx *sql.Tx) error {
		d, err := s.loadDoc(tx, docID)
		if err != nil {
			return err
		}
		from := d.State
		var maxSeq int
		if err := tx.QueryRow(`SELECT COALESCE(MAX(seq), 0) FROM documents WHERE batch_id = ?`, d.BatchID).Scan(&maxSeq); err != nil {
			return err
		}
		now := s.now()
		t := *d
		t.ID = uuid.NewString()
		t.Seq = maxSeq + 1
		t.CreatedAt, t.UpdatedAt = now, now
		t.Attempts = 0
		t.Metadata = map[string]string{}
		for k, v := range d.Metadata {
			t.Metadata[k] = v
		}
		t.Flags = append([]string{}, d.Flags...)
		if err := fn(d, &t); err != nil {
			return err
		}
		if d.State != from {
			return &mailroom.ErrTransition{From: from, To: d.State}
		}
		d.UpdatedAt = now
		if err := s.updateDoc(tx, d, false); err != nil {
			return err
		}
		if err := insertDoc(tx, s, &t); err != nil {
			return err
		}
		// Deleted pages that now belong to the tail stay with the head (restorable there).
		if err := s.pageOpJournal(tx, d, from, actor, det); err != nil {
			return err
		}
		if err := s.pageOpJournal(tx, &t, "", actor, det); err != nil {
			return err
		}
		head, tail = d, &t
		return nil
	})
	return head, tail, err
}

// MergeDocuments lets fn move next's pages into docID; both are written and
// journaled in one transaction. fn decides next's new state, which the
// state machine must allow.
func (s *Store) MergeDocuments(ctx context.Context, docID, nextID, actor string, det any, fn func(doc, next *mailroom.Document) error) (*mailroom.Document, error) {
	var out *mailroom.Document
	err := s.tx(ctx, func(tx *sql.Tx) error {
		d, err := s.loadDoc(tx, docID)
		if err != nil {
			return err
		}
		n, err := s.loadDoc(tx, nextID)
		if err != nil {
			return err
		}
		if d.BatchID != n.BatchID {
			return fmt.Errorf("merge: documents belong to different batches")
		}
		dFrom, nFrom := d.State, n.State
		if err := fn(d, n); err != nil {
			return err
		}
		if d.State != dFrom {
			return &mailroom.ErrTransition{From: dFrom, To: d.State}
		}
		if n.State != nFrom && !nFrom.CanTransition(n.State) {
			return &mailroom.ErrTransition{From: nFrom, To: n.State}
		}
		now := s.now()
		d.UpdatedAt, n.UpdatedAt = now, now
		if err := s.updateDoc(tx, d, false); err != nil {
			return err
		}
		if err := s.updateDoc(tx, n, n.State != nFrom); err != nil {
			return err
		}
		// The merged document's deleted pages move along.
		if _, err := tx.Exec(`UPDATE desk_deleted_pages SET document_id = ? WHERE document_id = ?`, docID, nextID); err != nil {
			return err
		}
		if err := s.pageOpJournal(tx, d, dFrom, actor, det); err != nil {
			return err
		}
		if err := s.pageOpJournal(tx, n, nFrom, actor, det); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, err
}
