// Package cmistest is a CMIS 1.1 browser binding test server: the subset of
// the OASIS CMIS 1.1 browser binding (part II, section 5) that Poststelle
// uses, answering with the published JSON formats and error codes. No CMIS
// repository can be installed here; testdata/dms/cmis/ documents the
// exchanges this server follows.
//
// Implemented: the service document (GET {base}), getObjectByPath
// (GET {base}/{repo}/root/{path}?cmisselector=object[&includeAllowableActions=true]),
// createFolder and createDocument (POST {base}/{repo}/root/{path} with
// cmisaction, propertyId[n]/propertyValue[n], succinct, _charset_ and a
// "content" part, multipart/form-data or form-urlencoded), getContentStream
// (GET {base}/{repo}/root?objectId=…&cmisselector=content), basic
// authentication, nameConstraintViolation (409) for a name taken in the
// folder, invalidArgument (400) for unknown property ids, unauthenticated
// (401). Content is streamed to disk, never held in memory; a request whose
// body breaks off creates nothing.
package cmistest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Repository is the test repository id.
const Repository = "poststelle-test"

// Doc is a stored document.
type Doc struct {
	ID, Name, Folder string
	Props            map[string]string
	File             string
	SHA256           string
	Size             int64
}

// Server is the test repository. Mount it with httptest.NewServer(s) and use
// {URL}/browser as the service URL.
type Server struct {
	User, Password string
	Dir            string // content store
	// Properties accepted besides the cmis:* basics (a custom type's).
	Extra map[string]bool

	mu      sync.Mutex
	base    string
	folders map[string]string // path → id
	docs    map[string]*Doc   // id → doc
	seq     int
}

// New makes a server storing content in dir.
func New(dir, user, password string) *Server {
	return &Server{User: user, Password: password, Dir: dir, folders: map[string]string{"/": "root-0"}, docs: map[string]*Doc{},
		Extra: map[string]bool{"poststelle:abteilung": true, "poststelle:dokumentId": true}}
}

var basics = map[string]bool{"cmis:objectTypeId": true, "cmis:name": true, "cmis:description": true,
	"cmis:secondaryObjectTypeIds": true, "cm:title": true}

// Documents returns the stored documents, by name.
func (s *Server) Documents() []Doc {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Doc
	for _, d := range s.docs {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func cmisErr(w http.ResponseWriter, code int, exc, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"exception": exc, "message": msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u, p, ok := r.BasicAuth()
	if !ok || u != s.User || p != s.Password {
		w.Header().Set("WWW-Authenticate", `Basic realm="cmis"`)
		cmisErr(w, http.StatusUnauthorized, "unauthorized", "Authentication required")
		return
	}
	s.mu.Lock()
	if s.base == "" {
		s.base = "http://" + r.Host + "/browser"
	}
	s.mu.Unlock()
	rest, ok := strings.CutPrefix(r.URL.Path, "/browser")
	if !ok {
		http.NotFound(w, r)
		return
	}
	rest = strings.Trim(rest, "/")
	if rest == "" {
		s.serviceDoc(w, r)
		return
	}
	repo, sub, _ := strings.Cut(rest, "/")
	if repo != Repository {
		cmisErr(w, http.StatusNotFound, "objectNotFound", "Unknown repository "+repo)
		return
	}
	objPath, isRoot := strings.CutPrefix(sub, "root")
	if !isRoot || (objPath != "" && !strings.HasPrefix(objPath, "/")) {
		cmisErr(w, http.StatusBadRequest, "invalidArgument", "unsupported path")
		return
	}
	objPath = path.Clean("/" + objPath)
	switch r.Method {
	case http.MethodGet:
		s.get(w, r, objPath)
	case http.MethodPost:
		s.post(w, r, objPath)
	default:
		cmisErr(w, http.StatusMethodNotAllowed, "notSupported", r.Method)
	}
}

func (s *Server) serviceDoc(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	base := s.base
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{Repository: map[string]any{
		"repositoryId": Repository, "repositoryName": "Poststelle Testrepository", "repositoryDescription": "cmistest",
		"vendorName": "poststelle", "productName": "cmistest", "productVersion": "1", "rootFolderId": "root-0",
		"cmisVersionSupported": "1.1", "repositoryUrl": base + "/" + Repository, "rootFolderUrl": base + "/" + Repository + "/root",
		"capabilities": map[string]any{"capabilityContentStreamUpdatability": "anytime", "capabilityQuery": "none"},
	}})
}

func (s *Server) folderObj(p, id string) map[string]any {
	return map[string]any{"succinctProperties": map[string]any{"cmis:objectId": id, "cmis:baseTypeId": "cmis:folder",
		"cmis:objectTypeId": "cmis:folder", "cmis:name": path.Base(p), "cmis:path": p}}
}

func (s *Server) docObj(d *Doc) map[string]any {
	props := map[string]any{"cmis:objectId": d.ID, "cmis:baseTypeId": "cmis:document", "cmis:name": d.Name,
		"cmis:contentStreamLength": d.Size, "cmis:contentStreamFileName": d.Name, "cmis:contentStreamMimeType": "application/octet-stream",
		"cmis:versionSeriesId": d.ID, "cmis:isLatestVersion": true}
	for k, v := range d.Props {
		if _, set := props[k]; !set {
			props[k] = v
		}
	}
	return map[string]any{"succinctProperties": props}
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, p string) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	if q.Get("cmisselector") == "content" {
		d := s.docs[q.Get("objectId")]
		if d == nil {
			cmisErr(w, http.StatusNotFound, "objectNotFound", "no object "+q.Get("objectId"))
			return
		}
		http.ServeFile(w, r, d.File)
		return
	}
	if id, ok := s.folders[p]; ok {
		o := s.folderObj(p, id)
		if q.Get("includeAllowableActions") == "true" {
			o["allowableActions"] = map[string]bool{"canCreateDocument": true, "canCreateFolder": true, "canGetChildren": true}
		}
		writeJSON(w, http.StatusOK, o)
		return
	}
	for _, d := range s.docs {
		if path.Join(d.Folder, d.Name) == p {
			writeJSON(w, http.StatusOK, s.docObj(d))
			return
		}
	}
	cmisErr(w, http.StatusNotFound, "objectNotFound", "Object not found: "+p)
}

// post handles createDocument and createFolder.
func (s *Server) post(w http.ResponseWriter, r *http.Request, folder string) {
	s.mu.Lock()
	_, isFolder := s.folders[folder]
	s.mu.Unlock()
	if !isFolder {
		cmisErr(w, http.StatusNotFound, "objectNotFound", "Folder not found: "+folder)
		return
	}
	fields, up, fail := s.readForm(r)
	defer up.remove()
	if fail != nil {
		cmisErr(w, fail.status, fail.kind, fail.msg)
		return
	}
	props, fail := s.properties(fields)
	if fail != nil {
		cmisErr(w, fail.status, fail.kind, fail.msg)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	name := props["cmis:name"]
	if s.taken(folder, name) {
		cmisErr(w, http.StatusConflict, "nameConstraintViolation", "An object with this name already exists: "+name)
		return
	}
	s.seq++
	switch fields.Get("cmisaction") {
	case "createFolder":
		full := path.Join(folder, name)
		id := fmt.Sprintf("folder-%d", s.seq)
		s.folders[full] = id
		w.Header().Set("Location", s.base+"/"+Repository+"/root?objectId="+id)
		writeJSON(w, http.StatusCreated, s.folderObj(full, id))
	case "createDocument":
		s.createDocument(w, folder, props, up)
	default:
		cmisErr(w, http.StatusBadRequest, "invalidArgument", "unknown cmisaction "+fields.Get("cmisaction"))
	}
}

// failure is an error answer of the repository.
type failure struct {
	status    int
	kind, msg string
}

// upload is a content stream received into a temporary file.
type upload struct {
	tmp, sum string
	size     int64
}

func (u *upload) remove() {
	if u.tmp != "" {
		os.Remove(u.tmp)
	}
}

// readForm reads the form fields and the content stream of a POST.
func (s *Server) readForm(r *http.Request) (url.Values, *upload, *failure) {
	up := &upload{}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "multipart/form-data":
		fields, fail := s.readMultipart(r, up)
		return fields, up, fail
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, up, &failure{http.StatusBadRequest, "invalidArgument", err.Error()}
		}
		return r.PostForm, up, nil
	}
	return nil, up, &failure{http.StatusBadRequest, "invalidArgument", "unsupported content type " + mt}
}

// readMultipart reads a multipart form; the part "content" is streamed into
// a temporary file and hashed.
func (s *Server) readMultipart(r *http.Request, up *upload) (url.Values, *failure) {
	fields := url.Values{}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, &failure{http.StatusBadRequest, "invalidArgument", err.Error()}
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return fields, nil
		}
		if err != nil {
			return nil, &failure{http.StatusBadRequest, "invalidArgument", "broken multipart body: " + err.Error()}
		}
		if part.FormName() != "content" {
			b, _ := io.ReadAll(io.LimitReader(part, 1<<20))
			fields.Add(part.FormName(), string(b))
			continue
		}
		f, err := os.CreateTemp(s.Dir, "upload-*")
		if err != nil {
			return nil, &failure{http.StatusInternalServerError, "storage", err.Error()}
		}
		up.tmp = f.Name()
		h := sha256.New()
		up.size, err = io.Copy(io.MultiWriter(f, h), part)
		f.Close()
		if err != nil {
			return nil, &failure{http.StatusBadRequest, "invalidArgument", "content stream broken off: " + err.Error()}
		}
		up.sum = hex.EncodeToString(h.Sum(nil))
	}
}

// properties collects propertyId[i]/propertyValue[i] pairs and checks them.
func (s *Server) properties(fields url.Values) (map[string]string, *failure) {
	props := map[string]string{}
	for i := 0; ; i++ {
		id := fields.Get("propertyId[" + strconv.Itoa(i) + "]")
		if id == "" {
			break
		}
		props[id] = fields.Get("propertyValue[" + strconv.Itoa(i) + "]")
	}
	name := props["cmis:name"]
	if name == "" || strings.Contains(name, "/") {
		return nil, &failure{http.StatusBadRequest, "invalidArgument", "cmis:name must be set and must not contain '/'"}
	}
	for k := range props {
		if !basics[k] && !s.Extra[k] {
			return nil, &failure{http.StatusBadRequest, "invalidArgument", fmt.Sprintf("Property '%s' is not valid for this type or one of the secondary types!", k)}
		}
	}
	return props, nil
}

// taken reports whether folder already holds an object called name. The
// caller holds s.mu.
func (s *Server) taken(folder, name string) bool {
	if s.folders[path.Join(folder, name)] != "" {
		return true
	}
	for _, d := range s.docs {
		if d.Folder == folder && d.Name == name {
			return true
		}
	}
	return false
}

// createDocument stores an uploaded content stream as a document. The caller
// holds s.mu.
func (s *Server) createDocument(w http.ResponseWriter, folder string, props map[string]string, up *upload) {
	if up.tmp == "" {
		cmisErr(w, http.StatusBadRequest, "invalidArgument", "no content part")
		return
	}
	id := fmt.Sprintf("workspace://SpacesStore/%08d-%d;1.0", s.seq, time.Now().UnixNano()%1000)
	file := filepath.Join(s.Dir, fmt.Sprintf("obj-%d", s.seq))
	if err := os.Rename(up.tmp, file); err != nil {
		cmisErr(w, http.StatusInternalServerError, "storage", err.Error())
		return
	}
	up.tmp = ""
	d := &Doc{ID: id, Name: props["cmis:name"], Folder: folder, Props: props, File: file, SHA256: up.sum, Size: up.size}
	s.docs[id] = d
	w.Header().Set("Location", s.base+"/"+Repository+"/root?objectId="+url.QueryEscape(id))
	writeJSON(w, http.StatusCreated, s.docObj(d))
}
