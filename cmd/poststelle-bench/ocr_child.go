//go:build !windows

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/otiai10/gosseract/v2"

	"poststelle/cmd/internal/wire"
	"poststelle/mailroom"
)

// childResult is what a child process (-child poststelle|floor) reports.
// Seconds is the timed span; it includes creating the engines (for both
// children, so that they compare: Poststelle's pool initialises each
// tesseract engine lazily on its first page, which cannot be taken out of
// its page time), and EngineSeconds is the part spent creating them.
type childResult struct {
	Seconds       float64  `json:"seconds"`
	EngineSeconds float64  `json:"engine_seconds"`
	Output        string   `json:"output,omitempty"` // Poststelle's PDF/A
	Texts         []string `json:"texts"`            // in-memory texts (the floor is scored on them)
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
// fed page image files (the list in f.images) as they are, with the
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
	var wg sync.WaitGroup
	for w, cl := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if errs[w] == nil {
					texts[i], errs[w] = floorPage(cl, files[i])
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
	return writeChildResult(f.childOut, childResult{Seconds: time.Since(start).Seconds(), EngineSeconds: engine, Texts: texts})
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

func floorPage(cl *gosseract.Client, file string) (string, error) {
	img, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	if err := cl.SetImageFromBytes(img); err != nil {
		return "", err
	}
	return cl.Text()
}
