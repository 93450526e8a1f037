package pages

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"poststelle/mailroom"
)

// MuPDF in a child process. The program re-executes itself with
// childEnv set; the init function in mupdf_serve.go turns that process into
// a MuPDF server before main runs. The child opens one document and answers
// requests on stdin/stdout (a JSON header line, then for a rendered page its
// RGBA pixels). It sets its own memory limit (Options.RenderMemory, Linux:
// RLIMIT_DATA), so a page that needs more fails in the child, not in the
// engine; and a call past its deadline is ended by killing the child, so
// nothing keeps running after it. A crash of MuPDF on a damaged file ends
// the child, never the engine.

const (
	childEnv    = "POSTSTELLE_MUPDF_CHILD"
	childMemEnv = "POSTSTELLE_MUPDF_MEMORY"
)

// errNoChild: no child process could be started (the caller falls back to
// MuPDF in this process).
var errNoChild = errors.New("mupdf child process not available")

type childReq struct {
	Op   string  `json:"op"` // open, bound, render, text
	Path string  `json:"path,omitempty"`
	Page int     `json:"page"`
	DPI  float64 `json:"dpi,omitempty"`
}

type childResp struct {
	Err  string `json:"err,omitempty"`
	Code string `json:"code,omitempty"` // password, nofile, open, memory
	N    int    `json:"n,omitempty"`
	X0   int    `json:"x0"`
	Y0   int    `json:"y0"`
	X1   int    `json:"x1"`
	Y1   int    `json:"y1"`
	Text string `json:"text,omitempty"`
	Pix  int    `json:"pix,omitempty"` // bytes of RGBA pixels that follow
}

type childDoc struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     *bufio.Reader
	stderr  *tail
	n       int
	timeout time.Duration
	memory  int64
	dead    error
	waited  chan struct{}
}

func openChild(ctx context.Context, path string, opt Options) (mupdfDoc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, errNoChild
	}
	c := &childDoc{timeout: opt.pageTimeout(), memory: opt.renderMemory(), stderr: &tail{max: 4096}, waited: make(chan struct{})}
	c.cmd = exec.Command(exe)
	c.cmd.Env = append(os.Environ(), childEnv+"=1", fmt.Sprintf("%s=%d", childMemEnv, c.memory))
	c.cmd.Stderr = c.stderr
	childAttrs(c.cmd)
	if c.in, err = c.cmd.StdinPipe(); err != nil {
		return nil, errNoChild
	}
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, errNoChild
	}
	c.out = bufio.NewReaderSize(out, 1<<20)
	if err := c.cmd.Start(); err != nil {
		return nil, errNoChild
	}
	go func() { c.cmd.Wait(); close(c.waited) }()
	r, _, err := c.call(ctx, childReq{Op: "open", Path: path}, "Öffnen", "opening", false)
	if err != nil {
		c.Close()
		return nil, err
	}
	c.n = r.N
	return c, nil
}

func (c *childDoc) Pages() int { return c.n }

func (c *childDoc) Bound(ctx context.Context, i int) (image.Rectangle, error) {
	r, _, err := c.page(ctx, childReq{Op: "bound", Page: i}, false)
	return image.Rect(r.X0, r.Y0, r.X1, r.Y1), err
}

func (c *childDoc) Render(ctx context.Context, i int, dpi float64) (*image.RGBA, error) {
	r, pix, err := c.page(ctx, childReq{Op: "render", Page: i, DPI: dpi}, true)
	if err != nil {
		return nil, err
	}
	img := &image.RGBA{Pix: pix, Stride: 4 * (r.X1 - r.X0), Rect: image.Rect(r.X0, r.Y0, r.X1, r.Y1)}
	if len(pix) != 4*img.Rect.Dx()*img.Rect.Dy() {
		return nil, fmt.Errorf("mupdf child: %d bytes for a %v page", len(pix), img.Rect)
	}
	return img, nil
}

func (c *childDoc) Text(ctx context.Context, i int) (string, error) {
	r, _, err := c.page(ctx, childReq{Op: "text", Page: i}, false)
	return r.Text, err
}

func (c *childDoc) page(ctx context.Context, req childReq, pixels bool) (childResp, []byte, error) {
	return c.call(ctx, req, fmt.Sprintf("Seite %d", req.Page+1), fmt.Sprintf("page %d", req.Page+1), pixels)
}

// call sends one request and waits for its answer at most the page timeout;
// past it (or when ctx ends) the child is killed and the document is dead.
func (c *childDoc) call(ctx context.Context, req childReq, de, en string, pixels bool) (childResp, []byte, error) {
	if c.dead != nil {
		return childResp{}, nil, c.dead
	}
	type result struct {
		r   childResp
		pix []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		r, pix, err := c.exchange(req, pixels)
		ch <- result{r, pix, err}
	}()
	t := time.NewTimer(c.timeout)
	defer t.Stop()
	select {
	case res := <-ch:
		if res.err != nil {
			c.kill()
			c.dead = c.crashed(de, en, res.err)
			return childResp{}, nil, c.dead
		}
		return res.r, res.pix, c.respErr(res.r, de, en)
	case <-ctx.Done():
		c.kill()
		c.dead = ctx.Err()
	case <-t.C:
		c.kill()
		c.dead = mailroom.ErrTooSlow(de, en, c.timeout)
	}
	return childResp{}, nil, c.dead
}

// exchange writes the request and reads the answer (and pixels).
func (c *childDoc) exchange(req childReq, pixels bool) (childResp, []byte, error) {
	b, _ := json.Marshal(req)
	if _, err := c.in.Write(append(b, '\n')); err != nil {
		return childResp{}, nil, err
	}
	line, err := c.out.ReadBytes('\n')
	if err != nil {
		return childResp{}, nil, err
	}
	var r childResp
	if err := json.Unmarshal(line, &r); err != nil {
		return r, nil, fmt.Errorf("mupdf child: bad answer %q", line)
	}
	if r.Pix <= 0 || !pixels {
		return r, nil, nil
	}
	pix := make([]byte, r.Pix)
	_, err = io.ReadFull(c.out, pix)
	return r, pix, err
}

// respErr turns an error the child reported into the page sets' errors.
func (c *childDoc) respErr(r childResp, de, en string) error {
	switch {
	case r.Err == "":
		return nil
	case r.Code == "password":
		return errNeedsPassword
	case r.Code == "nofile":
		return errNoSuchFile
	case r.Code == "memory":
		return errRenderMemory(de, en, c.memory, errors.New(r.Err))
	}
	return errors.New(r.Err)
}

// crashed is the error for a child that ended or answered nonsense: it ran
// out of memory (the Go runtime or MuPDF gave up), or MuPDF crashed.
func (c *childDoc) crashed(de, en string, err error) error {
	<-c.waited
	msg := strings.TrimSpace(c.stderr.String())
	if strings.Contains(msg, "out of memory") || strings.Contains(msg, "cannot allocate memory") ||
		(strings.Contains(msg, "malloc") && strings.Contains(msg, "failed")) {
		return errRenderMemory(de, en, c.memory, err)
	}
	if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
		msg = msg[i+1:]
	}
	return mailroom.BadInput(fmt.Sprintf("%s konnte nicht dargestellt werden (MuPDF abgebrochen)", de),
		fmt.Sprintf("%s could not be rendered (MuPDF ended: %s)", en, c.cmd.ProcessState), fmt.Errorf("%v; %s", err, msg))
}

func errRenderMemory(de, en string, limit int64, err error) error {
	return mailroom.BadInput(
		fmt.Sprintf("%s braucht zum Darstellen mehr als %d MiB Speicher – möglicherweise eine Dekompressionsbombe", de, limit>>20),
		fmt.Sprintf("%s needs more than %d MiB of memory to render – possibly a decompression bomb", en, limit>>20), err)
}

func (c *childDoc) kill() {
	if c.cmd.Process != nil {
		c.cmd.Process.Kill()
	}
}

// Close ends the child: end of input makes it exit; it is killed if it
// does not within a second.
func (c *childDoc) Close() {
	c.in.Close()
	select {
	case <-c.waited:
	case <-time.After(time.Second):
		c.kill()
		<-c.waited
	}
	if c.dead == nil {
		c.dead = errClosed
	}
}

// tail keeps the last max bytes written to it (the child's stderr).
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append([]byte(nil), t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
