package identity

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"poststelle/mailroom"
	"poststelle/mailroom/store"
)

// Authenticator checks a login name and password. Implementations are safe
// for concurrent use. A failed check returns an error wrapping one of
// ErrUnknownUser (the next authenticator of a Chain is asked), ErrBadPassword,
// ErrDisabled, ErrNoRole, ErrUnavailable or ErrLegacyHash; any other error is
// internal. Neither the password nor anything derived from it may appear in
// an error.
type Authenticator interface {
	Authenticate(ctx context.Context, login, password string) (mailroom.Principal, error)
}

// Chain asks its authenticators in order; the first that knows the login
// decides. Local operators come first, so a directory account cannot shadow
// a local operator of the same name.
type Chain []Authenticator

// Authenticate implements Authenticator.
func (c Chain) Authenticate(ctx context.Context, login, password string) (mailroom.Principal, error) {
	for _, a := range c {
		p, err := a.Authenticate(ctx, login, password)
		if !errors.Is(err, ErrUnknownUser) {
			return p, err
		}
	}
	return mailroom.Principal{}, ErrUnknownUser
}

// OperatorStore is what Local needs of the store: the operator table.
type OperatorStore interface {
	// Operator returns the operator or an error wrapping store.ErrNoOperator.
	Operator(ctx context.Context, login string) (*store.Operator, error)
}

// maxPassword bounds the password length (bytes) that is hashed at all.
const maxPassword = 1024

// Local authenticates local operators: first those of the configuration
// ([[operators]], which win over the table for the same login), then those
// of the operator table. Logins are compared without regard to case; the
// principal carries the login as configured (the table holds lower case).
type Local struct {
	config map[string]configOperator
	store  OperatorStore
	// sem bounds the argon2id computations at once (each takes 64 MiB).
	sem       chan struct{}
	dummyOnce sync.Once
	dummy     *hash
}

type configOperator struct {
	op    mailroom.OperatorConfig
	roles []mailroom.Role
	hash  *hash
}

var _ Authenticator = (*Local)(nil)

// NewLocal makes the authenticator of local operators. st may be nil (only
// configured operators). A configured operator with an unusable hash is an
// error here, at start: a *mailroom.LegacyPasswordError for old "sha256:"
// hashes, saying how to set a new password.
func NewLocal(ops []mailroom.OperatorConfig, st OperatorStore) (*Local, error) {
	l := &Local{config: map[string]configOperator{}, store: st, sem: make(chan struct{}, max(1, runtime.NumCPU()))}
	var legacy []string
	for _, o := range ops {
		key := strings.ToLower(o.Login)
		if _, dup := l.config[key]; dup {
			return nil, fmt.Errorf("operators: login %q is listed twice (logins are compared without regard to case)", o.Login)
		}
		roles, err := mailroom.ParseRoles(o.Roles...)
		if err != nil {
			return nil, fmt.Errorf("operators (%s): %w", o.Login, err)
		}
		h, err := parseHash(o.PasswordHash)
		if errors.Is(err, ErrLegacyHash) {
			legacy = append(legacy, o.Login)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("operators (%s).password_hash: %w", o.Login, err)
		}
		l.config[key] = configOperator{op: o, roles: roles, hash: h}
	}
	if len(legacy) > 0 {
		return nil, &mailroom.LegacyPasswordError{Logins: legacy}
	}
	return l, nil
}

// Authenticate implements Authenticator. An unknown login costs the same
// argon2id computation as a known one, so timing does not tell them apart.
func (l *Local) Authenticate(ctx context.Context, login, password string) (mailroom.Principal, error) {
	key := strings.ToLower(strings.TrimSpace(login))
	if c, ok := l.config[key]; ok {
		if err := l.check(ctx, c.hash, password); err != nil {
			return mailroom.Principal{}, err
		}
		return mailroom.Principal{Login: c.op.Login, Name: c.op.Name, Roles: c.roles, Method: mailroom.AuthLocal}, nil
	}
	var op *store.Operator
	if l.store != nil && key != "" {
		var err error
		op, err = l.store.Operator(ctx, key)
		if err != nil && !errors.Is(err, store.ErrNoOperator) {
			return mailroom.Principal{}, fmt.Errorf("identity: operator table: %w", err)
		}
	}
	if op == nil {
		l.burn(ctx, password)
		return mailroom.Principal{}, ErrUnknownUser
	}
	h, err := parseHash(op.PasswordHash)
	if err != nil {
		return mailroom.Principal{}, fmt.Errorf("operator %s: %w", op.Login, err)
	}
	if err := l.check(ctx, h, password); err != nil {
		return mailroom.Principal{}, err
	}
	if op.Disabled {
		return mailroom.Principal{}, ErrDisabled
	}
	var roles []mailroom.Role
	for _, r := range op.Roles {
		if r.Valid() {
			roles = append(roles, r)
		}
	}
	return mailroom.Principal{Login: op.Login, Name: op.Name, Roles: roles, Method: mailroom.AuthLocal}, nil
}

// Known reports whether login is a local operator (configured or in the
// table, also when disabled).
func (l *Local) Known(ctx context.Context, login string) (bool, error) {
	key := strings.ToLower(strings.TrimSpace(login))
	if _, ok := l.config[key]; ok {
		return true, nil
	}
	if l.store == nil {
		return false, nil
	}
	_, err := l.store.Operator(ctx, key)
	if errors.Is(err, store.ErrNoOperator) {
		return false, nil
	}
	return err == nil, err
}

// check verifies password against h, at most cap(sem) at once.
func (l *Local) check(ctx context.Context, h *hash, password string) error {
	if password == "" || len(password) > maxPassword {
		return ErrBadPassword
	}
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	ok := h.verify(password)
	<-l.sem
	if !ok {
		return ErrBadPassword
	}
	return nil
}

// burn spends the time of one verification on a dummy hash.
func (l *Local) burn(ctx context.Context, password string) {
	l.dummyOnce.Do(func() {
		s, err := HashPassword("dummy password for unknown logins")
		if err == nil {
			l.dummy, _ = parseHash(s)
		}
	})
	if l.dummy != nil {
		l.check(ctx, l.dummy, password)
	}
}
