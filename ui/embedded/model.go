package embedded

import (
	"context"
	"errors"
	"image"
	"os"
	"strings"
	"sync"

	"poststelle/mailroom"
	"poststelle/mailroom/api/apiv1"
	"poststelle/mailroom/desk"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/identity"
	"poststelle/mailroom/store"
	"poststelle/ui"
)

// FlagSeparator marks a kept separator or index sheet (ASN, tag, metadata
// barcode) among a document's pages.
const FlagSeparator = apiv1.FlagSeparator

// Model is the desk's model over a local store and engine (mailroom/desk).
// Changes act for the person logged in (Login): the engine checks their
// roles as it does for the API and the command line.
type Model struct {
	Config *mailroom.Config
	Store  *store.Store
	Engine *engine.Engine
	svc    *desk.Service
	ui.Changes

	idOnce sync.Once
	id     *identity.Service
	idErr  error

	mu    sync.Mutex
	actor *mailroom.Actor // nil until Login
}

var _ ui.Model = (*Model)(nil)

// New makes the model. opener renders page previews (pages.NewOpener in scan/pages).
func New(cfg *mailroom.Config, st *store.Store, e *engine.Engine, opener mailroom.PageOpener) *Model {
	m := &Model{Config: cfg, Store: st, Engine: e, svc: desk.New(cfg, st, e, opener)}
	m.Changes.Do = m.change
	return m
}

// Renderer is the page renderer (for benchmarks and tests).
func (m *Model) Renderer() *desk.Renderer { return m.svc.Renderer() }

// NeedsPassword implements ui.Model: operators are configured, in the
// operator table or in the directory (mailroom/identity). If the identity
// layer cannot start, a password is asked and Login says why.
func (m *Model) NeedsPassword() bool {
	id, err := m.identity()
	if err != nil {
		return true
	}
	req, err := id.PasswordRequired(context.Background())
	return req || err != nil
}

// ErrLogin is returned for wrong credentials.
var ErrLogin = identity.ErrLogin

// identity starts the identity layer once (argon2id operators, directory,
// throttling, journal).
func (m *Model) identity() (*identity.Service, error) {
	m.idOnce.Do(func() { m.id, m.idErr = identity.New(m.Config, m.Store, nil) })
	return m.id, m.idErr
}

// Login implements ui.Model through mailroom/identity; every attempt is
// journaled there. Without operators the OS user is taken, as before, and
// holds every role.
func (m *Model) Login(ctx context.Context, login, password string) (ui.Operator, error) {
	login = strings.TrimSpace(login)
	id, err := m.identity()
	if err != nil {
		return ui.Operator{}, startError(err)
	}
	host, _ := os.Hostname()
	var p mailroom.Principal
	if req, err := id.PasswordRequired(ctx); err != nil {
		return ui.Operator{}, err
	} else if !req {
		p = identity.OSUser()
		if login != "" && login != p.Login {
			m.Store.Append(ctx, login, "login-failed", "", "", map[string]any{"reason": "no operators configured; only the OS user " + p.Login})
			return ui.Operator{}, ErrLogin
		}
		if _, err := m.Store.Append(ctx, p.Login, "login", "", "", map[string]any{"method": "os-user", "via": "desk", "host": host}); err != nil {
			return ui.Operator{}, err
		}
	} else if p, err = id.Authenticate(ctx, login, password, identity.Client{Address: "local:" + host, Via: "desk"}); err != nil {
		return ui.Operator{}, err
	}
	m.mu.Lock()
	m.actor = &mailroom.Actor{Principal: p, Via: mailroom.ViaDesk, From: host}
	m.mu.Unlock()
	return Operator(p), nil
}

// Operator is the desk's view of a principal.
func Operator(p mailroom.Principal) ui.Operator {
	roles := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = string(r)
	}
	return ui.Operator{Login: p.Login, Name: p.Name, Roles: roles}
}

// Logout implements ui.Model: the embedded desk has no session to end.
func (m *Model) Logout(ctx context.Context) error {
	m.mu.Lock()
	m.actor = nil
	m.mu.Unlock()
	return nil
}

// errNotLoggedIn is a change attempted before Login.
var errNotLoggedIn = mailroom.BadInput("Nicht angemeldet", "not logged in", ui.ErrLoggedOut)

func (m *Model) current() (mailroom.Actor, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.actor == nil {
		return mailroom.Actor{}, errNotLoggedIn
	}
	return *m.actor, nil
}

// startError tells the clerk why logins are not possible at all (an old
// sha256 hash in the configuration: how to set a new password).
func startError(err error) error {
	var le *mailroom.LegacyPasswordError
	if errors.As(err, &le) {
		de, en := le.Texts()
		return mailroom.BadInput("Anmeldung nicht möglich: "+de, "login not possible: "+en, nil)
	}
	return mailroom.BadInput("Anmeldung nicht möglich: Anmeldung falsch eingerichtet",
		"login not possible: login set up wrongly", err)
}

// Schema implements ui.Model: the form of the configuration's [desk] section.
func (m *Model) Schema() mailroom.FieldSchema { return m.svc.Schema() }

// Counts implements ui.Model.
func (m *Model) Counts(ctx context.Context) (map[mailroom.State]int, error) { return m.svc.Counts(ctx) }

// Documents implements ui.Model.
func (m *Model) Documents(ctx context.Context, states ...mailroom.State) ([]ui.DocRow, error) {
	return m.svc.Rows(ctx, states...)
}

// Document implements ui.Model.
func (m *Model) Document(ctx context.Context, id string) (*ui.DocView, error) {
	return m.svc.View(ctx, id)
}

// PageImage implements ui.Model.
func (m *Model) PageImage(ctx context.Context, docID string, page, rotation, maxPx int) (image.Image, error) {
	return m.svc.PageImage(ctx, docID, page, rotation, maxPx)
}

// Journal implements ui.Model.
func (m *Model) Journal(ctx context.Context, f mailroom.JournalFilter) ([]mailroom.JournalEntry, error) {
	return m.svc.Journal(ctx, f)
}

// Hold implements ui.Model.
func (m *Model) Hold(ctx context.Context, docID string) (*mailroom.DeskLease, error) {
	act, err := m.current()
	if err != nil {
		return nil, err
	}
	return m.svc.Hold(ctx, act, docID)
}

// Leave implements ui.Model.
func (m *Model) Leave(ctx context.Context, docID string) error {
	act, err := m.current()
	if err != nil {
		return nil
	}
	return m.svc.Leave(ctx, act, docID)
}

// change makes a change for the person logged in (mailroom/desk.Do); the
// change methods of ui.Model come from ui.Changes.
func (m *Model) change(ctx context.Context, action string, ref mailroom.Ref, c apiv1.Change) (apiv1.Result, error) {
	act, err := m.current()
	if err != nil {
		return apiv1.Result{}, err
	}
	return m.svc.Do(ctx, act, action, ref, c)
}
