package pages

import (
	"context"
	"errors"
	"fmt"
	"image"
	"time"

	fitz "github.com/gen2brain/go-fitz"

	"poststelle/mailroom"
)

// mupdfDoc is what the page sets need of MuPDF: an open document (PDF, or a
// TIFF MuPDF reads where x/image/tiff cannot). Every call is bounded by the
// page timeout; after a timeout the document is dead and every further call
// returns the same error. Not safe for concurrent use.
type mupdfDoc interface {
	Pages() int
	Bound(ctx context.Context, i int) (image.Rectangle, error)
	Render(ctx context.Context, i int, dpi float64) (*image.RGBA, error)
	Text(ctx context.Context, i int) (string, error)
	Close()
}

// Errors of openMuPDF that are not a timeout.
var (
	errNeedsPassword = errors.New("needs a password")
	errNoSuchFile    = errors.New("no such file")
)

// openMuPDF opens path with MuPDF: in a child process (mupdf_child.go) that
// is killed at the deadline and runs under a memory limit, or, with
// Options.InProcess (or if no child can be started), in this process,
// where a stuck call can only be abandoned.
func openMuPDF(ctx context.Context, path string, opt Options) (mupdfDoc, error) {
	if !opt.InProcess {
		d, err := openChild(ctx, path, opt)
		if !errors.Is(err, errNoChild) {
			return d, err
		}
	}
	return openInProcess(ctx, path, opt)
}

// inProcess is MuPDF linked into this process (go-fitz).
type inProcess struct {
	doc     *fitz.Document
	n       int
	timeout time.Duration
	dead    error // set when a call was abandoned: the document may still be in use in C
}

func openInProcess(ctx context.Context, path string, opt Options) (mupdfDoc, error) {
	d := &inProcess{timeout: opt.pageTimeout()}
	type opened struct {
		doc *fitz.Document
		n   int
	}
	o, abandoned, err := withTimeout(ctx, d.timeout, "Öffnen", "opening", func() (opened, error) {
		doc, err := fitz.New(path)
		if err != nil {
			if doc != nil {
				doc.Close()
			}
			return opened{}, err
		}
		return opened{doc, doc.NumPage()}, nil
	})
	switch {
	case abandoned:
		return nil, err
	case errors.Is(err, fitz.ErrNeedsPassword):
		return nil, errNeedsPassword
	case errors.Is(err, fitz.ErrNoSuchFile):
		return nil, errNoSuchFile
	case err != nil:
		return nil, err
	}
	d.doc, d.n = o.doc, o.n
	return d, nil
}

func (d *inProcess) Pages() int { return d.n }

func (d *inProcess) Bound(ctx context.Context, i int) (image.Rectangle, error) {
	return inCall(d, ctx, i, func() (image.Rectangle, error) { return d.doc.Bound(i) })
}

func (d *inProcess) Render(ctx context.Context, i int, dpi float64) (*image.RGBA, error) {
	return inCall(d, ctx, i, func() (*image.RGBA, error) { return d.doc.ImageDPI(i, dpi) })
}

func (d *inProcess) Text(ctx context.Context, i int) (string, error) {
	return inCall(d, ctx, i, func() (string, error) { return d.doc.Text(i) })
}

// inCall runs one call on the document with the page timeout.
func inCall[T any](d *inProcess, ctx context.Context, i int, f func() (T, error)) (T, error) {
	var zero T
	if d.dead != nil {
		return zero, d.dead
	}
	v, abandoned, err := withTimeout(ctx, d.timeout, fmt.Sprintf("Seite %d", i+1), fmt.Sprintf("page %d", i+1), f)
	if abandoned {
		d.dead = err
	}
	return v, err
}

func (d *inProcess) Close() {
	if d.doc != nil && d.dead == nil {
		d.doc.Close()
	}
	d.doc = nil
}

// withTimeout runs f in its own goroutine and gives up after d or when ctx
// ends. A decoder stuck in C code cannot be stopped: its goroutine is left
// behind (counted in mailroom.StuckCalls until it ends) and the caller must
// not reuse the decoder (abandoned is set). de/en name what is decoded.
func withTimeout[T any](ctx context.Context, d time.Duration, de, en string, f func() (T, error)) (T, bool, error) {
	type res struct {
		v   T
		err error
	}
	ch := make(chan res, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				var zero T
				ch <- res{zero, mailroom.BadInput("Seite konnte nicht dekodiert werden (interner Fehler)",
					"page could not be decoded (decoder panic)", fmt.Errorf("%v", p))}
			}
		}()
		v, err := f()
		ch <- res{v, err}
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	var zero T
	select {
	case r := <-ch:
		return r.v, false, r.err
	case <-ctx.Done():
		abandon(ch)
		return zero, true, ctx.Err()
	case <-t.C:
		abandon(ch)
		return zero, true, mailroom.ErrTooSlow(de, en, d)
	}
}

// abandon counts the call as stuck until its result arrives.
func abandon[T any](ch <-chan T) {
	ended := mailroom.Abandoned()
	go func() { <-ch; ended() }()
}
