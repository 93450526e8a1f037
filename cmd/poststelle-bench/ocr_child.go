//go:build !windows

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/otiai10/gosseract/v2"

	"poststelle/cmd/internal/wire"
	"poststelle/mailroom"
	"poststelle/ocr/pgm"
	"poststelle/scan/pages"
)

// childResult is what a child process (-child poststelle|floor) reports.
// Seconds is the timed span; it includes creating the engines (for both
// children, so that they compare: Poststelle's pool initialises each
// tesseract engine lazily on its first page, which cannot be taken out of
// its page time), and EngineSeconds is the part spent creating them.
type childResult struct {
	Seconds       float64  `json:"seconds"`
	EngineSeconds float64  `json:"engine_seconds"`
	DecodeSeconds float64  `json:"decode_seconds,omitempty"` // floor: JPEG decoding in Go, summed over workers
	Output        string   `json:"output,omitempty"`         // Poststelle's PDF/A
	Texts         []string `json:"texts"`                    // in-memory texts (the floor is scored on them)
	Rotations     []int    `json:"rotations,omitempty"`
}

func writeChildResult(path string, res childResult) error {
	data, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

// poststelleChild runs the product's recognition, wired as in the engine
// (wire.NewRecognition with the default configuration, lang and workers),
// on every page of input and writes its PDF/A into outDir. Timed: from
// before the pool is created until the PDF is written.
func poststelleChild(ctx context.Context, f *ocrFlags) error {
	cfg, err := mailroom.Default(os.TempDir())
	if err != nil {
		return err
	}
	rc := cfg.Recognition
	rc.Languages, rc.Workers = f.lang, f.workers
	level := slog.LevelWarn
	if os.Getenv("POSTSTELLE_BENCH_TRACE") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	work, err := os.MkdirTemp("", "poststelle-bench-child-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	start := time.Now()
	r, closePool, err := wire.NewRecognition(rc, log)
	if err != nil {
		return err
	}
	defer closePool()
	engine := time.Since(start).Seconds()
	res, err := r.Recognise(ctx, mailroom.RecognitionJob{DocumentID: "bench", Original: f.input,
		MediaType: mailroom.MediaPDF, OutDir: f.outDir, WorkDir: work})
	if err != nil {
		return err
	}
	out := childResult{Seconds: time.Since(start).Seconds(), EngineSeconds: engine, Output: res.Output}
	for _, p := range res.Pages {
		out.Texts = append(out.Texts, p.Text)
		out.Rotations = append(out.Rotations, p.Rotation)
	}
	return writeChildResult(f.childOut, out)
}

// floorChild is the gosseract floor: W persistent gosseract clients, each
// fed the page image files (the list in f.images; JPEGs as PGM, see
// floorPage), with the
// languages set and the page segmentation mode set as a variable
// (SetPageSegMode before the first Init is lost), then Text(). Text only,
// no PDF. Timed: from before the clients are created until the last text.
func floorChild(ctx context.Context, f *ocrFlags) error {
	data, err := os.ReadFile(f.images)
	if err != nil {
		return err
	}
	var files []string
	if err := json.Unmarshal(data, &files); err != nil {
		return err
	}
	start := time.Now()
	clients := make([]*gosseract.Client, f.workers)
	for i := range clients {
		if clients[i], err = floorClient(f.lang); err != nil {
			return err
		}
		defer clients[i].Close()
	}
	engine := time.Since(start).Seconds()
	texts := make([]string, len(files))
	next := make(chan int)
	errs := make([]error, len(clients))
	decode := make([]time.Duration, len(clients))
	var wg sync.WaitGroup
	for w, cl := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// One OS thread per engine, as a C program with W threads has,
			// so that glibc does not spread its memory over an arena per
			// thread the goroutine happens to run on.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for i := range next {
				if errs[w] == nil {
					var d time.Duration
					texts[i], d, errs[w] = floorPage(cl, files[i])
					decode[w] += d
				}
			}
		}()
	}
	for i := range files {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(append(errs, ctx.Err())...); err != nil {
		return err
	}
	res := childResult{Seconds: time.Since(start).Seconds(), EngineSeconds: engine, Texts: texts}
	for _, d := range decode {
		res.DecodeSeconds += d.Seconds()
	}
	return writeChildResult(f.childOut, res)
}

// floorClient makes one client and initialises its engine on a small blank
// image (gosseract initialises lazily, at the first Text).
func floorClient(lang string) (*gosseract.Client, error) {
	cl := gosseract.NewClient()
	if err := cl.SetLanguage(strings.Split(lang, "+")...); err != nil {
		cl.Close()
		return nil, err
	}
	if err := cl.SetVariable("tessedit_pageseg_mode", "3"); err != nil {
		cl.Close()
		return nil, err
	}
	blank := []byte("P5\n32 32\n255\n" + strings.Repeat("\xff", 32*32))
	if err := cl.SetImageFromBytes(blank); err != nil {
		cl.Close()
		return nil, err
	}
	if _, err := cl.Text(); err != nil {
		cl.Close()
		return nil, fmt.Errorf("gosseract init: %w", err)
	}
	return cl, nil
}

// floorPage reads one page image and returns its text and the time spent
// decoding it. A JPEG is decoded by the decoder Poststelle uses
// (pages.DecodeJPEGGray: libjpeg-turbo, the fastest here) and handed over
// as PGM: in
// this binary leptonica cannot read JPEGs (MuPDF, linked in statically by
// go-fitz, brings libjpeg 9 symbols that shadow the libjpeg 6.2 leptonica
// was built against: "Wrong JPEG library version", and gosseract returns
// an empty text without an error). Poststelle hands its pages over as PGM
// for the same reason.
func floorPage(cl *gosseract.Client, file string) (string, time.Duration, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return "", 0, err
	}
	img := raw
	var decode time.Duration
	if bytes.HasPrefix(raw, []byte{0xFF, 0xD8}) {
		t := time.Now()
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(raw))
		if err != nil {
			return "", 0, fmt.Errorf("%s: %w", file, err)
		}
		g, err := pages.DecodeJPEGGray(raw, cfg.Width, cfg.Height)
		if err != nil {
			return "", 0, fmt.Errorf("%s: %w", file, err)
		}
		img = pgm.Encode(g)
		decode = time.Since(t)
		// PGM carries no resolution: pass on the JPEG's, as leptonica would.
		if err := cl.SetVariable("user_defined_dpi", strconv.Itoa(jfifDPI(raw))); err != nil {
			return "", decode, err
		}
	}
	if err := cl.SetImageFromBytes(img); err != nil {
		return "", decode, err
	}
	text, err := cl.Text()
	return text, decode, err
}

// jfifDPI is the horizontal resolution in a JPEG's JFIF header, 300 when
// it says none (the scanner's pages are 300 dpi).
func jfifDPI(b []byte) int {
	if len(b) < 18 || b[2] != 0xFF || b[3] != 0xE0 || string(b[6:11]) != "JFIF\x00" {
		return 300
	}
	d := int(b[14])<<8 | int(b[15])
	switch {
	case d <= 0:
		return 300
	case b[13] == 1: // dots per inch
		return d
	case b[13] == 2: // dots per cm
		return int(float64(d)*2.54 + 0.5)
	}
	return 300
}
