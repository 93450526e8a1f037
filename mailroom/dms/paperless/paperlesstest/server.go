// Package paperlesstest is a Paperless-ngx test server: the part of the
// Paperless-ngx REST API (docs.paperless-ngx.com/api) that Poststelle uses,
// with the published request and answer formats. Paperless-ngx cannot be
// installed here; testdata/dms/paperless/ documents the exchanges.
//
// Implemented: token authentication ("Authorization: Token …", 401 with
// {"detail": "Invalid token."}); POST /api/documents/post_document/
// (multipart; answers the task UUID as a JSON string; consumption runs
// asynchronously after ConsumeDelay and refuses a duplicate checksum the way
// Paperless-ngx does: FAILURE "… It is a duplicate of …"); GET
// /api/tasks/[?task_id=…] (a JSON list); GET /api/documents/ with
// checksum__iexact (paginated); GET/POST /api/tags/, /api/correspondents/,
// /api/document_types/ with name__iexact; GET /api/custom_fields/; GET
// /api/ui_settings/ with permissions. Unknown ids in post_document answer 400
// with field errors. Uploads are streamed to disk.
package paperlesstest

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Doc is a consumed document.
type Doc struct {
	ID            int
	Title         string
	Checksum      string // MD5, as Paperless-ngx stores it
	SHA256        string
	Size          int64
	File          string
	Tags          []int
	Correspondent int
	DocumentType  int
	Created       string
	ASN           string
	CustomFields  map[string]string
	FileName      string
}

type named struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// Server is the test Paperless-ngx.
type Server struct {
	Token        string
	Dir          string
	ConsumeDelay time.Duration

	mu      sync.Mutex
	docs    []*Doc
	tasks   []map[string]any
	objects map[string][]named // tags, correspondents, document_types, custom_fields
	nextID  int
	Posts   int // post_document requests accepted
}

// New makes a server storing uploads in dir.
func New(dir, token string) *Server {
	return &Server{Token: token, Dir: dir, ConsumeDelay: 50 * time.Millisecond, nextID: 1,
		objects: map[string][]named{"tags": {{1, "Posteingang"}}, "correspondents": {}, "document_types": {},
			"custom_fields": {{1, "Rechnungsnummer"}, {2, "Poststelle-ID"}}}}
}

// Documents returns the consumed documents.
func (s *Server) Documents() []Doc {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Doc, len(s.docs))
	for i, d := range s.docs {
		out[i] = *d
	}
	return out
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Token "+s.Token {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"detail": "Invalid token."})
		return
	}
	p := r.URL.Path
	switch {
	case p == "/api/documents/post_document/" && r.Method == http.MethodPost:
		s.postDocument(w, r)
	case p == "/api/documents/" && r.Method == http.MethodGet:
		s.listDocuments(w, r)
	case p == "/api/tasks/" && r.Method == http.MethodGet:
		s.listTasks(w, r)
	case p == "/api/ui_settings/":
		writeJSON(w, http.StatusOK, map[string]any{"user": map[string]any{"id": 3, "username": "poststelle", "is_superuser": false},
			"settings": map[string]any{}, "permissions": []string{"view_document", "add_document", "change_document", "add_tag", "view_tag"}})
	case strings.HasPrefix(p, "/api/") && strings.Count(p, "/") == 3:
		kind := strings.Trim(strings.TrimPrefix(p, "/api/"), "/")
		s.named(w, r, kind)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Not found."})
	}
}

func (s *Server) named(w http.ResponseWriter, r *http.Request, kind string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list, ok := s.objects[kind]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Not found."})
		return
	}
	switch r.Method {
	case http.MethodGet:
		var res []named
		q := strings.ToLower(r.URL.Query().Get("name__iexact"))
		for _, o := range list {
			if q == "" || strings.ToLower(o.Name) == q {
				res = append(res, o)
			}
		}
		if res == nil {
			res = []named{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"count": len(res), "next": nil, "previous": nil, "results": res})
	case http.MethodPost:
		if kind == "custom_fields" {
			writeJSON(w, http.StatusForbidden, map[string]string{"detail": "You do not have permission to perform this action."})
			return
		}
		var in struct{ Name string }
		if json.NewDecoder(r.Body).Decode(&in) != nil || in.Name == "" {
			writeJSON(w, http.StatusBadRequest, map[string][]string{"name": {"This field is required."}})
			return
		}
		o := named{ID: len(list) + 100, Name: in.Name}
		s.objects[kind] = append(list, o)
		writeJSON(w, http.StatusCreated, o)
	}
}

func (s *Server) exists(kind string, id int) bool {
	for _, o := range s.objects[kind] {
		if o.ID == id {
			return true
		}
	}
	return false
}

// postDocument handles POST /api/documents/post_document/: the multipart
// upload is read and checked like Paperless-ngx does, and a consume task is
// started.
func (s *Server) postDocument(w http.ResponseWriter, r *http.Request) {
	mr, err := r.MultipartReader()
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string][]string{"document": {"No file was submitted."}})
		return
	}
	d := &Doc{CustomFields: map[string]string{}}
	var tmp string
	defer func() {
		if tmp != "" {
			os.Remove(tmp)
		}
	}()
	errs := map[string][]string{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string][]string{"non_field_errors": {"broken upload: " + err.Error()}})
			return
		}
		if part.FormName() == "document" {
			if tmp, err = s.receiveFile(part, d); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string][]string{"document": {"upload broken off"}})
				return
			}
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(part, 1<<20))
		s.field(d, part.FormName(), b, errs)
	}
	if tmp == "" {
		errs["document"] = append(errs["document"], "No file was submitted.")
	}
	if len(errs) > 0 {
		writeJSON(w, http.StatusBadRequest, errs)
		return
	}
	d.File = tmp + ".doc"
	os.Rename(tmp, d.File)
	tmp = ""
	writeJSON(w, http.StatusOK, s.startTask(d))
}

// receiveFile streams the uploaded document into a temporary file, hashing
// it as Paperless-ngx does (MD5 checksum) and for the tests (SHA-256).
func (s *Server) receiveFile(part *multipart.Part, d *Doc) (string, error) {
	f, err := os.CreateTemp(s.Dir, "upload-*")
	if err != nil {
		return "", err
	}
	hm, hs := md5.New(), sha256.New()
	d.Size, err = io.Copy(io.MultiWriter(f, hm, hs), part)
	f.Close()
	if err != nil {
		return f.Name(), err
	}
	d.Checksum, d.SHA256, d.FileName = hex.EncodeToString(hm.Sum(nil)), hex.EncodeToString(hs.Sum(nil)), part.FileName()
	return f.Name(), nil
}

// field takes one form field of an upload; invalid references go to errs
// under the field's name, as the API reports them.
func (s *Server) field(d *Doc, name string, b []byte, errs map[string][]string) {
	v := string(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch name {
	case "title":
		d.Title = v
	case "created":
		d.Created = v
	case "archive_serial_number":
		d.ASN = v
	case "tags", "correspondent", "document_type":
		id, err := strconv.Atoi(v)
		kind := map[string]string{"tags": "tags", "correspondent": "correspondents", "document_type": "document_types"}[name]
		if err != nil || !s.exists(kind, id) {
			errs[name] = append(errs[name], fmt.Sprintf("Invalid pk \"%s\" - object does not exist.", v))
		} else if name == "tags" {
			d.Tags = append(d.Tags, id)
		} else if name == "correspondent" {
			d.Correspondent = id
		} else {
			d.DocumentType = id
		}
	case "custom_fields":
		m := map[string]any{}
		if json.Unmarshal(b, &m) != nil {
			errs[name] = append(errs[name], "invalid custom fields")
		}
		for k, val := range m {
			id, _ := strconv.Atoi(k)
			if !s.exists("custom_fields", id) {
				errs[name] = append(errs[name], fmt.Sprintf("Custom field with id %s does not exist", k))
			}
			d.CustomFields[k] = fmt.Sprint(val)
		}
	}
}

// startTask registers a pending consume task for d and starts it; it
// returns the task's UUID.
func (s *Server) startTask(d *Doc) string {
	taskID := uuid.NewString()
	s.mu.Lock()
	s.Posts++
	task := map[string]any{"id": len(s.tasks) + 1, "task_id": taskID, "task_name": "consume_file", "task_file_name": d.FileName,
		"date_created": time.Now().UTC().Format(time.RFC3339), "date_done": nil, "type": "file", "status": "PENDING",
		"result": nil, "acknowledged": false, "related_document": nil}
	s.tasks = append(s.tasks, task)
	s.mu.Unlock()
	go s.consume(task, d)
	return taskID
}

// consume does what the Paperless-ngx consumer does with an upload, as far
// as the API shows it.
func (s *Server) consume(task map[string]any, d *Doc) {
	time.Sleep(s.ConsumeDelay)
	s.mu.Lock()
	defer s.mu.Unlock()
	task["date_done"] = time.Now().UTC().Format(time.RFC3339)
	for _, o := range s.docs {
		if o.Checksum == d.Checksum {
			task["status"] = "FAILURE"
			task["result"] = fmt.Sprintf("%s: Not consuming %s: It is a duplicate of %s (#%d).", d.FileName, d.FileName, o.Title, o.ID)
			os.Remove(d.File)
			return
		}
	}
	d.ID = s.nextID
	s.nextID++
	s.docs = append(s.docs, d)
	task["status"] = "SUCCESS"
	task["result"] = fmt.Sprintf("Success. New document id %d created", d.ID)
	task["related_document"] = strconv.Itoa(d.ID)
}

func (s *Server) listTasks(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.URL.Query().Get("task_id")
	out := []map[string]any{}
	for _, t := range s.tasks {
		if id == "" || t["task_id"] == id {
			c := map[string]any{}
			for k, v := range t {
				c[k] = v
			}
			out = append(out, c)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listDocuments(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := strings.ToLower(r.URL.Query().Get("checksum__iexact"))
	res := []map[string]any{}
	var all []int
	for _, d := range s.docs {
		if sum == "" || d.Checksum == sum {
			res = append(res, map[string]any{"id": d.ID, "title": d.Title, "checksum": d.Checksum, "tags": d.Tags,
				"correspondent": d.Correspondent, "document_type": d.DocumentType, "archive_serial_number": d.ASN,
				"original_file_name": d.FileName})
			all = append(all, d.ID)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": len(res), "next": nil, "previous": nil, "all": all, "results": res})
}
