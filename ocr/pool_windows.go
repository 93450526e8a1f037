//go:build windows

package ocr

// On Windows Poststelle is cross-compiled with mingw-w64 and cannot link
// libtesseract (no import library, no gosseract build), so this file gives
// the package's API — Options, New, Pool, Gray, SingleThreaded — on top of
// ocr/tessexec, which runs tesseract.exe as a process per page. The cgo
// files (pool.go, osd.go, omp.go) carry the constraint !windows. Anything
// added to the exported API there needs its counterpart here, or the
// Windows build (make package-msi) fails.

import (
	"context"
	"errors"
	"image"
	"os"
	"sync"

	"poststelle/mailroom"
	"poststelle/ocr/pgm"
	"poststelle/ocr/tessexec"
)

// Options configure the pool.
type Options struct {
	// Languages are tesseract language codes joined by "+"; "" = "deu+eng".
	Languages string
	// Workers is the number of tesseract processes at once; 0 = number of cores.
	Workers int
	// NoOSD: orientation detection is not used.
	NoOSD bool
}

// Pool runs tesseract.exe, at most Workers processes at a time. It is safe
// for concurrent use.
type Pool struct {
	e      *tessexec.Engine
	noOSD  bool
	mu     sync.Mutex
	closed bool
}

var _ mailroom.Recognizer = (*Pool)(nil)

// ErrClosed is returned after Close.
var ErrClosed = errors.New("ocr: pool is closed")

// New finds tesseract.exe (PATH, then %ProgramFiles%\Tesseract-OCR; the
// POSTSTELLE_TESSERACT environment variable names it explicitly) and checks
// the languages.
func New(opt Options) (*Pool, error) {
	os.Setenv("OMP_THREAD_LIMIT", "1")
	e, err := tessexec.New(tessexec.Options{Binary: os.Getenv("POSTSTELLE_TESSERACT"), Languages: opt.Languages,
		Workers: opt.Workers, TessdataDir: os.Getenv("POSTSTELLE_TESSDATA")})
	if err != nil {
		return nil, err
	}
	if !opt.NoOSD {
		have, err := e.ListLanguages(context.Background())
		if err != nil {
			return nil, err
		}
		if !have["osd"] {
			return nil, errors.New("tesseract OSD (osd.traineddata) is not installed; it is needed for auto_rotate")
		}
	}
	return &Pool{e: e, noOSD: opt.NoOSD}, nil
}

// Workers is the number of tesseract processes run at once.
func (p *Pool) Workers() int { return p.e.Workers() }

// Languages are the configured languages.
func (p *Pool) Languages() string { return p.e.Languages() }

func (p *Pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// Recognize runs OCR on the page image.
func (p *Pool) Recognize(ctx context.Context, page mailroom.Page) (mailroom.PageText, error) {
	if p.isClosed() {
		return mailroom.PageText{}, ErrClosed
	}
	return p.e.Recognize(ctx, page)
}

// Orientation returns the clockwise rotation (0, 90, 180, 270) that turns
// the page upright, tesseract's confidence, and ok=false when there was too
// little text to tell.
func (p *Pool) Orientation(ctx context.Context, g *image.Gray, dpi float64) (deg int, conf float64, ok bool, err error) {
	if p.isClosed() {
		return 0, 0, false, ErrClosed
	}
	if p.noOSD {
		return 0, 0, false, errors.New("ocr: pool created without OSD")
	}
	return p.e.Orientation(ctx, g, dpi)
}

// Close makes further calls fail with ErrClosed.
func (p *Pool) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	return nil
}

// SingleThreaded sets OMP_THREAD_LIMIT=1 for the tesseract processes; no
// re-execution is needed because nothing in this process uses OpenMP.
func SingleThreaded() error { return os.Setenv("OMP_THREAD_LIMIT", "1") }

// Gray returns img as 8-bit gray, without copying when it already is.
func Gray(img image.Image) *image.Gray { return pgm.Gray(img) }

// TrimMemory does nothing on Windows: no C allocator state lives in this
// process (tesseract runs in its own processes); see malloc.go elsewhere.
func TrimMemory() {}
