package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"poststelle/mailroom"
)

// Outbox methods: the persistent delivery queue (issue 8). Every change of an
// entry that matters for the evidence (enqueue, receipt, error, hold, retry)
// is journaled in the same transaction.

const outboxCols = `id, document_id, target, status, attempts, next_try_at, last_error, created_at, updated_at, object_id, url, delivered_at`

func scanOutbox(row interface{ Scan(...any) error }) (*mailroom.OutboxEntry, error) {
	var e mailroom.OutboxEntry
	var st, next, c, u, obj, url, del string
	if err := row.Scan(&e.ID, &e.DocumentID, &e.Target, &st, &e.Attempts, &next, &e.LastError, &c, &u, &obj, &url, &del); err != nil {
		return nil, err
	}
	e.Status = mailroom.OutboxStatus(st)
	e.NextTry, e.CreatedAt, e.UpdatedAt = parseTS(next), parseTS(c), parseTS(u)
	if e.Status == mailroom.OutboxDone {
		e.Receipt = &mailroom.Receipt{Target: e.Target, ObjectID: obj, URL: url, Time: parseTS(del)}
	}
	return &e, nil
}

// OutboxFill creates one pending entry per document in state approved (or
// exporting) and configured target that has none yet, journaled as
// "outbox-enqueue". It returns the number of entries created.
func (s *Store) OutboxFill(ctx context.Context, targets []string, actor string) (int, error) {
	if len(targets) == 0 {
		return 0, nil
	}
	// A cheap read first: most polls find nothing to do.
	q := `SELECT d.id, d.batch_id, t.name FROM documents d, (SELECT ? AS name` + strings.Repeat(` UNION ALL SELECT ?`, len(targets)-1) + `) t
		WHERE d.state IN ('approved','exporting')
		AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.document_id = d.id AND o.target = t.name)
		ORDER BY d.updated_at LIMIT 1000`
	args := make([]any, len(targets))
	for i, t := range targets {
		args[i] = t
	}
	type want struct{ doc, batch, target string }
	var todo []want
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	for rows.Next() {
		var w want
		if err := rows.Scan(&w.doc, &w.batch, &w.target); err != nil {
			rows.Close()
			return 0, err
		}
		todo = append(todo, w)
	}
	rows.Close()
	if len(todo) == 0 {
		return 0, rows.Err()
	}
	n := 0
	err = s.tx(ctx, func(tx *sql.Tx) error {
		now := s.ts(s.now())
		for _, w := range todo {
			id := uuid.NewString()
			res, err := tx.Exec(`INSERT OR IGNORE INTO outbox (id, document_id, target, status, created_at, updated_at, next_try_at)
				VALUES (?,?,?,?,?,?,'')`, id, w.doc, w.target, string(mailroom.OutboxPending), now, now)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 0 {
				continue
			}
			n++
			if err := s.appendJournal(tx, &mailroom.JournalEntry{Actor: actor, Action: "outbox-enqueue", DocumentID: w.doc, BatchID: w.batch,
				Detail: detail(map[string]any{"entry": id, "target": w.target})}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	return n, nil
}

// OutboxClaim leases the oldest due pending entry whose target is not in
// skip to owner until now+lease, and moves its document from approved to
// exporting (journaled). documentID, if set, restricts the claim to that
// document. It returns nil, nil when nothing is due.
func (s *Store) OutboxClaim(ctx context.Context, owner string, skip []string, documentID string, lease time.Duration) (*mailroom.OutboxEntry, error) {
	var out *mailroom.OutboxEntry
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		q := `SELECT ` + outboxCols + ` FROM outbox WHERE status = ? AND next_try_at <= ? AND (lease = '' OR lease_until < ?)`
		args := []any{string(mailroom.OutboxPending), s.ts(now), s.ts(now)}
		if len(skip) > 0 {
			q += ` AND target NOT IN (?` + strings.Repeat(",?", len(skip)-1) + `)`
			for _, t := range skip {
				args = append(args, t)
			}
		}
		if documentID != "" {
			q += ` AND document_id = ?`
			args = append(args, documentID)
		}
		q += ` ORDER BY next_try_at, created_at LIMIT 1`
		e, err := scanOutbox(tx.QueryRow(q, args...))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE outbox SET lease = ?, lease_until = ? WHERE id = ?`, owner, s.ts(now.Add(lease)), e.ID); err != nil {
			return err
		}
		d, err := scanDoc(tx.QueryRow(`SELECT `+docCols+` FROM documents WHERE id = ?`, e.DocumentID))
		if err != nil {
			return fmt.Errorf("outbox entry %s: document %s: %w", e.ID, e.DocumentID, err)
		}
		if d.State == mailroom.StateApproved {
			d.State = mailroom.StateExporting
			d.UpdatedAt = now
			if err := s.updateDoc(tx, d, true); err != nil {
				return err
			}
			if err := s.appendJournal(tx, &mailroom.JournalEntry{Actor: owner, Action: "transition", DocumentID: d.ID, BatchID: d.BatchID,
				Detail: detail(map[string]any{"from": mailroom.StateApproved, "to": mailroom.StateExporting, "target": e.Target})}); err != nil {
				return err
			}
		}
		out = e
		return nil
	})
	return out, err
}

// OutboxDone stores the receipt of a delivered entry and journals it
// ("export-receipt"). When every entry of the document is done, the document
// moves from exporting to exported in the same transaction; exported reports
// whether that happened.
func (s *Store) OutboxDone(ctx context.Context, entryID string, r mailroom.Receipt, actor string) (exported bool, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		e, err := scanOutbox(tx.QueryRow(`SELECT `+outboxCols+` FROM outbox WHERE id = ?`, entryID))
		if err != nil {
			return fmt.Errorf("outbox entry %s: %w", entryID, err)
		}
		if e.Status == mailroom.OutboxDone {
			return nil
		}
		now := s.now()
		if r.Time.IsZero() {
			r.Time = now
		}
		r.Target = e.Target
		if _, err := tx.Exec(`UPDATE outbox SET status = ?, object_id = ?, url = ?, delivered_at = ?, lease = '', lease_until = '',
			last_error = '', updated_at = ? WHERE id = ?`, string(mailroom.OutboxDone), r.ObjectID, r.URL, s.ts(r.Time), s.ts(now), entryID); err != nil {
			return err
		}
		reason, changed, err := s.syncHoldReason(tx, e.DocumentID)
		if err != nil {
			return err
		}
		d, err := scanDoc(tx.QueryRow(`SELECT `+docCols+` FROM documents WHERE id = ?`, e.DocumentID))
		if err != nil {
			return err
		}
		det := map[string]any{"entry": e.ID, "target": r.Target, "object_id": r.ObjectID, "url": r.URL,
			"time": r.Time.UTC().Format(time.RFC3339Nano), "attempts": e.Attempts + 1}
		if changed {
			det["document_reason"] = reason
		}
		if err := s.appendJournal(tx, &mailroom.JournalEntry{Actor: actor, Action: "export-receipt", DocumentID: d.ID, BatchID: d.BatchID,
			Detail: detail(det)}); err != nil {
			return err
		}
		var open int
		if err := tx.QueryRow(`SELECT count(*) FROM outbox WHERE document_id = ? AND status != ?`, d.ID, string(mailroom.OutboxDone)).Scan(&open); err != nil {
			return err
		}
		if open > 0 || d.State == mailroom.StateExported {
			return nil
		}
		from := d.State
		if from == mailroom.StateApproved { // claimed elsewhere without the transition: go through exporting
			from = mailroom.StateExporting
		}
		if !from.CanTransition(mailroom.StateExported) {
			return &mailroom.ErrTransition{From: d.State, To: mailroom.StateExported}
		}
		d.State = mailroom.StateExported
		d.UpdatedAt = now
		if err := s.updateDoc(tx, d, true); err != nil {
			return err
		}
		exported = true
		return s.appendJournal(tx, &mailroom.JournalEntry{Actor: actor, Action: "transition", DocumentID: d.ID, BatchID: d.BatchID,
			Detail: detail(map[string]any{"from": from, "to": mailroom.StateExported})})
	})
	return exported, err
}

// OutboxFailed records a failed attempt: attempts+1, the error, the lease
// dropped. hold puts the entry on hold for an operator (permanent errors);
// otherwise it is due again at next. Journaled as "export-error" (or
// "export-held"). A held entry's error becomes the document's reason
// (HoldReason), so every view of the document shows why it waits.
func (s *Store) OutboxFailed(ctx context.Context, entryID, actor string, cause error, hold bool, next time.Time) (*mailroom.OutboxEntry, error) {
	var out *mailroom.OutboxEntry
	err := s.tx(ctx, func(tx *sql.Tx) error {
		e, err := scanOutbox(tx.QueryRow(`SELECT `+outboxCols+` FROM outbox WHERE id = ?`, entryID))
		if err != nil {
			return fmt.Errorf("outbox entry %s: %w", entryID, err)
		}
		if e.Status == mailroom.OutboxDone {
			out = e
			return nil
		}
		e.Attempts++
		e.LastError = cause.Error()
		e.Status = mailroom.OutboxPending
		action := "export-error"
		if hold {
			e.Status = mailroom.OutboxHeld
			action = "export-held"
		}
		e.NextTry = next.UTC()
		e.UpdatedAt = s.now()
		if _, err := tx.Exec(`UPDATE outbox SET status = ?, attempts = ?, last_error = ?, next_try_at = ?, lease = '', lease_until = '',
			updated_at = ? WHERE id = ?`, string(e.Status), e.Attempts, e.LastError, s.ts(e.NextTry), s.ts(e.UpdatedAt), e.ID); err != nil {
			return err
		}
		var batch string
		tx.QueryRow(`SELECT batch_id FROM documents WHERE id = ?`, e.DocumentID).Scan(&batch)
		det := map[string]any{"entry": e.ID, "target": e.Target, "error": e.LastError, "attempt": e.Attempts}
		if !hold {
			det["next_try"] = e.NextTry.Format(time.RFC3339)
		}
		if reason, changed, err := s.syncHoldReason(tx, e.DocumentID); err != nil {
			return err
		} else if changed {
			det["document_reason"] = reason
		}
		out = e
		return s.appendJournal(tx, &mailroom.JournalEntry{Actor: actor, Action: action, DocumentID: e.DocumentID, BatchID: batch, Detail: detail(det)})
	})
	return out, err
}

// HoldReason is the document reason of one held delivery (German / English).
func HoldReason(target, cause string) string {
	return fmt.Sprintf("Zustellung an %s angehalten, wartet auf Bearbeitung (nach Behebung: poststelle outbox retry): %s / "+
		"delivery to %s held for an operator (once fixed: poststelle outbox retry): %s", target, cause, target, cause)
}

// syncHoldReason sets the reason of a document waiting for delivery
// (approved, exporting) to why its held entries wait, or clears it when none
// is held any more. Documents in other states keep their reason. The caller
// journals the change (changed = the reason differs from before).
func (s *Store) syncHoldReason(tx *sql.Tx, docID string) (string, bool, error) {
	d, err := scanDoc(tx.QueryRow(`SELECT `+docCols+` FROM documents WHERE id = ?`, docID))
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	if d.State != mailroom.StateApproved && d.State != mailroom.StateExporting {
		return d.Reason, false, nil
	}
	rows, err := tx.Query(`SELECT target, last_error FROM outbox WHERE document_id = ? AND status = ? ORDER BY target`, docID, string(mailroom.OutboxHeld))
	if err != nil {
		return "", false, err
	}
	var parts []string
	for rows.Next() {
		var target, cause string
		if err := rows.Scan(&target, &cause); err != nil {
			rows.Close()
			return "", false, err
		}
		parts = append(parts, HoldReason(target, cause))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", false, err
	}
	reason := strings.Join(parts, "; ")
	if reason == d.Reason {
		return reason, false, nil
	}
	d.Reason = reason
	d.UpdatedAt = s.now()
	return reason, true, s.updateDoc(tx, d, false)
}

// OutboxRelease drops a lease without counting an attempt (shutdown).
func (s *Store) OutboxRelease(ctx context.Context, entryID string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET lease = '', lease_until = '' WHERE id = ?`, entryID)
	return err
}

// OutboxRecover drops every outbox lease. It runs when the only engine of
// this data directory starts, so entries leased by a killed process are
// delivered again at once (the connectors make that idempotent).
func (s *Store) OutboxRecover(ctx context.Context) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET lease = '', lease_until = '' WHERE lease != ''`)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// OutboxRetry puts held (or pending) entries back to pending, due now, on
// behalf of an operator, journaled as "export-retry"; the document's hold
// reason is cleared (or keeps the entries still held). id may name an entry
// or a document (all its undelivered entries). It returns the number of
// entries changed.
func (s *Store) OutboxRetry(ctx context.Context, id, actor string) (int, error) {
	return s.OutboxRetryVia(ctx, id, actor, nil)
}

// OutboxRetryVia is OutboxRetry with the channel the operator acted
// through, added to each journal entry's detail (mailroom.Actor.JournalDetail).
func (s *Store) OutboxRetryVia(ctx context.Context, id, actor string, via map[string]string) (int, error) {
	n := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT `+outboxCols+` FROM outbox WHERE (id = ? OR document_id = ?) AND status != ?`, id, id, string(mailroom.OutboxDone))
		if err != nil {
			return err
		}
		var list []*mailroom.OutboxEntry
		for rows.Next() {
			e, err := scanOutbox(rows)
			if err != nil {
				rows.Close()
				return err
			}
			list = append(list, e)
		}
		rows.Close()
		now := s.ts(s.now())
		for _, e := range list {
			if _, err := tx.Exec(`UPDATE outbox SET status = ?, next_try_at = '', updated_at = ? WHERE id = ?`,
				string(mailroom.OutboxPending), now, e.ID); err != nil {
				return err
			}
			var batch string
			tx.QueryRow(`SELECT batch_id FROM documents WHERE id = ?`, e.DocumentID).Scan(&batch)
			det := map[string]any{"entry": e.ID, "target": e.Target, "was": e.Status, "last_error": e.LastError}
			for k, v := range via {
				det[k] = v
			}
			if reason, changed, err := s.syncHoldReason(tx, e.DocumentID); err != nil {
				return err
			} else if changed {
				det["document_reason"] = reason
			}
			if err := s.appendJournal(tx, &mailroom.JournalEntry{Actor: actor, Action: "export-retry", DocumentID: e.DocumentID, BatchID: batch,
				Detail: detail(det)}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// OutboxEntries lists entries, oldest first.
func (s *Store) OutboxEntries(ctx context.Context, f mailroom.OutboxFilter) ([]*mailroom.OutboxEntry, error) {
	q := `SELECT ` + outboxCols + ` FROM outbox WHERE 1=1`
	cond, args := inList("status", f.Statuses)
	q += cond
	if f.DocumentID != "" {
		q += ` AND document_id = ?`
		args = append(args, f.DocumentID)
	}
	if f.Target != "" {
		q += ` AND target = ?`
		args = append(args, f.Target)
	}
	q += ` ORDER BY created_at, target`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	return queryAll(ctx, s, q, args, func(r rowScanner) (*mailroom.OutboxEntry, error) { return scanOutbox(r) })
}

// OutboxStats returns the number of entries per status and the creation time
// of the oldest undelivered entry (zero if none).
func (s *Store) OutboxStats(ctx context.Context) (map[mailroom.OutboxStatus]int, time.Time, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, count(*), min(created_at) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer rows.Close()
	counts := map[mailroom.OutboxStatus]int{}
	var oldest time.Time
	for rows.Next() {
		var st, min string
		var n int
		if err := rows.Scan(&st, &n, &min); err != nil {
			return nil, time.Time{}, err
		}
		counts[mailroom.OutboxStatus(st)] = n
		if st != string(mailroom.OutboxDone) {
			if t := parseTS(min); oldest.IsZero() || t.Before(oldest) {
				oldest = t
			}
		}
	}
	return counts, oldest, rows.Err()
}
