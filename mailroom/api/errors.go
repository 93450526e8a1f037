package api

import (
	"errors"
	"net/http"
	"strconv"

	"poststelle/mailroom"
	"poststelle/mailroom/api/apiv1"
	"poststelle/mailroom/desk"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/identity"
	"poststelle/mailroom/store"
)

// fail answers err with its status and a German / English body
// (docs/api.md, "Errors"). Errors without a text for people are logged
// and answered as "internal" without their detail.
func (s *Server) fail(w http.ResponseWriter, err error) {
	status, body := classify(err)
	if status == http.StatusInternalServerError {
		s.log().Error("api", "err", err)
	}
	if body.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(body.RetryAfter))
	}
	writeError(w, status, body)
}

func writeError(w http.ResponseWriter, status int, e apiv1.Error) {
	writeJSON(w, status, e)
}

// classify maps an error of the engine, the store or the identity layer to
// a status and an error body.
func classify(err error) (int, apiv1.Error) {
	de, en := texts(err)
	var th *identity.ThrottledError
	var tr *mailroom.ErrTransition
	var rf *evidence.Refusal
	switch {
	case errors.As(err, &th):
		secs := int((th.RetryAfter + 999_999_999) / 1_000_000_000)
		return http.StatusTooManyRequests, apiv1.Error{Code: apiv1.CodeThrottled, DE: de, EN: en, RetryAfter: max(secs, 1)}
	case errors.Is(err, identity.ErrUnauthenticated):
		return http.StatusUnauthorized, apiv1.Error{Code: apiv1.CodeUnauthenticated, DE: de, EN: en}
	case errors.Is(err, identity.ErrLogin), errors.Is(err, identity.ErrNoRoleLogin):
		return http.StatusUnauthorized, apiv1.Error{Code: apiv1.CodeUnauthenticated, DE: de, EN: en}
	case errors.Is(err, identity.ErrUnavailableLogin):
		return http.StatusServiceUnavailable, apiv1.Error{Code: apiv1.CodeUnavailable, DE: de, EN: en}
	case errors.Is(err, mailroom.ErrForbidden):
		return http.StatusForbidden, apiv1.Error{Code: apiv1.CodeForbidden, DE: de, EN: en}
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, apiv1.Error{Code: apiv1.CodeNotFound, DE: "Nicht gefunden: " + err.Error(), EN: "not found: " + err.Error()}
	case errors.Is(err, mailroom.ErrStale):
		return http.StatusConflict, apiv1.Error{Code: apiv1.CodeStale, DE: de, EN: en}
	case errors.Is(err, mailroom.ErrLocked):
		return http.StatusConflict, apiv1.Error{Code: apiv1.CodeLocked, DE: de, EN: en}
	case errors.As(err, &tr):
		return http.StatusConflict, apiv1.Error{Code: apiv1.CodeState,
			DE: "Nicht möglich im Status " + string(tr.From) + ": " + err.Error(), EN: err.Error()}
	case errors.As(err, &rf), errors.Is(err, mailroom.ErrNotAllowed):
		return http.StatusUnprocessableEntity, apiv1.Error{Code: apiv1.CodeNotAllowed, DE: de, EN: en}
	case errors.Is(err, desk.ErrUnknownAction):
		return http.StatusNotFound, apiv1.Error{Code: apiv1.CodeNotFound, DE: "Unbekannte Aktion: " + err.Error(), EN: err.Error()}
	}
	if _, ok := mailroom.AsInputError(err); ok {
		return http.StatusUnprocessableEntity, apiv1.Error{Code: apiv1.CodeInvalid, DE: de, EN: en}
	}
	return http.StatusInternalServerError, apiv1.Error{Code: apiv1.CodeInternal,
		DE: "Interner Fehler des Servers (siehe Protokoll des Servers)", EN: "internal server error (see the server's log)"}
}

// texts are the German and English texts of err.
func texts(err error) (de, en string) {
	var rf *evidence.Refusal
	if errors.As(err, &rf) {
		return rf.DE, rf.EN
	}
	if ie, ok := mailroom.AsInputError(err); ok {
		return ie.DE, ie.EN
	}
	return err.Error(), err.Error()
}
