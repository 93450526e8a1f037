package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"poststelle/mailroom"
	"poststelle/mailroom/api/apiv1"
)

// importFile takes in the request body as a file from a scan station or
// desk: POST /api/v1/import?name=scan.pdf[&profile=FOLDER]. The person
// logged in needs the role erfassung and becomes "scanned_by". The source
// is "api:LOGIN", so the same file sent twice by the same person (after a
// lost answer) is recognised as a duplicate.
func (s *Server) importFile(w http.ResponseWriter, r *request) {
	q := r.URL.Query()
	name := filepath.Base(strings.TrimSpace(q.Get("name")))
	if name == "." || name == "/" || name == "" {
		writeError(w, http.StatusBadRequest, apiv1.Error{Code: apiv1.CodeInvalid, DE: "Dateiname fehlt (?name=…)", EN: "file name missing (?name=…)"})
		return
	}
	prof, ok := s.importProfile(q.Get("profile"))
	if !ok {
		writeError(w, http.StatusBadRequest, apiv1.Error{Code: apiv1.CodeInvalid, DE: "Unbekanntes Profil " + q.Get("profile"),
			EN: "unknown profile " + q.Get("profile")})
		return
	}
	if err := s.Desk.Engine.Authorize(ctxOf(r), r.act, "import", ""); err != nil {
		s.fail(w, err)
		return
	}
	tmp, err := s.receive(r)
	if errors.Is(err, errTooLarge) {
		writeError(w, http.StatusRequestEntityTooLarge, apiv1.Error{Code: apiv1.CodeTooLarge,
			DE: fmt.Sprintf("Datei ist größer als %d Bytes (intake.max_file_size)", s.Config.Intake.MaxFileSize),
			EN: fmt.Sprintf("file is larger than %d bytes (intake.max_file_size)", s.Config.Intake.MaxFileSize)})
		return
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	defer os.Remove(tmp)
	it := mailroom.Item{Source: "api:" + r.act.Login, Profile: prof, Path: tmp, Name: name, Metadata: map[string]string{}}
	b, d, dup, err := s.Desk.Engine.Import(ctxOf(r), r.act, it)
	if err != nil {
		s.fail(w, err)
		return
	}
	out := apiv1.Imported{Batch: b.ID, Duplicate: dup, ScannedBy: b.Metadata[mailroom.MetaScannedBy]}
	if d != nil {
		out.Document = d.ID
	}
	status := http.StatusCreated
	if dup {
		status = http.StatusOK
	}
	writeJSON(w, status, out)
}

// importProfile is the profile of a [[folders]] entry by name, or
// [api] import_profile, or protection normal.
func (s *Server) importProfile(name string) (mailroom.Profile, bool) {
	if name == "" {
		name = s.Config.API.ImportProfile
	}
	if name == "" {
		return mailroom.Profile{Name: "api", Protection: mailroom.ProtectionNormal}, true
	}
	return s.Config.FolderProfile(name)
}

var errTooLarge = errors.New("too large")

// receive writes the body to a temp file below work/, at most
// intake.max_file_size bytes.
func (s *Server) receive(r *request) (string, error) {
	dir := filepath.Join(s.Config.DataDir, "work", "api-import")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, "import-*")
	if err != nil {
		return "", err
	}
	limit := s.Config.Intake.MaxFileSize
	n, err := io.Copy(f, io.LimitReader(r.Body, limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > limit {
		err = errTooLarge
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
