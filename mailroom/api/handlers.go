package api

import (
	"image"
	"image/jpeg"
	"net/http"
	"strconv"
	"strings"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/api/apiv1"
	"poststelle/mailroom/engine"
)

// Reading needs a login with at least one role; changes need the role of
// the action, which the engine checks.
func (s *Server) canRead(w http.ResponseWriter, r *request) bool {
	if len(r.act.Roles) > 0 {
		return true
	}
	s.fail(w, r.act.Require(mailroom.RoleErfassung))
	return false
}

func (s *Server) info(w http.ResponseWriter, r *request) {
	writeJSON(w, http.StatusOK, apiv1.Info{Instance: s.Config.Instance, Version: s.Version, Schema: s.Desk.Schema(),
		LeaseSeconds: int(s.leaseTTL().Seconds())})
}

func (s *Server) leaseTTL() time.Duration {
	if e := s.Desk.Engine; e != nil && e.DeskLease > 0 {
		return e.DeskLease
	}
	return engine.DefaultDeskLease
}

func (s *Server) counts(w http.ResponseWriter, r *request) {
	if !s.canRead(w, r) {
		return
	}
	c, err := s.Desk.Counts(ctxOf(r))
	if err != nil {
		s.fail(w, err)
		return
	}
	for _, st := range mailroom.AllStates {
		if _, ok := c[st]; !ok {
			c[st] = 0
		}
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) documents(w http.ResponseWriter, r *request) {
	if !s.canRead(w, r) {
		return
	}
	var states []mailroom.State
	for _, v := range r.URL.Query()["state"] {
		st := mailroom.State(v)
		if !validState(st) {
			writeError(w, http.StatusBadRequest, apiv1.Error{Code: apiv1.CodeInvalid, DE: "Unbekannter Status " + v, EN: "unknown state " + v})
			return
		}
		states = append(states, st)
	}
	if len(states) == 0 {
		states = []mailroom.State{mailroom.StateReview}
	}
	rows, err := s.Desk.Rows(ctxOf(r), states...)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, rows)
}

func validState(st mailroom.State) bool {
	for _, s := range mailroom.AllStates {
		if s == st {
			return true
		}
	}
	return false
}

func (s *Server) document(w http.ResponseWriter, r *request) {
	if !s.canRead(w, r) {
		return
	}
	v, err := s.Desk.View(ctxOf(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// maxImagePx bounds the size of a rendered page image.
const maxImagePx = 4000

// pageImage answers a rendered page as JPEG. The URL names everything the
// image depends on (document, source page, rotation, size), so clients may
// cache it.
func (s *Server) pageImage(w http.ResponseWriter, r *request) {
	if !s.canRead(w, r) {
		return
	}
	page, err1 := strconv.Atoi(r.PathValue("page"))
	q := r.URL.Query()
	rot, err2 := intParam(q.Get("rotation"), 0)
	px, err3 := intParam(q.Get("max"), 1400)
	if err1 != nil || err2 != nil || err3 != nil || page < 1 || rot%90 != 0 || px < 16 || px > maxImagePx {
		writeError(w, http.StatusBadRequest, apiv1.Error{Code: apiv1.CodeInvalid,
			DE: "Seite, rotation (Vielfaches von 90) oder max (16–4000) ungültig", EN: "bad page, rotation (multiple of 90) or max (16–4000)"})
		return
	}
	img, err := s.Desk.PageImage(ctxOf(r), r.PathValue("id"), page, rot, px)
	if err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	encodeJPEG(w, img)
}

func encodeJPEG(w http.ResponseWriter, img image.Image) {
	jpeg.Encode(w, img, &jpeg.Options{Quality: 85})
}

func intParam(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	return strconv.Atoi(v)
}

func (s *Server) hold(w http.ResponseWriter, r *request) {
	if !s.canRead(w, r) {
		return
	}
	l, err := s.Desk.Hold(ctxOf(r), r.act, r.PathValue("id"))
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, apiv1.Lease{DeskLease: *l, Mine: strings.EqualFold(l.Login, r.act.Login)})
}

func (s *Server) leave(w http.ResponseWriter, r *request) {
	if err := s.Desk.Leave(ctxOf(r), r.act, r.PathValue("id")); err != nil {
		s.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// change makes one of the changes of mailroom/desk (the path's action) on
// the version the body names.
func (s *Server) change(w http.ResponseWriter, r *request) {
	var c apiv1.Change
	if !decode(w, r.Request, &c) {
		return
	}
	if c.Version <= 0 {
		writeError(w, http.StatusBadRequest, apiv1.Error{Code: apiv1.CodeInvalid,
			DE: "version fehlt: jede Änderung nennt die Version, auf der sie gemacht wurde",
			EN: "version missing: every change names the version it was made on"})
		return
	}
	res, err := s.Desk.Do(ctxOf(r), r.act, r.PathValue("action"), mailroom.Ref{ID: r.PathValue("id"), Version: c.Version}, c)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) journal(w http.ResponseWriter, r *request) {
	if !s.canRead(w, r) {
		return
	}
	q := r.URL.Query()
	after, err1 := strconv.ParseInt(orZero(q.Get("after")), 10, 64)
	limit, err2 := intParam(q.Get("limit"), 500)
	if err1 != nil || err2 != nil || limit < 1 || limit > 5000 {
		writeError(w, http.StatusBadRequest, apiv1.Error{Code: apiv1.CodeInvalid, DE: "after oder limit (1–5000) ungültig", EN: "bad after or limit (1–5000)"})
		return
	}
	f := mailroom.JournalFilter{DocumentID: q.Get("document"), BatchID: q.Get("batch"), Action: q.Get("action"), Text: q.Get("text"),
		AfterSeq: after, Limit: limit, Newest: q.Get("newest") == "true" || q.Get("newest") == "1"}
	es, err := s.Desk.Journal(ctxOf(r), f)
	if err != nil {
		s.fail(w, err)
		return
	}
	if es == nil {
		es = []mailroom.JournalEntry{}
	}
	writeJSON(w, http.StatusOK, es)
}

func orZero(v string) string {
	if v == "" {
		return "0"
	}
	return v
}
