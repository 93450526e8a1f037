package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"poststelle/mailroom"
)

// Operator is a local operator of the operator table (migration 006):
// someone who logs in with a password checked against PasswordHash, an
// argon2id PHC string made by mailroom/identity. The store neither makes nor
// checks hashes.
type Operator struct {
	Login        string
	Name         string
	Roles        []mailroom.Role
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
	ChangedAt    time.Time
}

// ErrNoOperator is returned for a login that is not in the operator table.
var ErrNoOperator = errors.New("store: no such operator")

// ErrOperatorExists is returned by AddOperator for a login already present.
var ErrOperatorExists = errors.New("store: operator exists")

const operatorCols = `login, name, roles, password_hash, disabled, created_at, changed_at`

func scanOperator(r rowScanner) (Operator, error) {
	var o Operator
	var roles, created, changed string
	if err := r.Scan(&o.Login, &o.Name, &roles, &o.PasswordHash, &o.Disabled, &created, &changed); err != nil {
		return o, err
	}
	o.Roles = splitRoles(roles)
	o.CreatedAt, o.ChangedAt = parseTS(created), parseTS(changed)
	return o, nil
}

// splitRoles reads a stored role list; names the store does not know (from a
// newer version) are kept, the identity layer ignores them.
func splitRoles(s string) []mailroom.Role {
	var out []mailroom.Role
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, mailroom.Role(p))
		}
	}
	return out
}

// AddOperator inserts a new operator and journals "operator-added" (login,
// name, roles; never the hash) on behalf of actor, in one transaction.
func (s *Store) AddOperator(ctx context.Context, o Operator, actor string) error {
	if o.Login == "" || o.PasswordHash == "" {
		return fmt.Errorf("store: operator needs a login and a password hash")
	}
	now := s.now()
	return s.tx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRow(`SELECT 1 FROM operators WHERE login = ?`, o.Login).Scan(&one)
		if err == nil {
			return fmt.Errorf("%w: %s", ErrOperatorExists, o.Login)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO operators (`+operatorCols+`) VALUES (?,?,?,?,?,?,?)`,
			o.Login, o.Name, mailroom.JoinRoles(o.Roles), o.PasswordHash, o.Disabled, s.ts(now), s.ts(now)); err != nil {
			return err
		}
		return s.appendJournal(tx, &mailroom.JournalEntry{Actor: actor, Action: "operator-added",
			Detail: detail(map[string]any{"login": o.Login, "name": o.Name, "roles": mailroom.JoinRoles(o.Roles), "disabled": o.Disabled})})
	})
}

// Operator returns one operator, or ErrNoOperator.
func (s *Store) Operator(ctx context.Context, login string) (*Operator, error) {
	o, err := scanOperator(s.db.QueryRowContext(ctx, `SELECT `+operatorCols+` FROM operators WHERE login = ?`, login))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrNoOperator, login)
	}
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// Operators lists every operator (also disabled ones) by login.
func (s *Store) Operators(ctx context.Context) ([]Operator, error) {
	return queryAll(ctx, s, `SELECT `+operatorCols+` FROM operators ORDER BY login`, nil, scanOperator)
}

// HasOperators reports whether the operator table holds any operator, also
// a disabled one: disabling the last operator must not open the desk to
// the OS user without a password.
func (s *Store) HasOperators(ctx context.Context) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM operators`).Scan(&n)
	return n > 0, err
}

// SetOperatorPassword replaces the operator's password hash, ends their
// sessions and journals "operator-password" — in one transaction. It
// returns the number of sessions ended.
func (s *Store) SetOperatorPassword(ctx context.Context, login, hash, actor string) (int, error) {
	if hash == "" {
		return 0, fmt.Errorf("store: empty password hash")
	}
	return s.changeOperator(ctx, login, actor, "operator-password", nil,
		`UPDATE operators SET password_hash = ?, changed_at = ? WHERE login = ?`, hash)
}

// SetOperatorDisabled disables (or enables again) an operator; disabling
// ends their sessions. Journaled as "operator-disabled" / "operator-enabled".
func (s *Store) SetOperatorDisabled(ctx context.Context, login string, disabled bool, actor string) (int, error) {
	action := "operator-enabled"
	if disabled {
		action = "operator-disabled"
	}
	return s.changeOperator(ctx, login, actor, action, nil,
		`UPDATE operators SET disabled = ?, changed_at = ? WHERE login = ?`, disabled)
}

// SetOperatorRoles replaces the operator's roles and ends their sessions (a
// session carries the roles of its login). Journaled as "operator-roles".
func (s *Store) SetOperatorRoles(ctx context.Context, login string, roles []mailroom.Role, actor string) (int, error) {
	joined := mailroom.JoinRoles(roles)
	return s.changeOperator(ctx, login, actor, "operator-roles", map[string]any{"roles": joined},
		`UPDATE operators SET roles = ?, changed_at = ? WHERE login = ?`, joined)
}

// changeOperator runs update (with value, now, login as arguments), deletes
// the operator's sessions and journals action, in one transaction.
func (s *Store) changeOperator(ctx context.Context, login, actor, action string, extra map[string]any, update string, value any) (int, error) {
	var ended int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(update, value, s.ts(s.now()), login)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: %s", ErrNoOperator, login)
		}
		if res, err = tx.Exec(`DELETE FROM sessions WHERE login = ?`, login); err != nil {
			return err
		}
		ended, _ = res.RowsAffected()
		det := map[string]any{"login": login, "sessions_ended": ended}
		for k, v := range extra {
			det[k] = v
		}
		return s.appendJournal(tx, &mailroom.JournalEntry{Actor: actor, Action: action, Detail: detail(det)})
	})
	return int(ended), err
}
