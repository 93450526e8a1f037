package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"poststelle/mailroom"
	"poststelle/mailroom/safefile"
)

// ErrNotFound is returned for an unknown id.
var ErrNotFound = errors.New("not found")

// Intake stores item's content as an original and records a batch with one
// document in state received, in one transaction with its journal entry. The
// same content from the same source returns the existing batch and
// mailroom.ErrDuplicate (journaled, nothing stored twice).
func (s *Store) Intake(ctx context.Context, item mailroom.Item) (*mailroom.Batch, *mailroom.Document, error) {
	head, sum, size, err := s.storeOriginal(ctx, item.Path, item.MaxSize)
	if err != nil {
		return nil, nil, err
	}
	name := item.Name
	if name == "" {
		name = filepath.Base(item.Path)
	}
	now := s.now()
	b := &mailroom.Batch{
		ID: uuid.NewString(), Source: item.Source, Profile: item.Profile.Name, Filename: name,
		Path: item.Path, SHA256: sum, Size: size, MediaType: mailroom.SniffMediaType(head, name),
		ReceivedAt: now, Metadata: item.Metadata,
	}
	d := newIntakeDocument(item, b.ID, now)
	var dupID string
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		dupID, err = s.recordIntake(tx, item, b, d)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("intake: %w", err)
	}
	if dupID != "" {
		b, err := s.Batch(ctx, dupID)
		if err != nil {
			return nil, nil, err
		}
		return b, nil, mailroom.ErrDuplicate
	}
	return b, d, nil
}

// storeOriginal copies the file at path into the originals and returns its
// first bytes (for media-type sniffing), SHA-256 and size. Only a regular
// file is read, never through a symbolic link, and never more than max
// bytes (0: no limit): anything else is an InputError and nothing is stored.
func (s *Store) storeOriginal(ctx context.Context, path string, max int64) (head []byte, sum string, size int64, err error) {
	f, _, err := safefile.OpenRegular(path)
	if err != nil {
		if errors.Is(err, safefile.ErrLink) || errors.Is(err, safefile.ErrNotRegular) {
			return nil, "", 0, errNotRegular(err)
		}
		return nil, "", 0, fmt.Errorf("intake: %w", err)
	}
	defer f.Close()
	head = make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, "", 0, err
	}
	sum, size, err = s.putOriginal(ctx, f, max)
	return head, sum, size, err
}

// errNotRegular is the reason for a link or special file given to intake.
func errNotRegular(err error) error {
	return mailroom.BadInput("Keine gewöhnliche Datei (Verknüpfung, FIFO, Gerät oder Socket) – nicht gelesen",
		"not a regular file (link, FIFO, device or socket) – not read", err)
}

// ErrTooLarge is the reason for a file over max bytes.
func ErrTooLarge(max int64) error {
	return mailroom.BadInput(fmt.Sprintf("Datei ist zu groß (mehr als %d Bytes)", max),
		fmt.Sprintf("file too large (more than %d bytes)", max), nil)
}

// newIntakeDocument is the batch's first document: all of it, in state
// received, with the item's metadata and the profile's defaults.
func newIntakeDocument(item mailroom.Item, batchID string, now time.Time) *mailroom.Document {
	prot := item.Profile.Protection
	if prot == "" {
		prot = mailroom.ProtectionNormal
	}
	meta := map[string]string{}
	for k, v := range item.Metadata {
		meta[k] = v
	}
	if item.Profile.Department != "" && meta["department"] == "" {
		meta["department"] = item.Profile.Department
	}
	if item.Profile.Class != "" && meta["document_class"] == "" {
		meta["document_class"] = item.Profile.Class
	}
	return &mailroom.Document{
		ID: uuid.NewString(), BatchID: batchID, Seq: 1, State: mailroom.StateReceived,
		Pages: []int{}, Metadata: meta, Flags: []string{}, Protection: prot, CreatedAt: now, UpdatedAt: now,
	}
}

// recordIntake inserts batch and document with their journal entry, or
// journals a duplicate and returns the existing batch's id.
func (s *Store) recordIntake(tx *sql.Tx, item mailroom.Item, b *mailroom.Batch, d *mailroom.Document) (dupID string, err error) {
	err = tx.QueryRow(`SELECT id FROM batches WHERE source = ? AND sha256 = ?`, item.Source, b.SHA256).Scan(&dupID)
	if err == nil {
		return dupID, s.appendJournal(tx, &mailroom.JournalEntry{Actor: item.Source, Action: "intake-duplicate", BatchID: dupID,
			Detail: detail(map[string]any{"file": b.Filename, "path": item.Path, "sha256": b.SHA256})})
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	_, err = tx.Exec(`INSERT INTO batches (id, source, profile, filename, path, sha256, size, media_type, received_at, metadata)
		VALUES (?,?,?,?,?,?,?,?,?,?)`, b.ID, b.Source, b.Profile, b.Filename, b.Path, b.SHA256, b.Size, b.MediaType,
		s.ts(b.ReceivedAt), jsonText(b.Metadata, "{}"))
	if err != nil {
		return "", err
	}
	if err := insertDoc(tx, s, d); err != nil {
		return "", err
	}
	return "", s.appendJournal(tx, &mailroom.JournalEntry{Actor: item.Source, Action: "intake", BatchID: b.ID, DocumentID: d.ID,
		Detail: detail(map[string]any{"file": b.Filename, "path": item.Path, "sha256": b.SHA256, "size": b.Size,
			"media_type": b.MediaType, "profile": b.Profile, "protection": d.Protection})})
}

func insertDoc(tx *sql.Tx, s *Store, d *mailroom.Document) error {
	d.Version, d.Desk = 1, nil
	_, err := tx.Exec(`INSERT INTO documents (id, batch_id, seq, state, pages, metadata, flags, reason, output, protection, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`, d.ID, d.BatchID, d.Seq, string(d.State), jsonText(d.Pages, "[]"),
		jsonText(d.Metadata, "{}"), jsonText(d.Flags, "[]"), d.Reason, d.Output, string(d.Protection),
		s.ts(d.CreatedAt), s.ts(d.UpdatedAt))
	return err
}

func jsonText(v any, empty string) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return empty
	}
	return string(b)
}

const batchCols = `id, source, profile, filename, path, sha256, size, media_type, page_count, received_at, metadata, separators`

func scanBatch(row interface{ Scan(...any) error }) (*mailroom.Batch, error) {
	var b mailroom.Batch
	var t, meta, seps string
	if err := row.Scan(&b.ID, &b.Source, &b.Profile, &b.Filename, &b.Path, &b.SHA256, &b.Size, &b.MediaType,
		&b.PageCount, &t, &meta, &seps); err != nil {
		return nil, err
	}
	b.ReceivedAt = parseTS(t)
	json.Unmarshal([]byte(meta), &b.Metadata)
	json.Unmarshal([]byte(seps), &b.Separators)
	return &b, nil
}

// Batch returns one batch.
func (s *Store) Batch(ctx context.Context, id string) (*mailroom.Batch, error) {
	b, err := scanBatch(s.db.QueryRowContext(ctx, `SELECT `+batchCols+` FROM batches WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("batch %s: %w", id, ErrNotFound)
	}
	return b, err
}

// Batches returns all batches, oldest first.
func (s *Store) Batches(ctx context.Context) ([]*mailroom.Batch, error) {
	return queryAll(ctx, s, `SELECT `+batchCols+` FROM batches ORDER BY received_at`, nil,
		func(r rowScanner) (*mailroom.Batch, error) { return scanBatch(r) })
}

const docCols = `id, batch_id, seq, state, pages, metadata, flags, reason, output, protection, created_at, updated_at, attempts,
	version, desk_login, desk_name, desk_until`

func scanDoc(row interface{ Scan(...any) error }) (*mailroom.Document, error) {
	var d mailroom.Document
	var state, pages, meta, flags, prot, c, u string
	var lease mailroom.DeskLease
	var until string
	if err := row.Scan(&d.ID, &d.BatchID, &d.Seq, &state, &pages, &meta, &flags, &d.Reason, &d.Output, &prot, &c, &u, &d.Attempts,
		&d.Version, &lease.Login, &lease.Name, &until); err != nil {
		return nil, err
	}
	if lease.Login != "" {
		lease.Until = parseTS(until)
		d.Desk = &lease
	}
	d.State, d.Protection = mailroom.State(state), mailroom.Protection(prot)
	d.CreatedAt, d.UpdatedAt = parseTS(c), parseTS(u)
	json.Unmarshal([]byte(pages), &d.Pages)
	json.Unmarshal([]byte(meta), &d.Metadata)
	json.Unmarshal([]byte(flags), &d.Flags)
	if d.Metadata == nil {
		d.Metadata = map[string]string{}
	}
	if d.Pages == nil {
		d.Pages = []int{}
	}
	if d.Flags == nil {
		d.Flags = []string{}
	}
	return &d, nil
}

// Document returns one document.
func (s *Store) Document(ctx context.Context, id string) (*mailroom.Document, error) {
	d, err := scanDoc(s.db.QueryRowContext(ctx, `SELECT `+docCols+` FROM documents WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("document %s: %w", id, ErrNotFound)
	}
	return d, err
}

// Documents returns documents, oldest first.
func (s *Store) Documents(ctx context.Context, f mailroom.DocFilter) ([]*mailroom.Document, error) {
	q := `SELECT ` + docCols + ` FROM documents WHERE 1=1`
	cond, args := inList("state", f.States)
	q += cond
	if f.BatchID != "" {
		q += ` AND batch_id = ?`
		args = append(args, f.BatchID)
	}
	q += ` ORDER BY created_at, seq`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	return queryAll(ctx, s, q, args, func(r rowScanner) (*mailroom.Document, error) { return scanDoc(r) })
}

// Transition moves a document to c.To (checked against the state machine),
// applies c.Mutate, and journals it, in one transaction. To equal to the
// current state records an update without a state change.
func (s *Store) Transition(ctx context.Context, id string, c mailroom.Change) (*mailroom.Document, error) {
	var out *mailroom.Document
	err := s.tx(ctx, func(tx *sql.Tx) error {
		d, err := scanDoc(tx.QueryRow(`SELECT `+docCols+` FROM documents WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("document %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		from := d.State
		if c.To != "" && c.To != from && !from.CanTransition(c.To) {
			return &mailroom.ErrTransition{From: from, To: c.To}
		}
		if c.Mutate != nil {
			if err := c.Mutate(d); err != nil {
				return err
			}
		}
		if c.To != "" {
			d.State = c.To
		}
		d.UpdatedAt = s.now()
		if err := s.updateDoc(tx, d, c.To != from); err != nil {
			return err
		}
		action := c.Action
		if action == "" {
			action = "transition"
		}
		det := map[string]any{"from": from, "to": d.State}
		if c.Detail != nil {
			det["detail"] = c.Detail
		}
		for k, v := range c.Via {
			det[k] = v
		}
		if d.Reason != "" && (d.State == mailroom.StateQuarantined || d.State == mailroom.StateRejected) {
			det["reason"] = d.Reason
		}
		out = d
		return s.appendJournal(tx, &mailroom.JournalEntry{Actor: c.Actor, Action: action, DocumentID: d.ID, BatchID: d.BatchID, Detail: detail(det)})
	})
	return out, err
}

func (s *Store) updateDoc(tx *sql.Tx, d *mailroom.Document, stateChanged bool) error {
	d.Version++
	q := `UPDATE documents SET state=?, pages=?, metadata=?, flags=?, reason=?, output=?, protection=?, updated_at=?, attempts=?, version=?`
	if stateChanged {
		q += `, next_try_at='', lease=''`
	}
	_, err := tx.Exec(q+` WHERE id=?`, string(d.State), jsonText(d.Pages, "[]"), jsonText(d.Metadata, "{}"),
		jsonText(d.Flags, "[]"), d.Reason, d.Output, string(d.Protection), s.ts(d.UpdatedAt), d.Attempts, d.Version, d.ID)
	return err
}

// Claim takes the oldest document in state from that is due and not leased,
// leases it to owner, and (if to differs) moves it to to with a journal entry.
// It returns nil, nil when nothing is due.
func (s *Store) Claim(ctx context.Context, from, to mailroom.State, owner string) (*mailroom.Document, error) {
	var out *mailroom.Document
	err := s.tx(ctx, func(tx *sql.Tx) error {
		d, err := scanDoc(tx.QueryRow(`SELECT `+docCols+` FROM documents WHERE state = ? AND lease = '' AND next_try_at <= ?
			ORDER BY next_try_at, created_at, seq LIMIT 1`, string(from), s.ts(s.now())))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if to != from {
			if !from.CanTransition(to) {
				return &mailroom.ErrTransition{From: from, To: to}
			}
			d.State = to
			d.UpdatedAt = s.now()
			if err := s.updateDoc(tx, d, true); err != nil {
				return err
			}
			if err := s.appendJournal(tx, &mailroom.JournalEntry{Actor: owner, Action: "transition", DocumentID: d.ID, BatchID: d.BatchID,
				Detail: detail(map[string]any{"from": from, "to": to})}); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`UPDATE documents SET lease = ? WHERE id = ?`, owner, d.ID); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, err
}

// Release drops a lease without changing anything else.
func (s *Store) Release(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE documents SET lease = '' WHERE id = ?`, id)
	return err
}

// Failed records a failed attempt: attempts+1, next try after backoff, lease
// dropped, journaled as an error.
func (s *Store) Failed(ctx context.Context, id, actor string, cause error, backoff time.Duration) (int, error) {
	var attempts int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var batch string
		if err := tx.QueryRow(`SELECT attempts + 1, batch_id FROM documents WHERE id = ?`, id).Scan(&attempts, &batch); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE documents SET attempts = ?, next_try_at = ?, lease = '' WHERE id = ?`,
			attempts, s.ts(s.now().Add(backoff)), id); err != nil {
			return err
		}
		return s.appendJournal(tx, &mailroom.JournalEntry{Actor: actor, Action: "error", DocumentID: id, BatchID: batch,
			Detail: detail(map[string]any{"error": cause.Error(), "attempt": attempts, "retry_in": backoff.String()})})
	})
	return attempts, err
}

// ApplySplit applies a split plan to the batch's first document (in state
// splitting): the first segment stays with it, further segments become new
// documents; all go to recognising. With no segment left the document is
// rejected as "separator sheets only". All in one transaction.
func (s *Store) ApplySplit(ctx context.Context, docID string, pageCount int, plan mailroom.SplitPlan, actor string) ([]*mailroom.Document, error) {
	var out []*mailroom.Document
	err := s.tx(ctx, func(tx *sql.Tx) error {
		d, err := scanDoc(tx.QueryRow(`SELECT `+docCols+` FROM documents WHERE id = ?`, docID))
		if err != nil {
			return err
		}
		if d.State != mailroom.StateSplitting {
			return &mailroom.ErrTransition{From: d.State, To: mailroom.StateRecognising}
		}
		if _, err := tx.Exec(`UPDATE batches SET page_count = ?, separators = ? WHERE id = ?`, pageCount,
			jsonText(plan.Separators, "[]"), d.BatchID); err != nil {
			return err
		}
		for _, sep := range plan.Separators {
			if err := s.appendJournal(tx, &mailroom.JournalEntry{Actor: actor, Action: "separator", BatchID: d.BatchID,
				Detail: detail(sep)}); err != nil {
				return err
			}
		}
		now := s.now()
		if len(plan.Documents) == 0 {
			d.State = mailroom.StateRejected
			d.Reason = "Stapel enthielt nur Trennblätter / batch contained only separator sheets"
			d.Flags = appendFlag(d.Flags, mailroom.FlagSeparatorOnly)
			d.UpdatedAt = now
			if err := s.updateDoc(tx, d, true); err != nil {
				return err
			}
			out = append(out, d)
			return s.appendJournal(tx, &mailroom.JournalEntry{Actor: actor, Action: "split", DocumentID: d.ID, BatchID: d.BatchID,
				Detail: detail(map[string]any{"from": mailroom.StateSplitting, "to": d.State, "documents": 0, "reason": d.Reason})})
		}
		base := d.Metadata
		for i, seg := range plan.Documents {
			nd := d
			if i > 0 {
				cp := *d
				nd = &cp
				nd.ID = uuid.NewString()
				nd.Seq = i + 1
				nd.CreatedAt = now
			}
			nd.Pages = seg.Pages
			nd.Metadata = map[string]string{}
			for k, v := range base {
				nd.Metadata[k] = v
			}
			for k, v := range seg.Metadata {
				nd.Metadata[k] = v
			}
			nd.Flags = append([]string{}, d.Flags...)
			for _, f := range seg.Flags {
				nd.Flags = appendFlag(nd.Flags, f)
			}
			nd.State = mailroom.StateRecognising
			nd.UpdatedAt = now
			if i == 0 {
				err = s.updateDoc(tx, nd, true)
			} else {
				err = insertDoc(tx, s, nd)
			}
			if err != nil {
				return err
			}
			if err := s.appendJournal(tx, &mailroom.JournalEntry{Actor: actor, Action: "split", DocumentID: nd.ID, BatchID: nd.BatchID,
				Detail: detail(map[string]any{"from": mailroom.StateSplitting, "to": nd.State, "pages": nd.Pages, "metadata": seg.Metadata})}); err != nil {
				return err
			}
			out = append(out, nd)
		}
		return nil
	})
	return out, err
}

func appendFlag(flags []string, f string) []string {
	for _, x := range flags {
		if x == f {
			return flags
		}
	}
	return append(flags, f)
}

// Recover runs at start: it drops all leases (this process is the only
// worker) and sends documents caught mid-split back to received. It returns
// how many documents it touched.
func (s *Store) Recover(ctx context.Context, actor string) (int, error) {
	n := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT id, batch_id FROM documents WHERE state = ?`, string(mailroom.StateSplitting))
		if err != nil {
			return err
		}
		type ref struct{ id, batch string }
		var refs []ref
		for rows.Next() {
			var r ref
			rows.Scan(&r.id, &r.batch)
			refs = append(refs, r)
		}
		rows.Close()
		for _, r := range refs {
			if _, err := tx.Exec(`UPDATE documents SET state = ?, lease = '', version = version + 1 WHERE id = ?`, string(mailroom.StateReceived), r.id); err != nil {
				return err
			}
			if err := s.appendJournal(tx, &mailroom.JournalEntry{Actor: actor, Action: "recover", DocumentID: r.id, BatchID: r.batch,
				Detail: detail(map[string]any{"from": mailroom.StateSplitting, "to": mailroom.StateReceived})}); err != nil {
				return err
			}
			n++
		}
		res, err := tx.Exec(`UPDATE documents SET lease = '' WHERE lease != ''`)
		if err != nil {
			return err
		}
		m, _ := res.RowsAffected()
		n += int(m)
		return nil
	})
	return n, err
}

// Counts returns the number of documents per state.
func (s *Store) Counts(ctx context.Context) (map[mailroom.State]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT state, count(*) FROM documents GROUP BY state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[mailroom.State]int{}
	for rows.Next() {
		var st string
		var n int
		rows.Scan(&st, &n)
		out[mailroom.State(st)] = n
	}
	return out, rows.Err()
}

// SourceCount is the number of batches one source delivered.
type SourceCount struct {
	Source  string    `json:"source"`
	Batches int       `json:"batches"`
	Last    time.Time `json:"last"`
}

// Sources returns intake counts per source.
func (s *Store) Sources(ctx context.Context) ([]SourceCount, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT source, count(*), max(received_at) FROM batches GROUP BY source ORDER BY source`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SourceCount
	for rows.Next() {
		var c SourceCount
		var t string
		rows.Scan(&c.Source, &c.Batches, &t)
		c.Last = parseTS(t)
		out = append(out, c)
	}
	return out, rows.Err()
}
