package webdav

import (
	"bytes"
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
	"strings"
	"sync"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/dms"
)

// Client delivers to one WebDAV collection.
type Client struct {
	Target   string
	URL      string // collection URL, e.g. https://dav.example/remote.php/dav/files/poststelle
	Folder   string // path below URL ("" = URL itself)
	User     string
	Password string
	Mapping  map[string]string
	Timeout  time.Duration
	HTTP     *http.Client // default dms.HTTPClient(Timeout, false)

	lazy dms.LazyClient
	made sync.Map // collections known to exist
}

var (
	_ mailroom.Exporter = (*Client)(nil)
	_ dms.Checker       = (*Client)(nil)
)

// Name implements mailroom.Exporter.
func (c *Client) Name() string { return c.Target }

// url joins the collection URL with escaped path segments.
func (c *Client) url(segs ...string) string {
	u := strings.TrimRight(c.URL, "/")
	for _, s := range strings.Split(strings.Trim(c.Folder, "/"), "/") {
		if s != "" {
			u += "/" + url.PathEscape(s)
		}
	}
	for _, s := range segs {
		u += "/" + url.PathEscape(s)
	}
	return u
}

func (c *Client) do(ctx context.Context, method, u string, body io.Reader, size int64, hdr map[string]string) (*http.Response, error) {
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		return nil, mailroom.Permanent(err)
	}
	if body != nil {
		req.ContentLength = size
	}
	if c.User != "" || c.Password != "" {
		req.SetBasicAuth(c.User, c.Password)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return dms.Send(ctx, c.lazy.Get(&c.HTTP, c.Timeout), req, c.Timeout, size, "webdav")
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
}

// Export implements mailroom.Exporter; idempotent per doc.ID.
func (c *Client) Export(ctx context.Context, doc mailroom.ExportDoc) (mailroom.Receipt, error) {
	name := dms.SafeName(doc.Filename)
	if name == "" {
		name = doc.ID + ".pdf"
	}
	// 1. Finished before? index.json is written last.
	if rc, ok, err := c.finished(ctx, doc); ok || err != nil {
		return rc, err
	}
	// 2. Collections.
	if err := c.mkcolAll(ctx); err != nil {
		return mailroom.Receipt{}, err
	}
	if err := c.mkcol(ctx, c.url(doc.ID)+"/"); err != nil {
		return mailroom.Receipt{}, err
	}
	// 3. The document, unless a previous attempt uploaded it completely.
	fi, err := os.Stat(doc.PDF)
	if err != nil {
		return mailroom.Receipt{}, mailroom.Permanent(err)
	}
	if have, err := c.size(ctx, c.url(doc.ID, name)); err != nil {
		return mailroom.Receipt{}, err
	} else if have != fi.Size() {
		if err := c.putFile(ctx, c.url(doc.ID, name), doc.PDF, "application/pdf"); err != nil {
			return mailroom.Receipt{}, err
		}
	}
	files := []string{name}
	for _, n := range slices.Sorted(maps.Keys(doc.Files)) {
		fn, err := dms.ExtraName("webdav", n, name)
		if err != nil {
			return mailroom.Receipt{}, err
		}
		if err := c.putFile(ctx, c.url(doc.ID, fn), doc.Files[n], ""); err != nil {
			return mailroom.Receipt{}, err
		}
		files = append(files, fn)
	}
	sc := dms.NewSidecar(doc, name, fi.Size(), files, c.Mapping)
	xb, jb, err := sc.Encode()
	if err != nil {
		return mailroom.Receipt{}, err
	}
	if err := c.put(ctx, c.url(doc.ID, dms.SidecarXML), bytes.NewReader(xb), int64(len(xb)), "application/xml"); err != nil {
		return mailroom.Receipt{}, err
	}
	if err := c.put(ctx, c.url(doc.ID, dms.SidecarJSON), bytes.NewReader(jb), int64(len(jb)), "application/json"); err != nil {
		return mailroom.Receipt{}, err
	}
	return c.receipt(doc.ID, name), nil
}

func (c *Client) receipt(id, name string) mailroom.Receipt {
	return mailroom.Receipt{Target: c.Target, ObjectID: path.Join(strings.Trim(c.Folder, "/"), id, name),
		URL: dms.StripPassword(c.url(id, name)), Time: time.Now().UTC()}
}

// finished reads index.json of doc's collection, if there.
func (c *Client) finished(ctx context.Context, doc mailroom.ExportDoc) (mailroom.Receipt, bool, error) {
	resp, err := c.do(ctx, http.MethodGet, c.url(doc.ID, "index.json"), nil, 0, nil)
	if err != nil {
		return mailroom.Receipt{}, false, err
	}
	defer drain(resp)
	switch resp.StatusCode {
	case http.StatusNotFound:
		return mailroom.Receipt{}, false, nil
	case http.StatusOK:
	default:
		return mailroom.Receipt{}, false, dms.CheckResponse("webdav GET index.json", resp)
	}
	var sc dms.Sidecar
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&sc); err != nil {
		return mailroom.Receipt{}, false, fmt.Errorf("webdav: index.json of %s: %w", doc.ID, err)
	}
	if doc.SHA256 != "" && sc.SHA256 != doc.SHA256 {
		return mailroom.Receipt{}, false, mailroom.Permanent(fmt.Errorf("webdav: %s holds other content (sha256 %s, expected %s)", doc.ID, sc.SHA256, doc.SHA256))
	}
	return c.receipt(doc.ID, sc.Filename), true, nil
}

// size returns the Content-Length of u, or -1 if it does not exist.
func (c *Client) size(ctx context.Context, u string) (int64, error) {
	resp, err := c.do(ctx, http.MethodHead, u, nil, 0, nil)
	if err != nil {
		return 0, err
	}
	defer drain(resp)
	switch resp.StatusCode {
	case http.StatusOK:
		return resp.ContentLength, nil
	case http.StatusNotFound:
		return -1, nil
	}
	return 0, dms.CheckResponse("webdav HEAD", resp)
}

func (c *Client) mkcolAll(ctx context.Context) error {
	acc := ""
	for _, s := range strings.Split(strings.Trim(c.Folder, "/"), "/") {
		if s == "" {
			continue
		}
		acc += "/" + url.PathEscape(s)
		u := strings.TrimRight(c.URL, "/") + acc + "/"
		if _, ok := c.made.Load(u); ok {
			continue
		}
		if err := c.mkcol(ctx, u); err != nil {
			return err
		}
		c.made.Store(u, true)
	}
	return nil
}

func (c *Client) mkcol(ctx context.Context, u string) error {
	resp, err := c.do(ctx, "MKCOL", u, nil, 0, nil)
	if err != nil {
		return err
	}
	defer drain(resp)
	switch resp.StatusCode {
	case http.StatusCreated, http.StatusOK, http.StatusNoContent, http.StatusMethodNotAllowed: // 405: exists
		return nil
	}
	return dms.CheckResponse("webdav MKCOL", resp)
}

func (c *Client) putFile(ctx context.Context, u, file, ctype string) error {
	f, err := os.Open(file)
	if err != nil {
		return mailroom.Permanent(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return c.put(ctx, u, f, fi.Size(), ctype)
}

func (c *Client) put(ctx context.Context, u string, body io.Reader, size int64, ctype string) error {
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	resp, err := c.do(ctx, http.MethodPut, u, io.NopCloser(body), size, map[string]string{"Content-Type": ctype})
	if err != nil {
		return err
	}
	defer drain(resp)
	switch resp.StatusCode {
	case http.StatusCreated, http.StatusOK, http.StatusNoContent:
		return nil
	}
	return dms.CheckResponse("webdav PUT", resp)
}

// Check implements dms.Checker: PROPFIND on the collection (reachable,
// authenticated), then MKCOL of the folder, PUT and DELETE of a probe file
// (can write).
func (c *Client) Check(ctx context.Context) (string, error) {
	resp, err := c.do(ctx, "PROPFIND", strings.TrimRight(c.URL, "/")+"/", strings.NewReader(`<?xml version="1.0"?><propfind xmlns="DAV:"><prop><resourcetype/></prop></propfind>`),
		-1, map[string]string{"Depth": "0", "Content-Type": "application/xml"})
	if err != nil {
		return "", err
	}
	drain(resp)
	if resp.StatusCode != http.StatusMultiStatus {
		return "", dms.CheckResponse("webdav PROPFIND", resp)
	}
	if err := c.mkcolAll(ctx); err != nil {
		return "", err
	}
	probe := c.url(fmt.Sprintf(".poststelle-doctor-%d", time.Now().UnixNano()))
	if err := c.put(ctx, probe, strings.NewReader("probe"), 5, "text/plain"); err != nil {
		return "", fmt.Errorf("reachable and logged in, but cannot write: %w", err)
	}
	if resp, err := c.do(ctx, http.MethodDelete, probe, nil, 0, nil); err == nil {
		drain(resp)
	}
	return "reachable, authenticated, writable: " + dms.StripPassword(c.url()), nil
}
