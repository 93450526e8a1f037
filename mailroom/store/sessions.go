package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"poststelle/mailroom"
)

// Session is a login session (migration 006). It is found by TokenHash, the
// hex SHA-256 of the bearer token; the token itself never reaches the store.
// ID is a separate random name that may be journaled and shown.
type Session struct {
	ID        string
	TokenHash string
	Principal mailroom.Principal // who logged in, with the roles they had then
	Client    string             // address the login came from
	Via       string             // desk, api, …
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time // absolute expiry
}

// Note is the journal entry written in the same transaction as a session
// change.
type Note struct {
	Actor  string
	Action string
	Detail any
}

// ErrNoSession is returned for an unknown (or already ended) session.
var ErrNoSession = errors.New("store: no such session")

const sessionCols = `id, token_hash, login, name, roles, method, client, via, created_at, last_seen, expires_at`

func scanSession(r rowScanner) (Session, error) {
	var x Session
	var roles, method, created, seen, expires string
	if err := r.Scan(&x.ID, &x.TokenHash, &x.Principal.Login, &x.Principal.Name, &roles, &method,
		&x.Client, &x.Via, &created, &seen, &expires); err != nil {
		return x, err
	}
	x.Principal.Roles = splitRoles(roles)
	x.Principal.Method = mailroom.AuthMethod(method)
	x.CreatedAt, x.LastSeen, x.ExpiresAt = parseTS(created), parseTS(seen), parseTS(expires)
	return x, nil
}

// CreateSession stores a new session and appends note to the journal, in
// one transaction.
func (s *Store) CreateSession(ctx context.Context, x Session, note Note) error {
	if x.ID == "" || x.TokenHash == "" || x.Principal.Login == "" {
		return fmt.Errorf("store: session needs an id, a token hash and a login")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		p := x.Principal
		if _, err := tx.Exec(`INSERT INTO sessions (`+sessionCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
			x.ID, x.TokenHash, p.Login, p.Name, mailroom.JoinRoles(p.Roles), string(p.Method), x.Client, x.Via,
			s.ts(x.CreatedAt), s.ts(x.LastSeen), s.ts(x.ExpiresAt)); err != nil {
			return err
		}
		return s.appendJournal(tx, &mailroom.JournalEntry{Actor: note.Actor, Action: note.Action, Detail: detail(note.Detail)})
	})
}

// SessionByToken returns the session with this token hash, or ErrNoSession.
// It does not check expiry.
func (s *Store) SessionByToken(ctx context.Context, tokenHash string) (*Session, error) {
	x, err := scanSession(s.db.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE token_hash = ?`, tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	return &x, nil
}

// TouchSession records a request in the session at time at.
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE sessions SET last_seen = ? WHERE id = ? AND last_seen < ?`, s.ts(at), id, s.ts(at))
	return err
}

// EndSession deletes a session and appends note, in one transaction. It
// reports false (and journals nothing) if the session was already gone, so
// a logout racing an expiry is journaled once.
func (s *Store) EndSession(ctx context.Context, id string, note Note) (bool, error) {
	var ended bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`DELETE FROM sessions WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		ended = true
		return s.appendJournal(tx, &mailroom.JournalEntry{Actor: note.Actor, Action: note.Action, Detail: detail(note.Detail)})
	})
	return ended, err
}

// ExpiredSessions lists sessions past their absolute expiry at now, or
// without a request since idleSince.
func (s *Store) ExpiredSessions(ctx context.Context, now, idleSince time.Time) ([]Session, error) {
	return queryAll(ctx, s, `SELECT `+sessionCols+` FROM sessions WHERE expires_at <= ? OR last_seen <= ? ORDER BY created_at`,
		[]any{s.ts(now), s.ts(idleSince)}, scanSession)
}

// Sessions lists the open sessions, oldest first.
func (s *Store) Sessions(ctx context.Context) ([]Session, error) {
	return queryAll(ctx, s, `SELECT `+sessionCols+` FROM sessions ORDER BY created_at`, nil, scanSession)
}
