package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"poststelle/mailroom"
)

// HoldDesk takes or renews the desk lease of a document for login until
// now+ttl, unless another person holds an active lease: then that lease is
// returned unchanged. The returned lease is the one in force afterwards;
// compare its Login to know who holds it. Leases change no version and are
// not journaled (they are presence, not a change of the document).
func (s *Store) HoldDesk(ctx context.Context, docID, login, name string, ttl time.Duration) (*mailroom.DeskLease, error) {
	var out *mailroom.DeskLease
	err := s.tx(ctx, func(tx *sql.Tx) error {
		d, err := s.loadDoc(tx, docID)
		if err != nil {
			return err
		}
		now := s.now()
		if d.Desk.Active(now) && !strings.EqualFold(d.Desk.Login, login) {
			out = d.Desk
			return nil
		}
		l := &mailroom.DeskLease{Login: login, Name: name, Until: now.Add(ttl)}
		if _, err := tx.Exec(`UPDATE documents SET desk_login = ?, desk_name = ?, desk_until = ? WHERE id = ?`,
			l.Login, l.Name, s.ts(l.Until), docID); err != nil {
			return err
		}
		out = l
		return nil
	})
	return out, err
}

// LeaveDesk drops login's desk lease of a document (nothing if another
// person holds it).
func (s *Store) LeaveDesk(ctx context.Context, docID, login string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE documents SET desk_login = '', desk_name = '', desk_until = ''
		WHERE id = ? AND desk_login = ? COLLATE NOCASE`, docID, login)
	return err
}
