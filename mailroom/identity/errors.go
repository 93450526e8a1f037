package identity

import (
	"errors"
	"fmt"
	"time"

	"poststelle/mailroom"
)

// What an Authenticator returns when a login does not succeed. Service
// journals the reason and answers the client with one of the Err…Login
// errors below, which never say more than the person may learn.
var (
	// ErrUnknownUser: the authenticator does not know the login; Chain
	// asks the next one.
	ErrUnknownUser = errors.New("identity: unknown user")
	// ErrBadPassword: the password is wrong (for a directory bind by
	// template, also: unknown user — the directory does not tell).
	ErrBadPassword = errors.New("identity: wrong password")
	// ErrDisabled: the operator is disabled.
	ErrDisabled = errors.New("identity: operator disabled")
	// ErrNoRole: the password was right but no role is mapped to the person.
	ErrNoRole = errors.New("identity: no role")
	// ErrUnavailable: the directory could not be asked (network, TLS,
	// certificate verification, service account). Not the person's fault:
	// it does not count as a failed login.
	ErrUnavailable = errors.New("identity: directory unavailable")
)

// Errors for the client (German / English, mailroom.InputError).
var (
	// ErrLogin: wrong user or password (also unknown user and disabled
	// operator: a caller learns nothing about which).
	ErrLogin = &mailroom.InputError{DE: "Anmeldung fehlgeschlagen: Benutzer oder Passwort falsch",
		EN: "login failed: wrong user or password"}
	// ErrNoRoleLogin: the directory account holds no Poststelle role.
	ErrNoRoleLogin = &mailroom.InputError{DE: "Anmeldung fehlgeschlagen: Ihrem Konto ist keine Rolle in Poststelle " +
		"zugeordnet (Gruppen im Verzeichnis)", EN: "login failed: your account holds no Poststelle role (directory groups)",
		Err: ErrNoRole}
	// ErrUnavailableLogin: the directory cannot be reached.
	ErrUnavailableLogin = &mailroom.InputError{DE: "Anmeldung zurzeit nicht möglich: Verzeichnisdienst nicht erreichbar",
		EN: "login not possible at the moment: directory unavailable", Err: ErrUnavailable}
	// ErrInternalLogin: the login could not be checked (store error …); the
	// cause is logged, not shown.
	ErrInternalLogin = &mailroom.InputError{DE: "Anmeldung zurzeit nicht möglich (interner Fehler, siehe Protokoll)",
		EN: "login not possible at the moment (internal error, see the log)"}
	// ErrUnauthenticated: no session, an unknown token, or an ended session.
	ErrUnauthenticated = &mailroom.InputError{DE: "Nicht angemeldet oder Sitzung abgelaufen: bitte neu anmelden",
		EN: "not logged in or session expired: please log in again"}
)

// ThrottledError is in the chain of the error for a login refused because
// of earlier failures. RetryAfter says when the next attempt is allowed
// (an API answers 429 with a Retry-After header).
type ThrottledError struct {
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed logins, retry after %s", e.RetryAfter)
}

func throttledLogin(wait time.Duration) error {
	secs := int((wait + time.Second - 1) / time.Second)
	return &mailroom.InputError{
		DE:  fmt.Sprintf("Zu viele fehlgeschlagene Anmeldungen: bitte in %d s erneut versuchen", secs),
		EN:  fmt.Sprintf("too many failed logins: please try again in %d s", secs),
		Err: &ThrottledError{RetryAfter: wait},
	}
}

func legacyLogin(login string) error {
	e := &mailroom.LegacyPasswordError{Logins: []string{login}}
	de, en := e.Texts()
	return &mailroom.InputError{DE: "Anmeldung nicht möglich: " + de, EN: "login not possible: " + en, Err: ErrLegacyHash}
}

// reason names a failed login in the journal.
func reason(err error) string {
	switch {
	case errors.Is(err, ErrUnknownUser):
		return "unknown-user"
	case errors.Is(err, ErrBadPassword):
		return "bad-password"
	case errors.Is(err, ErrDisabled):
		return "disabled"
	case errors.Is(err, ErrNoRole):
		return "no-role"
	case errors.Is(err, ErrUnavailable):
		return "directory-unavailable"
	case errors.Is(err, ErrLegacyHash):
		return "legacy-hash"
	}
	return "error"
}

// clientError is what the person is told for an authenticator's error.
func clientError(login string, err error) error {
	switch {
	case errors.Is(err, ErrNoRole):
		return ErrNoRoleLogin
	case errors.Is(err, ErrUnavailable):
		return ErrUnavailableLogin
	case errors.Is(err, ErrLegacyHash):
		return legacyLogin(login)
	case errors.Is(err, ErrUnknownUser), errors.Is(err, ErrBadPassword), errors.Is(err, ErrDisabled):
		return ErrLogin
	}
	return ErrInternalLogin
}
