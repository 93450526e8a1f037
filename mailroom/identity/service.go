package identity

import (
	"context"
	"log/slog"
	"os"
	"os/user"
	"strings"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/store"
)

// Journal is what Service needs to journal (mailroom/store's Append).
type Journal interface {
	Append(ctx context.Context, actor, action, documentID, batchID string, detail any) (mailroom.JournalEntry, error)
}

// ServiceStore is everything Service needs of the store; *store.Store has it.
type ServiceStore interface {
	OperatorStore
	SessionStore
	Journal
	// HasOperators reports whether the operator table holds any operator.
	HasOperators(ctx context.Context) (bool, error)
}

var _ ServiceStore = (*store.Store)(nil)

// maxLogin bounds the length of a login name (longer ones are refused
// unchecked, and journaled cut short).
const maxLogin = 256

// Service is the identity layer as configured: the Chain of local operators
// and directory, the throttle, the sessions, and the journal of every
// attempt. It is safe for concurrent use. An API server calls Login, Resolve
// for every request, Logout, and runs Run; the embedded desk calls
// Authenticate (no session).
type Service struct {
	Local     *Local
	Directory *Directory // nil without [ldap] urls
	auth      Authenticator
	throttle  *Throttle
	sessions  *Sessions
	st        ServiceStore
	cfg       *mailroom.Config
	log       *slog.Logger
}

// New builds the service from the configuration. It fails at start for a
// configured operator with an unusable hash (a *mailroom.LegacyPasswordError
// for old "sha256:" ones) and for an [ldap] section whose CA file or service
// password cannot be read. log may be nil (slog.Default).
func New(cfg *mailroom.Config, st ServiceStore, log *slog.Logger) (*Service, error) {
	if log == nil {
		log = slog.Default()
	}
	log = log.With("source", "identity")
	local, err := NewLocal(cfg.Operators, st)
	if err != nil {
		return nil, err
	}
	s := &Service{Local: local, auth: Chain{local}, st: st, cfg: cfg, log: log,
		throttle: NewThrottle(ThrottleConfigFrom(cfg.Login), nil),
		sessions: NewSessions(st, cfg.Login.SessionIdle.Duration, cfg.Login.SessionMax.Duration, nil)}
	if cfg.LDAP.Enabled() {
		if s.Directory, err = NewDirectory(cfg.LDAP); err != nil {
			return nil, err
		}
		s.auth = Chain{local, s.Directory}
	}
	return s, nil
}

// PasswordRequired reports whether logins need a password: operators are
// configured, in the operator table (also disabled ones), or a directory is
// set up. Without, the OS user is taken (OSUser).
func (s *Service) PasswordRequired(ctx context.Context) (bool, error) {
	if len(s.cfg.Operators) > 0 || s.Directory != nil {
		return true, nil
	}
	return s.st.HasOperators(ctx)
}

// Sessions gives access to the session keeper (Sweep, Run).
func (s *Service) Sessions() *Sessions { return s.sessions }

// Authenticate checks login and password and journals the attempt: "login"
// on success, "login-failed" with the reason, "login-throttled" when refused
// for earlier failures. The error for the person is an InputError (ErrLogin,
// ErrNoRoleLogin, ErrUnavailableLogin, a throttled one with a
// ThrottledError in its chain …).
func (s *Service) Authenticate(ctx context.Context, login, password string, from Client) (mailroom.Principal, error) {
	p, err := s.check(ctx, login, password, from)
	if err != nil {
		return p, err
	}
	n := loginNote(p, from, "")
	if _, err := s.st.Append(ctx, n.Actor, n.Action, "", "", n.Detail); err != nil {
		return mailroom.Principal{}, err
	}
	s.log.Info("login", "login", p.Login, "method", p.Method, "via", from.Via, "from", from.Address)
	return p, nil
}

// Login is Authenticate plus a new session; it returns the bearer token
// for the client (never logged) and the session.
func (s *Service) Login(ctx context.Context, login, password string, from Client) (string, *store.Session, error) {
	p, err := s.check(ctx, login, password, from)
	if err != nil {
		return "", nil, err
	}
	token, x, err := s.sessions.Create(ctx, p, from)
	if err != nil {
		return "", nil, err
	}
	s.log.Info("login", "login", p.Login, "method", p.Method, "via", from.Via, "from", from.Address, "session", x.ID)
	return token, x, nil
}

// Resolve returns the session of a bearer token (ErrUnauthenticated if
// there is none or it expired).
func (s *Service) Resolve(ctx context.Context, token string) (*store.Session, error) {
	return s.sessions.Resolve(ctx, token)
}

// Logout ends the session of token, journaled as "logout".
func (s *Service) Logout(ctx context.Context, token string, from Client) error {
	return s.sessions.Logout(ctx, token, from)
}

// Run ends expired sessions once a minute until ctx ends.
func (s *Service) Run(ctx context.Context) error { return s.sessions.Run(ctx, time.Minute) }

// check runs throttle and authenticators and journals failures.
func (s *Service) check(ctx context.Context, login, password string, from Client) (mailroom.Principal, error) {
	login = strings.TrimSpace(login)
	if len(login) > maxLogin || login == "" {
		s.fail(ctx, login[:min(len(login), 64)], from, "bad-login", 0, nil)
		return mailroom.Principal{}, ErrLogin
	}
	if wait, first := s.throttle.Wait(login, from.Address); wait > 0 {
		if first {
			n := throttledNote(login, from, wait)
			if _, err := s.st.Append(ctx, n.Actor, n.Action, "", "", n.Detail); err != nil {
				return mailroom.Principal{}, err
			}
			s.log.Warn("login throttled", "login", login, "via", from.Via, "from", from.Address, "retry_after", wait)
		}
		return mailroom.Principal{}, throttledLogin(wait)
	}
	p, err := s.auth.Authenticate(ctx, login, password)
	if err == nil {
		s.throttle.Success(login)
		return p, nil
	}
	if ctx.Err() != nil {
		return mailroom.Principal{}, ctx.Err()
	}
	why := reason(err)
	var wait time.Duration
	if why == "unknown-user" || why == "bad-password" || why == "disabled" {
		wait = s.throttle.Fail(login, from.Address)
	}
	s.fail(ctx, login, from, why, wait, err)
	return mailroom.Principal{}, clientError(login, err)
}

// fail journals and logs a failed login. The cause (never containing the
// password) goes to the log only.
func (s *Service) fail(ctx context.Context, login string, from Client, why string, wait time.Duration, cause error) {
	n := failedNote(login, from, why, wait)
	if _, err := s.st.Append(ctx, n.Actor, n.Action, "", "", n.Detail); err != nil {
		s.log.Error("journal", "err", err)
	}
	attrs := []any{"login", login, "reason", why, "via", from.Via, "from", from.Address}
	if wait > 0 {
		attrs = append(attrs, "wait", wait)
	}
	if cause != nil && (why == "directory-unavailable" || why == "error") {
		s.log.Error("login not possible", append(attrs, "err", cause)...)
		return
	}
	s.log.Warn("login failed", attrs...)
}

// OSUser is the person at the machine where no operators are configured:
// the user of the operating system, holding every role (one PC, as before
// issue 13).
func OSUser() mailroom.Principal {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = "unbekannt"
	}
	return mailroom.Principal{Login: name, Name: name, Roles: mailroom.Roles(), Method: mailroom.AuthOSUser}
}
