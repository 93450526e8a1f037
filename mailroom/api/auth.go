package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"poststelle/mailroom"
	"poststelle/mailroom/api/apiv1"
	"poststelle/mailroom/identity"
	"poststelle/mailroom/store"
)

// maxBody bounds JSON request bodies.
const maxBody = 1 << 20

// request is an authenticated request: the person acting and the token.
type request struct {
	*http.Request
	act     mailroom.Actor
	token   string
	session *store.Session
}

type handler func(w http.ResponseWriter, r *request)

// authed resolves the bearer token of every request; without a valid one
// the answer is 401 (and WWW-Authenticate: Bearer).
func (s *Server) authed(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		if !ok {
			unauthenticated(w)
			return
		}
		x, err := s.Identity.Resolve(r.Context(), token)
		if err != nil {
			if errors.Is(err, identity.ErrUnauthenticated) {
				unauthenticated(w)
				return
			}
			s.fail(w, err)
			return
		}
		act := mailroom.Actor{Principal: x.Principal, Via: mailroom.ViaAPI, From: r.RemoteAddr}
		h(w, &request{Request: r, act: act, token: token, session: x})
	}
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}

func unauthenticated(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="poststelle"`)
	writeError(w, http.StatusUnauthorized, apiv1.Error{Code: apiv1.CodeUnauthenticated,
		DE: "Nicht angemeldet oder Sitzung abgelaufen: bitte neu anmelden", EN: "not logged in or session expired: please log in again"})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req apiv1.LoginRequest
	if !decode(w, r, &req) {
		return
	}
	from := identity.Client{Address: r.RemoteAddr, Via: string(mailroom.ViaAPI)}
	token, x, err := s.Identity.Login(r.Context(), req.User, req.Password, from)
	if err != nil {
		s.fail(w, err)
		return
	}
	out := sessionOf(x, s.Config)
	out.Token = token
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
}

func sessionOf(x *store.Session, cfg *mailroom.Config) apiv1.Session {
	p := x.Principal
	return apiv1.Session{Login: p.Login, Name: p.Name, Roles: p.Roles, Method: p.Method, ExpiresAt: x.ExpiresAt,
		IdleSeconds: int(cfg.Login.SessionIdle.Seconds())}
}

func (s *Server) logout(w http.ResponseWriter, r *request) {
	from := identity.Client{Address: r.RemoteAddr, Via: string(mailroom.ViaAPI)}
	if err := s.Identity.Logout(r.Context(), r.token, from); err != nil {
		s.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) session(w http.ResponseWriter, r *request) {
	writeJSON(w, http.StatusOK, sessionOf(r.session, s.Config))
}

// decode reads a JSON body into v; a bad one is answered with 400.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, apiv1.Error{Code: apiv1.CodeInvalid,
			DE: "Anfrage nicht lesbar: " + err.Error(), EN: "request not readable: " + err.Error()})
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// ctxOf is the request's context (a name for readability in handlers).
func ctxOf(r *request) context.Context { return r.Context() }
