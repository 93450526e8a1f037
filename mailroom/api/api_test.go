package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/api/apitest"
	"poststelle/mailroom/api/apiv1"
	"poststelle/mailroom/testcorpus"
)

// client talks JSON to the rig's API with a token.
type client struct {
	t     *testing.T
	r     *apitest.Rig
	http  *http.Client
	token string
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) error() apiv1.Error {
	var e apiv1.Error
	json.Unmarshal(a.body, &e)
	return e
}

func (c *client) do(method, path string, body any) answer {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, _ := json.Marshal(b)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, c.r.URL+apiv1.Prefix+path, rd)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, data}
}

func (c *client) json(method, path string, body, out any) answer {
	c.t.Helper()
	a := c.do(method, path, body)
	if a.status/100 != 2 {
		c.t.Fatalf("%s %s: %d %s", method, path, a.status, a.body)
	}
	if out != nil {
		if err := json.Unmarshal(a.body, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, a.body)
		}
	}
	return a
}

func login(t *testing.T, r *apitest.Rig, user, pw string) *client {
	t.Helper()
	c := &client{t: t, r: r, http: r.Client()}
	var s apiv1.Session
	c.json("POST", "/login", apiv1.LoginRequest{User: user, Password: pw}, &s)
	if !strings.HasPrefix(s.Token, "pst_") || s.Login != user {
		t.Fatalf("login %s: %+v", user, s)
	}
	c.token = s.Token
	return c
}

var normal = mailroom.Profile{Name: "eingang", Protection: mailroom.ProtectionNormal}

// Login, anonymous and bad tokens, throttling, logout.
func TestLoginSessions(t *testing.T) {
	r := apitest.Start(t, func(cfg *mailroom.Config) { cfg.Login.ThrottleAfter = 2 })
	r.Operator("anna", "anna-Passwort-1", mailroom.RolePruefung)
	anon := &client{t: t, r: r, http: r.Client()}
	for _, p := range []string{"/documents", "/counts", "/info", "/journal", "/documents/x"} {
		a := anon.do("GET", p, nil)
		if a.status != http.StatusUnauthorized || a.error().Code != apiv1.CodeUnauthenticated || a.header.Get("WWW-Authenticate") == "" {
			t.Fatalf("anonymous %s: %d %s", p, a.status, a.body)
		}
	}
	anon.token = "pst_erfunden"
	if a := anon.do("GET", "/documents", nil); a.status != http.StatusUnauthorized {
		t.Fatalf("made-up token: %d", a.status)
	}
	anon.token = ""
	bad := anon.do("POST", "/login", apiv1.LoginRequest{User: "anna", Password: "falsch"})
	if bad.status != http.StatusUnauthorized || !strings.Contains(bad.error().DE, "Anmeldung fehlgeschlagen") {
		t.Fatalf("wrong password: %d %s", bad.status, bad.body)
	}
	anon.do("POST", "/login", apiv1.LoginRequest{User: "anna", Password: "falsch"})
	th := anon.do("POST", "/login", apiv1.LoginRequest{User: "anna", Password: "anna-Passwort-1"})
	secs, _ := strconv.Atoi(th.header.Get("Retry-After"))
	if th.status != http.StatusTooManyRequests || th.error().Code != apiv1.CodeThrottled || secs < 1 || th.error().RetryAfter != secs {
		t.Fatalf("throttled: %d Retry-After %q %s", th.status, th.header.Get("Retry-After"), th.body)
	}
	time.Sleep(time.Duration(secs)*time.Second + 100*time.Millisecond)
	c := login(t, r, "anna", "anna-Passwort-1")
	var s apiv1.Session
	c.json("GET", "/session", nil, &s)
	if s.Login != "anna" || len(s.Roles) != 1 || s.Roles[0] != mailroom.RolePruefung || s.Token != "" {
		t.Fatalf("session %+v", s)
	}
	var info apiv1.Info
	c.json("GET", "/info", nil, &info)
	if len(info.Schema) == 0 || info.LeaseSeconds != 120 {
		t.Fatalf("info %+v", info)
	}
	if a := c.do("POST", "/logout", nil); a.status != http.StatusNoContent {
		t.Fatalf("logout %d", a.status)
	}
	if a := c.do("GET", "/documents", nil); a.status != http.StatusUnauthorized {
		t.Fatalf("after logout: %d", a.status)
	}
	es, _ := r.Store().Journal(context.Background(), mailroom.JournalFilter{Action: "logout"})
	if len(es) != 1 || es[0].Actor != "anna" || !strings.Contains(es[0].Detail, `"via":"api"`) {
		t.Fatalf("logout journal %+v", es)
	}
}

// The desk's work over the API: list, document, page image, lease,
// changes with versions, refusals for role, version and lease.
func TestDocumentsChangesRefusals(t *testing.T) {
	r := apitest.Start(t, nil)
	r.Operator("petra", "petra-Passwort", mailroom.RolePruefung)
	r.Operator("frank", "frank-Passwort", mailroom.RoleFreigabe, mailroom.RoleErfassung)
	docs := r.Review(testcorpus.Path(t, "ocrmypdf", "multipage.pdf"), 1, normal)
	petra, frank := login(t, r, "petra", "petra-Passwort"), login(t, r, "frank", "frank-Passwort")
	var rows []apiv1.DocRow
	petra.json("GET", "/documents?state=review", nil, &rows)
	if len(rows) != 1 || rows[0].ID != docs[0].ID || rows[0].Pages != 6 || rows[0].Version != docs[0].Version {
		t.Fatalf("rows %+v", rows)
	}
	var counts map[mailroom.State]int
	petra.json("GET", "/counts", nil, &counts)
	if counts[mailroom.StateReview] != 1 || counts[mailroom.StateQuarantined] != 0 {
		t.Fatalf("counts %v", counts)
	}
	id := docs[0].ID
	var v apiv1.DocView
	petra.json("GET", "/documents/"+id, nil, &v)
	if len(v.Pages) != 6 || v.Pages[2].Source != 3 {
		t.Fatalf("view %+v", v)
	}
	img := petra.json("GET", "/documents/"+id+"/pages/2/image?rotation=90&max=300", nil, nil)
	pic, err := jpeg.Decode(bytes.NewReader(img.body))
	if err != nil || img.header.Get("Content-Type") != "image/jpeg" || pic.Bounds().Dx() != 300 {
		t.Fatalf("page image: %v %v", err, pic.Bounds())
	}
	if a := petra.do("GET", "/documents/nope", nil); a.status != http.StatusNotFound {
		t.Fatalf("unknown document: %d", a.status)
	}
	// Missing role: 403 with a German message, nothing changed.
	a := petra.do("POST", "/documents/"+id+"/approve", apiv1.Change{Version: v.Version})
	if a.status != http.StatusForbidden || a.error().Code != apiv1.CodeForbidden || !strings.Contains(a.error().DE, "Keine Berechtigung") {
		t.Fatalf("approve by pruefung: %d %s", a.status, a.body)
	}
	if a := petra.do("POST", "/documents/"+id+"/rotate", apiv1.Change{Version: v.Version, Position: 0, Degrees: 90}); a.status != http.StatusForbidden {
		t.Fatalf("rotate by pruefung: %d %s", a.status, a.body)
	}
	if a := petra.do("POST", "/documents/"+id+"/qa", apiv1.Change{QA: &apiv1.QA{Complete: true}}); a.status != http.StatusBadRequest {
		t.Fatalf("change without version: %d %s", a.status, a.body)
	}
	// Petra opens it: Frank sees her lease and cannot change it.
	var l apiv1.Lease
	petra.json("POST", "/documents/"+id+"/lease", nil, &l)
	if !l.Mine || l.Login != "petra" {
		t.Fatalf("petra's lease %+v", l)
	}
	frank.json("POST", "/documents/"+id+"/lease", nil, &l)
	if l.Mine || l.Login != "petra" {
		t.Fatalf("frank's view of the lease %+v", l)
	}
	frank.json("GET", "/documents?state=review", nil, &rows)
	if rows[0].Lock == nil || rows[0].Lock.Login != "petra" {
		t.Fatalf("row without the lock: %+v", rows[0])
	}
	a = frank.do("POST", "/documents/"+id+"/metadata", apiv1.Change{Version: v.Version, Fields: map[string]string{"subject": "x"}})
	if a.status != http.StatusConflict || a.error().Code != apiv1.CodeLocked || !strings.Contains(a.error().DE, "in Bearbeitung durch petra") {
		t.Fatalf("change under petra's lease: %d %s", a.status, a.body)
	}
	// Petra records the QA; her old version is then stale for Frank.
	qa := apiv1.Change{Version: v.Version, QA: &apiv1.QA{Complete: true, Legible: true, Matches: true, ExpectedPages: 6, ActualPages: 6}}
	var res apiv1.Result
	petra.json("POST", "/documents/"+id+"/qa", qa, &res)
	if res.Version != v.Version+1 || res.State != mailroom.StateReview {
		t.Fatalf("qa result %+v", res)
	}
	petra.json("DELETE", "/documents/"+id+"/lease", nil, nil)
	a = frank.do("POST", "/documents/"+id+"/approve", apiv1.Change{Version: v.Version})
	if a.status != http.StatusConflict || a.error().Code != apiv1.CodeStale || !strings.Contains(a.error().DE, "inzwischen von petra geändert") {
		t.Fatalf("approve on an old version: %d %s", a.status, a.body)
	}
	frank.json("POST", "/documents/"+id+"/approve", apiv1.Change{Version: res.Version}, &res)
	if res.State != mailroom.StateApproved {
		t.Fatalf("approved: %+v", res)
	}
	if a := frank.do("POST", "/documents/"+id+"/approve", apiv1.Change{Version: res.Version}); a.status != http.StatusConflict || a.error().Code != apiv1.CodeState {
		t.Fatalf("approved twice: %d %s", a.status, a.body)
	}
	d, _ := r.Store().Document(context.Background(), id)
	q := mailroom.QAOf(d)
	if q == nil || q.Person != "petra" || d.Metadata[mailroom.MetaApprovedBy] != "frank" {
		t.Fatalf("qa %+v approved by %q", q, d.Metadata[mailroom.MetaApprovedBy])
	}
	var es []mailroom.JournalEntry
	frank.json("GET", "/journal?document="+id+"&action=approve", nil, &es)
	if len(es) != 1 || es[0].Actor != "frank" || !strings.Contains(es[0].Detail, `"via":"api"`) || !strings.Contains(es[0].Detail, `"client":"127.0.0.1:`) {
		t.Fatalf("journal %+v", es)
	}
}

// A scan station imports over the API: the person logged in is
// "scanned_by"; without the role erfassung the import is refused.
func TestImport(t *testing.T) {
	r := apitest.Start(t, func(cfg *mailroom.Config) {
		cfg.Folders = append(cfg.Folders, mailroom.FolderConfig{Profile: mailroom.Profile{Name: "sehrhoch", Protection: mailroom.ProtectionSehrHoch},
			Path: "sehrhoch", AfterIntake: "delete"})
	})
	r.Operator("sven", "sven-Passwort", mailroom.RoleErfassung)
	r.Operator("petra", "petra-Passwort", mailroom.RolePruefung)
	data, err := os.ReadFile(testcorpus.Path(t, "ocrmypdf", "linn.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	petra := login(t, r, "petra", "petra-Passwort")
	if a := petra.do("POST", "/import?name=scan.pdf", data); a.status != http.StatusForbidden {
		t.Fatalf("import by pruefung: %d %s", a.status, a.body)
	}
	sven := login(t, r, "sven", "sven-Passwort")
	if a := sven.do("POST", "/import?name=scan.pdf&profile=nope", data); a.status != http.StatusBadRequest {
		t.Fatalf("unknown profile: %d", a.status)
	}
	var imp apiv1.Imported
	if a := sven.json("POST", "/import?name=../../scan.pdf&profile=sehrhoch", data, &imp); a.status != http.StatusCreated {
		t.Fatalf("import: %d", a.status)
	}
	if imp.ScannedBy != "sven" || imp.Document == "" || imp.Duplicate {
		t.Fatalf("imported %+v", imp)
	}
	var again apiv1.Imported
	sven.json("POST", "/import?name=scan.pdf&profile=sehrhoch", data, &again)
	if !again.Duplicate || again.Batch != imp.Batch {
		t.Fatalf("the same file again: %+v", again)
	}
	b, _ := r.Store().Batch(context.Background(), imp.Batch)
	d, _ := r.Store().Document(context.Background(), imp.Document)
	if b.Filename != "scan.pdf" || b.Source != "api:sven" || d.Protection != mailroom.ProtectionSehrHoch || d.Metadata["scanned_by"] != "sven" {
		t.Fatalf("batch %+v document %+v", b, d)
	}
}
