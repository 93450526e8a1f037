package paperless

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
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/dms"
)

// Client delivers to one Paperless-ngx instance.
type Client struct {
	Target  string
	URL     string // base URL, e.g. https://paperless.example
	Token   string
	Mapping map[string]string // field → title, created, correspondent, document_type, tag, archive_serial_number, custom_field:<name>
	Timeout time.Duration
	HTTP    *http.Client
	// Poll is the interval for following a consumption task (default 500ms);
	// Wait how long one Export waits for it (default Timeout).
	Poll, Wait time.Duration

	lazy dms.LazyClient
	mu   sync.Mutex
	ids  map[string]int // "tags/Name" → id
}

var (
	_ mailroom.Exporter = (*Client)(nil)
	_ dms.Checker       = (*Client)(nil)
)

// Task is a Paperless-ngx task as /api/tasks/ returns it.
type Task struct {
	ID              int     `json:"id"`
	TaskID          string  `json:"task_id"`
	TaskFileName    string  `json:"task_file_name"`
	Status          string  `json:"status"` // PENDING, STARTED, SUCCESS, FAILURE
	Result          *string `json:"result"`
	RelatedDocument *string `json:"related_document"`
}

// Name implements mailroom.Exporter.
func (c *Client) Name() string { return c.Target }

func (c *Client) base() string { return strings.TrimRight(c.URL, "/") }

func (c *Client) do(ctx context.Context, method, path string, body io.Reader, ctype string, size int64, out any, ok ...int) error {
	req, err := http.NewRequest(method, c.base()+path, body)
	if err != nil {
		return mailroom.Permanent(err)
	}
	req.Header.Set("Authorization", "Token "+c.Token)
	req.Header.Set("Accept", "application/json; version=5")
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := dms.Send(ctx, c.lazy.Get(&c.HTTP, c.Timeout), req, c.Timeout, size, "paperless")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	good := resp.StatusCode == http.StatusOK
	for _, k := range ok {
		good = good || resp.StatusCode == k
	}
	if !good {
		return dms.CheckResponse("paperless "+method+" "+path, resp)
	}
	if out == nil {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(out); err != nil {
		return fmt.Errorf("paperless %s %s: bad JSON: %w", method, path, err)
	}
	return nil
}

type page struct {
	Count   int `json:"count"`
	Results []struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	} `json:"results"`
}

// byChecksum returns the id of the document with this MD5, or 0.
func (c *Client) byChecksum(ctx context.Context, md5 string) (int, error) {
	var p page
	if err := c.do(ctx, http.MethodGet, "/api/documents/?checksum__iexact="+url.QueryEscape(md5)+"&fields=id", nil, "", 0, &p); err != nil {
		return 0, err
	}
	if len(p.Results) == 0 {
		return 0, nil
	}
	return p.Results[0].ID, nil
}

func (c *Client) receipt(id int) mailroom.Receipt {
	return mailroom.Receipt{Target: c.Target, ObjectID: strconv.Itoa(id),
		URL: dms.StripPassword(c.base() + "/documents/" + strconv.Itoa(id) + "/details"), Time: time.Now().UTC()}
}

// Export implements mailroom.Exporter; idempotent per document content.
func (c *Client) Export(ctx context.Context, doc mailroom.ExportDoc) (mailroom.Receipt, error) {
	_, md5, size, err := dms.Sums(doc.PDF)
	if err != nil {
		return mailroom.Receipt{}, mailroom.Permanent(err)
	}
	if id, err := c.byChecksum(ctx, md5); err != nil {
		return mailroom.Receipt{}, err
	} else if id > 0 {
		return c.receipt(id), nil
	}
	upload := dms.ObjectName(doc.ID, doc.Filename)
	// A consumption of this upload still under way (an earlier attempt
	// crashed after posting)? Follow it instead of posting again.
	var tasks []Task
	if err := c.do(ctx, http.MethodGet, "/api/tasks/", nil, "", 0, &tasks); err != nil {
		return mailroom.Receipt{}, err
	}
	for _, t := range tasks {
		if t.TaskFileName == upload && (t.Status == "PENDING" || t.Status == "STARTED" || t.Status == "SUCCESS") {
			return c.follow(ctx, t.TaskID, md5)
		}
	}
	fields, err := c.fields(ctx, doc)
	if err != nil {
		return mailroom.Receipt{}, err
	}
	taskID, err := c.post(ctx, doc.PDF, upload, size, fields)
	if err != nil {
		return mailroom.Receipt{}, err
	}
	return c.follow(ctx, taskID, md5)
}

// follow polls a consumption task until it ends.
func (c *Client) follow(ctx context.Context, taskID, md5 string) (mailroom.Receipt, error) {
	poll, wait := c.Poll, c.Wait
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	if wait <= 0 {
		wait = c.Timeout
		if wait <= 0 {
			wait = 2 * time.Minute
		}
	}
	deadline := time.Now().Add(wait)
	for {
		var ts []Task
		if err := c.do(ctx, http.MethodGet, "/api/tasks/?task_id="+url.QueryEscape(taskID), nil, "", 0, &ts); err != nil {
			return mailroom.Receipt{}, err
		}
		if len(ts) > 0 {
			t := ts[0]
			res := ""
			if t.Result != nil {
				res = *t.Result
			}
			switch t.Status {
			case "SUCCESS":
				if t.RelatedDocument != nil {
					if id, err := strconv.Atoi(*t.RelatedDocument); err == nil && id > 0 {
						return c.receipt(id), nil
					}
				}
				if id, err := c.byChecksum(ctx, md5); err != nil || id > 0 {
					return c.receipt(id), err
				}
				return mailroom.Receipt{}, fmt.Errorf("paperless task %s succeeded but names no document: %s", taskID, res)
			case "FAILURE":
				if strings.Contains(strings.ToLower(res), "duplicate") {
					if id, err := c.byChecksum(ctx, md5); err != nil || id > 0 {
						return c.receipt(id), err
					}
				}
				return mailroom.Receipt{}, mailroom.Permanent(fmt.Errorf("Paperless-ngx hat das Dokument abgelehnt / consumption failed: %s", res))
			}
		}
		if time.Now().After(deadline) {
			return mailroom.Receipt{}, fmt.Errorf("paperless task %s still running after %s", taskID, wait)
		}
		select {
		case <-ctx.Done():
			return mailroom.Receipt{}, ctx.Err()
		case <-time.After(poll):
		}
	}
}

// fields maps metadata to post_document form fields.
func (c *Client) fields(ctx context.Context, doc mailroom.ExportDoc) ([][2]string, error) {
	title := doc.Metadata["title"]
	var out [][2]string
	custom := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(c.Mapping)) {
		v, to := doc.Metadata[k], c.Mapping[k]
		if v == "" {
			continue
		}
		switch {
		case to == "title":
			title = v
		case to == "created" || to == "archive_serial_number":
			out = append(out, [2]string{to, v})
		case to == "tag" || to == "tags":
			id, err := c.resolve(ctx, "tags", v, true)
			if err != nil {
				return nil, err
			}
			out = append(out, [2]string{"tags", strconv.Itoa(id)})
		case to == "correspondent" || to == "document_type":
			id, err := c.resolve(ctx, to+"s", v, true)
			if err != nil {
				return nil, err
			}
			out = append(out, [2]string{to, strconv.Itoa(id)})
		case strings.HasPrefix(to, "custom_field:"):
			id, err := c.resolve(ctx, "custom_fields", strings.TrimPrefix(to, "custom_field:"), false)
			if err != nil {
				return nil, err
			}
			custom[strconv.Itoa(id)] = v
		default:
			return nil, mailroom.Permanent(fmt.Errorf("paperless: mapping %s = %q: unknown field (title, created, correspondent, document_type, tag, archive_serial_number, custom_field:<name>)", k, to))
		}
	}
	if title == "" {
		title = strings.TrimSuffix(doc.Filename, ".pdf")
	}
	out = append([][2]string{{"title", title}}, out...)
	if len(custom) > 0 {
		b, _ := json.Marshal(custom)
		out = append(out, [2]string{"custom_fields", string(b)})
	}
	return out, nil
}

// resolve finds the id of a tag, correspondent, document type or custom
// field by name, creating the first three when missing.
func (c *Client) resolve(ctx context.Context, kind, name string, create bool) (int, error) {
	key := kind + "/" + strings.ToLower(name)
	c.mu.Lock()
	id, ok := c.ids[key]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	var p page
	if err := c.do(ctx, http.MethodGet, "/api/"+kind+"/?name__iexact="+url.QueryEscape(name), nil, "", 0, &p); err != nil {
		return 0, err
	}
	if len(p.Results) > 0 {
		id = p.Results[0].ID
	} else if !create {
		return 0, mailroom.Permanent(fmt.Errorf("paperless: %s %q does not exist; an administrator must create it", kind, name))
	} else {
		var made struct {
			ID int `json:"id"`
		}
		body, _ := json.Marshal(map[string]any{"name": name})
		if err := c.do(ctx, http.MethodPost, "/api/"+kind+"/", bytes.NewReader(body), "application/json", int64(len(body)), &made, http.StatusCreated); err != nil {
			return 0, err
		}
		id = made.ID
	}
	c.mu.Lock()
	if c.ids == nil {
		c.ids = map[string]int{}
	}
	c.ids[key] = id
	c.mu.Unlock()
	return id, nil
}

// post uploads the document (streamed) and returns the task UUID.
func (c *Client) post(ctx context.Context, file, name string, size int64, fields [][2]string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", mailroom.Permanent(err)
	}
	defer f.Close()
	pr, ctype := dms.MultipartStream(fields, "document", name, f)
	var task string
	if err := c.do(ctx, http.MethodPost, "/api/documents/post_document/", pr, ctype, size, &task); err != nil {
		pr.CloseWithError(err)
		return "", err
	}
	if task == "" {
		return "", fmt.Errorf("paperless post_document: no task id in the answer")
	}
	return task, nil
}

// Check implements dms.Checker: the API answers, the token is accepted and
// the user may add documents.
func (c *Client) Check(ctx context.Context) (string, error) {
	var s struct {
		User struct {
			Username string `json:"username"`
		} `json:"user"`
		Permissions []string `json:"permissions"`
	}
	if err := c.do(ctx, http.MethodGet, "/api/ui_settings/", nil, "", 0, &s); err != nil {
		return "", err
	}
	for _, p := range s.Permissions {
		if p == "add_document" {
			return fmt.Sprintf("%s reachable, logged in as %s, may add documents", c.base(), s.User.Username), nil
		}
	}
	return "", fmt.Errorf("reachable and logged in as %s, but without permission add_document", s.User.Username)
}
