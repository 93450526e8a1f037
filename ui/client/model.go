package client

import (
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // page images come as JPEG
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"poststelle/mailroom"
	"poststelle/mailroom/api/apiv1"
	"poststelle/ui"
)

// Model is ui.Model over the API. It is safe for concurrent use.
type Model struct {
	base *url.URL
	http *http.Client
	ui.Changes

	mu      sync.Mutex
	tok     string
	session apiv1.Session
	info    apiv1.Info
}

var _ ui.Model = (*Model)(nil)

// New makes the model for the server of opt. It does not connect yet.
func New(opt Options) (*Model, error) {
	c, u, err := newHTTP(opt)
	if err != nil {
		return nil, err
	}
	m := &Model{base: u, http: c}
	m.Changes.Do = m.change
	return m, nil
}

func (m *Model) token() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tok
}

// Session is the session of the login (tests).
func (m *Model) Session() apiv1.Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.session
}

// NeedsPassword implements ui.Model: over the API every person logs in.
func (m *Model) NeedsPassword() bool { return true }

// Login implements ui.Model: POST /login, then GET /info for the form.
func (m *Model) Login(ctx context.Context, login, password string) (ui.Operator, error) {
	var s apiv1.Session
	if err := m.call(ctx, http.MethodPost, "/login", nil, apiv1.LoginRequest{User: login, Password: password}, &s); err != nil {
		return ui.Operator{}, err
	}
	m.mu.Lock()
	m.tok, m.session = s.Token, s
	m.mu.Unlock()
	var info apiv1.Info
	if err := m.call(ctx, http.MethodGet, "/info", nil, nil, &info); err != nil {
		return ui.Operator{}, err
	}
	m.mu.Lock()
	m.info = info
	m.mu.Unlock()
	roles := make([]string, len(s.Roles))
	for i, r := range s.Roles {
		roles[i] = string(r)
	}
	return ui.Operator{Login: s.Login, Name: s.Name, Roles: roles}, nil
}

// Logout implements ui.Model: the session ends on the server.
func (m *Model) Logout(ctx context.Context) error {
	if m.token() == "" {
		return nil
	}
	err := m.call(ctx, http.MethodPost, "/logout", nil, nil, nil)
	m.mu.Lock()
	m.tok = ""
	m.mu.Unlock()
	return err
}

// Schema implements ui.Model: the form the engine sent at login.
func (m *Model) Schema() mailroom.FieldSchema {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.info.Schema
}

// Counts implements ui.Model.
func (m *Model) Counts(ctx context.Context) (map[mailroom.State]int, error) {
	var c map[mailroom.State]int
	return c, m.call(ctx, http.MethodGet, "/counts", nil, nil, &c)
}

// Documents implements ui.Model.
func (m *Model) Documents(ctx context.Context, states ...mailroom.State) ([]ui.DocRow, error) {
	q := url.Values{}
	for _, s := range states {
		q.Add("state", string(s))
	}
	var rows []ui.DocRow
	return rows, m.call(ctx, http.MethodGet, "/documents", q, nil, &rows)
}

// Document implements ui.Model.
func (m *Model) Document(ctx context.Context, id string) (*ui.DocView, error) {
	var v ui.DocView
	if err := m.call(ctx, http.MethodGet, "/documents/"+url.PathEscape(id), nil, nil, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// PageImage implements ui.Model: the engine renders (and caches) the page.
func (m *Model) PageImage(ctx context.Context, docID string, page, rotation, maxPx int) (image.Image, error) {
	q := url.Values{"rotation": {strconv.Itoa(rotation)}, "max": {strconv.Itoa(maxPx)}}
	resp, err := m.send(ctx, http.MethodGet, fmt.Sprintf("/documents/%s/pages/%d/image", url.PathEscape(docID), page), q, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	img, _, err := image.Decode(resp.Body)
	if err != nil {
		return nil, connError(ctx, fmt.Errorf("page image: %w", err))
	}
	return img, nil
}

// Journal implements ui.Model.
func (m *Model) Journal(ctx context.Context, f mailroom.JournalFilter) ([]mailroom.JournalEntry, error) {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("document", f.DocumentID)
	set("batch", f.BatchID)
	set("action", f.Action)
	set("text", f.Text)
	if f.AfterSeq > 0 {
		q.Set("after", strconv.FormatInt(f.AfterSeq, 10))
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(min(f.Limit, 5000)))
	}
	if f.Newest {
		q.Set("newest", "true")
	}
	var es []mailroom.JournalEntry
	return es, m.call(ctx, http.MethodGet, "/journal", q, nil, &es)
}

// Hold implements ui.Model.
func (m *Model) Hold(ctx context.Context, docID string) (*mailroom.DeskLease, error) {
	var l apiv1.Lease
	if err := m.call(ctx, http.MethodPost, "/documents/"+url.PathEscape(docID)+"/lease", nil, nil, &l); err != nil {
		return nil, err
	}
	return &l.DeskLease, nil
}

// Leave implements ui.Model.
func (m *Model) Leave(ctx context.Context, docID string) error {
	return m.call(ctx, http.MethodDelete, "/documents/"+url.PathEscape(docID)+"/lease", nil, nil, nil)
}

// change sends a change: POST /documents/{id}/{action}, on the version
// shown. The change methods of ui.Model come from ui.Changes.
func (m *Model) change(ctx context.Context, action string, ref mailroom.Ref, c apiv1.Change) (apiv1.Result, error) {
	var res apiv1.Result
	err := m.call(ctx, http.MethodPost, "/documents/"+url.PathEscape(ref.ID)+"/"+action, nil, c, &res)
	return res, err
}
