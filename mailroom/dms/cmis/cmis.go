package cmis

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/dms"
)

// Client delivers to one CMIS repository folder.
type Client struct {
	Target     string
	URL        string // browser binding service URL, e.g. …/alfresco/api/-default-/public/cmis/versions/1.1/browser
	Repository string // repository id
	Folder     string // folder path below the root, e.g. "/Posteingang/2024"
	User       string
	Password   string
	ObjectType string            // default cmis:document
	Mapping    map[string]string // Poststelle field → CMIS property id
	Timeout    time.Duration
	HTTP       *http.Client

	lazy    dms.LazyClient
	mu      sync.Mutex
	info    *RepositoryInfo
	folders map[string]bool
}

var (
	_ mailroom.Exporter = (*Client)(nil)
	_ dms.Checker       = (*Client)(nil)
)

// RepositoryInfo is the part of the browser binding's repository info the
// client uses.
type RepositoryInfo struct {
	RepositoryID   string `json:"repositoryId"`
	RepositoryName string `json:"repositoryName"`
	RepositoryURL  string `json:"repositoryUrl"`
	RootFolderURL  string `json:"rootFolderUrl"`
	CMISVersion    string `json:"cmisVersionSupported"`
}

// Object is a CMIS object in succinct form.
type Object struct {
	SuccinctProperties map[string]any  `json:"succinctProperties"`
	AllowableActions   map[string]bool `json:"allowableActions,omitempty"`
}

// ID returns cmis:objectId.
func (o *Object) ID() string { s, _ := o.SuccinctProperties["cmis:objectId"].(string); return s }

// Size returns cmis:contentStreamLength (-1 if absent).
func (o *Object) Size() int64 {
	switch v := o.SuccinctProperties["cmis:contentStreamLength"].(type) {
	case float64:
		return int64(v)
	case json.Number:
		n, _ := v.Int64()
		return n
	}
	return -1
}

// cmisError is the browser binding's error answer.
type cmisError struct {
	Exception string `json:"exception"`
	Message   string `json:"message"`
}

// Name implements mailroom.Exporter.
func (c *Client) Name() string { return c.Target }

func (c *Client) do(ctx context.Context, req *http.Request, size int64) (*http.Response, error) {
	if c.User != "" || c.Password != "" {
		req.SetBasicAuth(c.User, c.Password)
	}
	return dms.Send(ctx, c.lazy.Get(&c.HTTP, c.Timeout), req, c.Timeout, size, "cmis")
}

func (c *Client) getJSON(ctx context.Context, u string, v any) (int, error) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	resp, err := c.do(ctx, req, 0)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return resp.StatusCode, nil
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, c.classify("cmis GET", resp)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(v); err != nil {
		return resp.StatusCode, fmt.Errorf("cmis GET %s: bad JSON: %w", dms.StripPassword(u), err)
	}
	return resp.StatusCode, nil
}

// classify turns an error answer into an error; CMIS exceptions are named.
func (c *Client) classify(op string, resp *http.Response) error {
	return dms.CheckResponse(op, resp)
}

// repository reads (and caches) the repository info from the service URL.
func (c *Client) repository(ctx context.Context) (*RepositoryInfo, error) {
	c.mu.Lock()
	info := c.info
	c.mu.Unlock()
	if info != nil {
		return info, nil
	}
	var all map[string]RepositoryInfo
	if code, err := c.getJSON(ctx, c.URL, &all); err != nil {
		return nil, err
	} else if code == http.StatusNotFound {
		return nil, mailroom.Permanent(fmt.Errorf("cmis: %s: no browser binding here (404)", dms.StripPassword(c.URL)))
	}
	r, ok := all[c.Repository]
	if !ok {
		var ids []string
		for id := range all {
			ids = append(ids, id)
		}
		return nil, mailroom.Permanent(fmt.Errorf("cmis: repository %q not found (have %v)", c.Repository, ids))
	}
	if r.RootFolderURL == "" {
		r.RootFolderURL = strings.TrimRight(c.URL, "/") + "/" + url.PathEscape(c.Repository) + "/root"
	}
	if r.RepositoryURL == "" {
		r.RepositoryURL = strings.TrimRight(c.URL, "/") + "/" + url.PathEscape(c.Repository)
	}
	c.mu.Lock()
	c.info = &r
	c.mu.Unlock()
	return &r, nil
}

func escPath(p string) string {
	var out []string
	for _, s := range strings.Split(strings.Trim(p, "/"), "/") {
		if s != "" {
			out = append(out, url.PathEscape(s))
		}
	}
	return strings.Join(out, "/")
}

func (c *Client) objectURL(info *RepositoryInfo, p string) string {
	u := strings.TrimRight(info.RootFolderURL, "/")
	if e := escPath(p); e != "" {
		u += "/" + e
	}
	return u
}

// byPath returns the object at path p below the root, or nil.
func (c *Client) byPath(ctx context.Context, info *RepositoryInfo, p string, actions bool) (*Object, error) {
	q := "?cmisselector=object&succinct=true"
	if actions {
		q += "&includeAllowableActions=true"
	}
	var o Object
	code, err := c.getJSON(ctx, c.objectURL(info, p)+q, &o)
	if err != nil {
		return nil, err
	}
	if code == http.StatusNotFound {
		return nil, nil
	}
	return &o, nil
}

// ensureFolder creates the configured folder path if it is missing.
func (c *Client) ensureFolder(ctx context.Context, info *RepositoryInfo) error {
	c.mu.Lock()
	done := c.folders[c.Folder]
	c.mu.Unlock()
	if done {
		return nil
	}
	acc := ""
	for _, s := range strings.Split(strings.Trim(c.Folder, "/"), "/") {
		if s == "" {
			continue
		}
		parent := acc
		acc = path.Join(acc, s)
		o, err := c.byPath(ctx, info, acc, false)
		if err != nil {
			return err
		}
		if o != nil {
			continue
		}
		form := url.Values{"cmisaction": {"createFolder"}, "propertyId[0]": {"cmis:objectTypeId"}, "propertyValue[0]": {"cmis:folder"},
			"propertyId[1]": {"cmis:name"}, "propertyValue[1]": {s}, "succinct": {"true"}, "_charset_": {"UTF-8"}}
		req, _ := http.NewRequest(http.MethodPost, c.objectURL(info, parent), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
		resp, err := c.do(ctx, req, 0)
		if err != nil {
			return err
		}
		code := resp.StatusCode
		var ce cmisError
		if code != http.StatusCreated && code != http.StatusOK {
			if code == http.StatusConflict {
				json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&ce)
			} else {
				err = c.classify("cmis createFolder", resp)
			}
		}
		resp.Body.Close()
		if err != nil {
			return err
		}
		if code == http.StatusConflict && ce.Exception != "nameConstraintViolation" && ce.Exception != "contentAlreadyExists" {
			return mailroom.Permanent(fmt.Errorf("cmis createFolder %s: %s: %s", acc, ce.Exception, ce.Message))
		}
	}
	c.mu.Lock()
	if c.folders == nil {
		c.folders = map[string]bool{}
	}
	c.folders[c.Folder] = true
	c.mu.Unlock()
	return nil
}

// Export implements mailroom.Exporter; idempotent per doc.ID.
func (c *Client) Export(ctx context.Context, doc mailroom.ExportDoc) (mailroom.Receipt, error) {
	info, err := c.repository(ctx)
	if err != nil {
		return mailroom.Receipt{}, err
	}
	name := dms.ObjectName(doc.ID, doc.Filename)
	fi, err := os.Stat(doc.PDF)
	if err != nil {
		return mailroom.Receipt{}, mailroom.Permanent(err)
	}
	// The document is created last: if it is there, the delivery is complete.
	if o, err := c.byPath(ctx, info, path.Join(c.Folder, name), false); err != nil {
		return mailroom.Receipt{}, err
	} else if o != nil {
		return c.existing(info, o, fi.Size())
	}
	if err := c.ensureFolder(ctx, info); err != nil {
		return mailroom.Receipt{}, err
	}
	stem := strings.TrimSuffix(name, path.Ext(name))
	for _, n := range slices.Sorted(maps.Keys(doc.Files)) {
		en := stem + "." + dms.SafeName(n)
		if o, err := c.byPath(ctx, info, path.Join(c.Folder, en), false); err != nil {
			return mailroom.Receipt{}, err
		} else if o != nil {
			continue
		}
		props := [][2]string{{"cmis:objectTypeId", "cmis:document"}, {"cmis:name", en}}
		if _, err := c.create(ctx, info, en, doc.Files[n], props); err != nil {
			return mailroom.Receipt{}, err
		}
	}
	ot := c.ObjectType
	if ot == "" {
		ot = "cmis:document"
	}
	props := [][2]string{{"cmis:objectTypeId", ot}, {"cmis:name", name}}
	for _, k := range slices.Sorted(maps.Keys(c.Mapping)) {
		if v := doc.Metadata[k]; v != "" && c.Mapping[k] != "" {
			props = append(props, [2]string{c.Mapping[k], v})
		}
	}
	o, err := c.create(ctx, info, name, doc.PDF, props)
	if err != nil {
		return mailroom.Receipt{}, err
	}
	return c.existing(info, o, fi.Size())
}

func (c *Client) existing(info *RepositoryInfo, o *Object, size int64) (mailroom.Receipt, error) {
	if s := o.Size(); s >= 0 && s != size {
		return mailroom.Receipt{}, mailroom.Permanent(fmt.Errorf("cmis: %s exists with %d bytes, expected %d", o.ID(), s, size))
	}
	u := strings.TrimRight(info.RootFolderURL, "/") + "?objectId=" + url.QueryEscape(o.ID()) + "&cmisselector=content"
	return mailroom.Receipt{Target: c.Target, ObjectID: o.ID(), URL: dms.StripPassword(u), Time: time.Now().UTC()}, nil
}

// create posts createDocument as multipart/form-data, streaming the file.
// A nameConstraintViolation means an earlier attempt created it: the
// object is looked up and returned.
func (c *Client) create(ctx context.Context, info *RepositoryInfo, name, file string, props [][2]string) (*Object, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, mailroom.Permanent(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	fields := [][2]string{{"cmisaction", "createDocument"}}
	for i, p := range props {
		fields = append(fields, [2]string{"propertyId[" + strconv.Itoa(i) + "]", p[0]}, [2]string{"propertyValue[" + strconv.Itoa(i) + "]", p[1]})
	}
	fields = append(fields, [2]string{"succinct", "true"}, [2]string{"_charset_", "UTF-8"})
	pr, ctype := dms.MultipartStream(fields, "content", name, f)
	req, _ := http.NewRequest(http.MethodPost, c.objectURL(info, c.Folder), pr)
	req.Header.Set("Content-Type", ctype)
	resp, err := c.do(ctx, req, fi.Size())
	if err != nil {
		pr.CloseWithError(err)
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusCreated, http.StatusOK:
		var o Object
		if err := json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(&o); err != nil || o.ID() == "" {
			return nil, fmt.Errorf("cmis createDocument %s: answer without object id: %v", name, err)
		}
		return &o, nil
	case http.StatusConflict:
		var ce cmisError
		json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&ce)
		if ce.Exception == "nameConstraintViolation" || ce.Exception == "contentAlreadyExists" {
			o, err := c.byPath(ctx, info, path.Join(c.Folder, name), false)
			if err != nil {
				return nil, err
			}
			if o != nil {
				return o, nil
			}
		}
		return nil, mailroom.Permanent(fmt.Errorf("DMS hat das Dokument abgelehnt / DMS rejected the document: cmis %s: %s", ce.Exception, ce.Message))
	}
	return nil, c.classify("cmis createDocument", resp)
}

// Check implements dms.Checker: the repository answers, the login is
// accepted, and the folder allows canCreateDocument.
func (c *Client) Check(ctx context.Context) (string, error) {
	info, err := c.repository(ctx)
	if err != nil {
		return "", err
	}
	if err := c.ensureFolder(ctx, info); err != nil {
		return "", err
	}
	o, err := c.byPath(ctx, info, c.Folder, true)
	if err != nil {
		return "", err
	}
	if o == nil {
		return "", fmt.Errorf("folder %s not found", c.Folder)
	}
	if o.AllowableActions != nil && !o.AllowableActions["canCreateDocument"] {
		return "", fmt.Errorf("reachable and logged in, but the folder %s does not allow creating documents", c.Folder)
	}
	return fmt.Sprintf("repository %s (CMIS %s) reachable, authenticated, folder %s writable", info.RepositoryName, info.CMISVersion, c.Folder), nil
}
