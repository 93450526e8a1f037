package pages

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"time"

	"poststelle/mailroom"
)

// Options configure input decoding. The zero value gives the defaults
// (docs/limits.md); FromConfig takes them from the configuration.
type Options struct {
	// DPI is the rendering resolution for PDF pages when the caller asks for
	// dpi 0. 0 means 300.
	DPI int
	// MaxPixels refuses pages with more pixels (decompression bombs). 0
	// means 200 megapixels.
	MaxPixels int64
	// PageTimeout bounds the decoding of one page. 0 means 60 s.
	PageTimeout time.Duration
	// MaxPages refuses inputs with more pages. 0 means 2000.
	MaxPages int
	// RenderPixels is the most pixels MuPDF renders a page with; a larger
	// page is rendered at a lower resolution (not below 72 dpi). 0 means
	// 50 megapixels (A4 at 300 dpi has 8.7).
	RenderPixels int64
	// RenderMemory limits the memory of the MuPDF child process. 0 means
	// 1 GiB.
	RenderMemory int64
	// DecodeMemory refuses images (JPEG, PNG, TIFF, a PDF's page image)
	// whose decoded form needs more memory. 0 means 512 MiB.
	DecodeMemory int64
	// InProcess runs MuPDF in this process instead of a child process (a
	// stuck call can then only be abandoned, not ended).
	InProcess bool
}

// FromConfig returns the options the configuration sets.
func FromConfig(c *mailroom.Config) Options {
	return Options{DPI: c.Recognition.DPI, MaxPixels: c.Recognition.MaxPixels,
		PageTimeout: c.Pipeline.PageDeadline(), MaxPages: c.Pipeline.PageLimit()}
}

func (o Options) dpi() float64 {
	if o.DPI > 0 {
		return float64(o.DPI)
	}
	return 300
}

func (o Options) maxPixels() int64 { return orInt(o.MaxPixels, 200_000_000) }

func (o Options) pageTimeout() time.Duration {
	if o.PageTimeout > 0 {
		return o.PageTimeout
	}
	return mailroom.DefaultPageTimeout
}

func (o Options) maxPages() int {
	if o.MaxPages > 0 {
		return o.MaxPages
	}
	return mailroom.DefaultMaxPages
}

func (o Options) renderPixels() int64 { return orInt(o.RenderPixels, 50_000_000) }
func (o Options) renderMemory() int64 { return orInt(o.RenderMemory, 1<<30) }
func (o Options) decodeMemory() int64 { return orInt(o.DecodeMemory, 512<<20) }

func orInt(v, def int64) int64 {
	if v > 0 {
		return v
	}
	return def
}

// fitDPI lowers dpi so that a page of w×h points has at most renderPixels
// pixels, but not below 72 dpi.
func (o Options) fitDPI(w, h, dpi float64) float64 {
	px := w * h * dpi * dpi / (72 * 72)
	if limit := float64(o.renderPixels()); px > limit {
		dpi = math.Max(72, math.Floor(dpi*math.Sqrt(limit/px)))
	}
	return dpi
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

var errClosed = errors.New("page set is closed")
