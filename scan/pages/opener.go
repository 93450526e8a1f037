package pages

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"runtime/debug"
	"time"

	"poststelle/mailroom"
)

// Options configure input decoding.
type Options struct {
	// DPI is the rendering resolution for PDF pages when the caller asks for
	// dpi 0. 0 means 300.
	DPI int
	// MaxPixels refuses pages with more pixels (decompression bombs). 0
	// means 200 megapixels.
	MaxPixels int64
	// PageTimeout bounds the decoding of one page. 0 means 60 s.
	PageTimeout time.Duration
}

func (o Options) dpi() float64 {
	if o.DPI > 0 {
		return float64(o.DPI)
	}
	return 300
}

func (o Options) maxPixels() int64 {
	if o.MaxPixels > 0 {
		return o.MaxPixels
	}
	return 200_000_000
}

func (o Options) pageTimeout() time.Duration {
	if o.PageTimeout > 0 {
		return o.PageTimeout
	}
	return 60 * time.Second
}

// Opener opens stored originals (PDF, TIFF incl. multi-page and CCITT, JPEG,
// PNG) for page access. It is safe for concurrent use; the PageSets it
// returns are not.
type Opener struct {
	opt Options
}

var _ mailroom.PageOpener = (*Opener)(nil)

// NewOpener returns an Opener with the given options.
func NewOpener(opt Options) *Opener { return &Opener{opt: opt} }

// Open opens path as mediaType. An empty mediaType is sniffed from the
// content. Bad input is returned as a mailroom.InputError.
func (o *Opener) Open(ctx context.Context, path, mediaType string) (ps mailroom.PageSet, err error) {
	defer func() {
		if p := recover(); p != nil {
			ps = nil
			err = mailroom.BadInput("Datei konnte nicht gelesen werden (interner Fehler beim Dekodieren)",
				"file could not be decoded (decoder panic)", fmt.Errorf("%v\n%s", p, debug.Stack()))
		}
	}()
	if mediaType == "" {
		mediaType, err = SniffFile(path)
		if err != nil {
			return nil, err
		}
	}
	switch mediaType {
	case mailroom.MediaPDF:
		return openPDF(ctx, path, o.opt)
	case mailroom.MediaTIFF:
		return openTIFF(path, o.opt)
	case mailroom.MediaJPEG, mailroom.MediaPNG:
		return openImage(path, mediaType, o.opt)
	}
	return nil, mailroom.BadInput("Dateiformat wird nicht unterstützt (erlaubt: PDF, TIFF, JPEG, PNG)",
		"unsupported file format (accepted: PDF, TIFF, JPEG, PNG)", fmt.Errorf("media type %q", mediaType))
}

// SniffFile returns the media type of the file at path from its first
// bytes (and name).
func SniffFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 1024)
	n, _ := f.Read(head)
	return mailroom.SniffMediaType(head[:n], path), nil
}

// errBomb reports a page over the pixel limit.
func errBomb(w, h int64, limit int64) error {
	return mailroom.BadInput(
		fmt.Sprintf("Seite ist zu groß (%d×%d Pixel, höchstens %d Pixel erlaubt) – möglicherweise eine Dekompressionsbombe", w, h, limit),
		fmt.Sprintf("page too large (%d×%d pixels, limit %d pixels) – possibly a decompression bomb", w, h, limit), nil)
}

func checkPixels(w, h int64, limit int64) error {
	if w <= 0 || h <= 0 {
		return mailroom.BadInput("Seite hat keine gültige Größe", "page has no valid size", fmt.Errorf("%d×%d", w, h))
	}
	if w*h > limit || w > 1<<20 || h > 1<<20 {
		return errBomb(w, h, limit)
	}
	return nil
}

func errPageRange(i, n int) error {
	return fmt.Errorf("page index %d out of range (0…%d)", i, n-1)
}

// withTimeout runs f in its own goroutine and gives up after d or when ctx
// ends. A decoder stuck in C code cannot be stopped; its goroutine is left
// behind and the caller must not reuse the decoder (abandoned is set).
func withTimeout[T any](ctx context.Context, d time.Duration, f func() (T, error)) (T, bool, error) {
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
	select {
	case r := <-ch:
		return r.v, false, r.err
	case <-ctx.Done():
		var zero T
		return zero, true, ctx.Err()
	case <-t.C:
		var zero T
		return zero, true, mailroom.BadInput(
			fmt.Sprintf("Seite konnte nicht innerhalb von %s dekodiert werden", d),
			fmt.Sprintf("page could not be decoded within %s", d), nil)
	}
}

// pageImage is what decoders return: the image and its resolution.
type pageImage struct {
	img image.Image
	dpi float64
}

var errClosed = errors.New("page set is closed")
