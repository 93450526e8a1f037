package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/store"
)

// SessionStore is what Sessions needs of the store (mailroom/store).
type SessionStore interface {
	// CreateSession stores the session and journals note in one transaction.
	CreateSession(ctx context.Context, s store.Session, note store.Note) error
	// SessionByToken returns the session of a token hash or store.ErrNoSession.
	SessionByToken(ctx context.Context, tokenHash string) (*store.Session, error)
	TouchSession(ctx context.Context, id string, at time.Time) error
	// EndSession deletes the session and journals note; false if it was gone.
	EndSession(ctx context.Context, id string, note store.Note) (bool, error)
	ExpiredSessions(ctx context.Context, now, idleSince time.Time) ([]store.Session, error)
}

// TokenPrefix starts every session token (so that secret scanners and
// people recognise one).
const TokenPrefix = "pst_"

// Sessions issues and checks bearer tokens. A token is 32 random bytes; the
// store keeps only its SHA-256, so a copy of the database opens no session.
// A session ends after Idle without a request, Max after the login, or at
// logout; every end is journaled ("logout", "session-expired").
type Sessions struct {
	store     SessionStore
	idle, max time.Duration
	now       func() time.Time
}

// NewSessions makes the session keeper; now may be nil (time.Now).
func NewSessions(st SessionStore, idle, max time.Duration, now func() time.Time) *Sessions {
	if now == nil {
		now = time.Now
	}
	return &Sessions{store: st, idle: idle, max: max, now: now}
}

// HashToken returns the hex SHA-256 under which a token's session is stored.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func newToken() (token, id string, err error) {
	b := make([]byte, 32+8)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:32]), hex.EncodeToString(b[32:]), nil
}

// Create opens a session for p and journals the login (action "login").
// The token goes to the client and nowhere else.
func (s *Sessions) Create(ctx context.Context, p mailroom.Principal, from Client) (token string, _ *store.Session, err error) {
	token, id, err := newToken()
	if err != nil {
		return "", nil, err
	}
	now := s.now().UTC()
	x := store.Session{ID: id, TokenHash: HashToken(token), Principal: p, Client: from.Address, Via: from.Via,
		CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(s.max)}
	if err := s.store.CreateSession(ctx, x, loginNote(p, from, id)); err != nil {
		return "", nil, fmt.Errorf("identity: session: %w", err)
	}
	return token, &x, nil
}

// Resolve returns the open session of token. An unknown, ended or expired
// session is ErrUnauthenticated; an expired one is ended and journaled.
// A request is recorded in the session (for the idle expiry) at most every
// tenth of the idle time.
func (s *Sessions) Resolve(ctx context.Context, token string) (*store.Session, error) {
	x, err := s.lookup(ctx, token)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if why := s.expired(x, now); why != "" {
		if _, err := s.store.EndSession(ctx, x.ID, expiredNote(x, why)); err != nil {
			return nil, err
		}
		return nil, ErrUnauthenticated
	}
	if now.Sub(x.LastSeen) >= s.idle/10 {
		if err := s.store.TouchSession(ctx, x.ID, now); err != nil {
			return nil, err
		}
		x.LastSeen = now
	}
	return x, nil
}

// Logout ends the session of token (journaled as "logout" with where it came
// from). An unknown token is ErrUnauthenticated.
func (s *Sessions) Logout(ctx context.Context, token string, from Client) error {
	x, err := s.lookup(ctx, token)
	if err != nil {
		return err
	}
	ended, err := s.store.EndSession(ctx, x.ID, logoutNote(x, from))
	if err != nil {
		return err
	}
	if !ended {
		return ErrUnauthenticated
	}
	return nil
}

// Sweep ends every expired session (journaled as "session-expired") and
// returns how many.
func (s *Sessions) Sweep(ctx context.Context) (int, error) {
	now := s.now().UTC()
	list, err := s.store.ExpiredSessions(ctx, now, now.Add(-s.idle))
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range list {
		ended, err := s.store.EndSession(ctx, list[i].ID, expiredNote(&list[i], s.expired(&list[i], now)))
		if err != nil {
			return n, err
		}
		if ended {
			n++
		}
	}
	return n, nil
}

// Run sweeps expired sessions every interval until ctx ends.
func (s *Sessions) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (s *Sessions) lookup(ctx context.Context, token string) (*store.Session, error) {
	if !strings.HasPrefix(token, TokenPrefix) {
		return nil, ErrUnauthenticated
	}
	x, err := s.store.SessionByToken(ctx, HashToken(token))
	if errors.Is(err, store.ErrNoSession) {
		return nil, ErrUnauthenticated
	}
	return x, err
}

// expired names why x has expired at now ("max", "idle"), or "".
func (s *Sessions) expired(x *store.Session, now time.Time) string {
	switch {
	case !now.Before(x.ExpiresAt):
		return "max"
	case now.Sub(x.LastSeen) >= s.idle:
		return "idle"
	}
	return ""
}
