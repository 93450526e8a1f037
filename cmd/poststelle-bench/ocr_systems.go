//go:build !windows

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"poststelle/cmd/internal/wire"
	"poststelle/mailroom"
)

// benchChild runs recognition, wired as in the engine, on every page and
// writes the page texts.
func benchChild(ctx context.Context, input, out, lang string, workers int) error {
	cfg, err := mailroom.Default(os.TempDir())
	if err != nil {
		return err
	}
	rc := cfg.Recognition
	if lang != "" {
		rc.Languages = lang
	}
	if workers > 0 {
		rc.Workers = workers
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if os.Getenv("POSTSTELLE_BENCH_TRACE") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	r, closePool, err := wire.NewRecognition(rc, log)
	if err != nil {
		return err
	}
	defer closePool()
	dir, err := os.MkdirTemp("", "poststelle-bench-child-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	res, err := r.Recognise(ctx, mailroom.RecognitionJob{DocumentID: "bench", Original: input, MediaType: mailroom.MediaPDF, OutDir: dir, WorkDir: dir})
	if err != nil {
		return err
	}
	texts := make([]string, len(res.Pages))
	for i, p := range res.Pages {
		texts[i] = p.Text
	}
	data, _ := json.Marshal(texts)
	return os.WriteFile(out, data, 0o600)
}

// timed runs a command and returns its wall time and peak RSS in MB (the
// largest RSS of the process or any of its waited-for descendants).
func timed(ctx context.Context, name string, args ...string) (float64, float64, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stderr = nil
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	sec := time.Since(start).Seconds()
	rss := 0.0
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = float64(ru.Maxrss) / 1024
		}
	}
	if err != nil {
		msg := stderr.String()
		if len(msg) > 400 {
			msg = msg[len(msg)-400:]
		}
		return sec, rss, fmt.Errorf("%s: %v: %s", name, err, msg)
	}
	return sec, rss, nil
}

// repeatPDF makes a PDF of n pages by repeating the input (qpdf).
func repeatPDF(ctx context.Context, in string, n int, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "qpdf", "--show-npages", in).Output()
	if err != nil {
		return "", fmt.Errorf("qpdf --show-npages: %w", err)
	}
	have, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	if have <= 0 {
		return "", errors.New("input has no pages")
	}
	args := []string{"--empty", "--pages"}
	for left := n; left > 0; left -= have {
		args = append(args, in, fmt.Sprintf("1-%d", min(left, have)))
	}
	dst := filepath.Join(dir, fmt.Sprintf("repeated-%d.pdf", n))
	args = append(args, "--", dst)
	if b, err := exec.CommandContext(ctx, "qpdf", args...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("qpdf: %v %s", err, b)
	}
	return dst, nil
}

// pdfTexts extracts each page's text with pdftotext.
func pdfTexts(ctx context.Context, pdf string) ([]string, error) {
	out, err := exec.CommandContext(ctx, "pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		return nil, fmt.Errorf("pdftotext: %w", err)
	}
	pages := strings.Split(string(out), "\f")
	if len(pages) > 0 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	return pages, nil
}

// runOCRmyPDF runs OCRmyPDF as Poststelle is configured to compare with
// (German, two jobs, PDF/A output) and reads the texts back with pdftotext.
func runOCRmyPDF(ctx context.Context, in, tmp string) benchRun {
	r := benchRun{Name: "ocrmypdf -l deu --jobs 2 --output-type pdfa"}
	out := filepath.Join(tmp, "ocrmypdf.pdf")
	sec, rss, err := timed(ctx, "ocrmypdf", "-q", "-l", "deu", "--jobs", "2", "--output-type", "pdfa", in, out)
	r.Seconds, r.PeakRSSMB = sec, rss
	if err != nil {
		r.Err = err.Error()
		return r
	}
	if r.Texts, err = pdfTexts(ctx, out); err != nil {
		r.Err = err.Error()
	}
	return r
}

// bareTesseract renders the pages to PNG at 300 dpi (not timed) and runs
// the tesseract command on them, two at a time (one per core), each
// single-threaded, as Poststelle's pool does.
func bareTesseract(ctx context.Context, in, tmp string) benchRun {
	r := benchRun{Name: "tesseract CLI -l deu (2 parallel, OMP 1)"}
	dir := filepath.Join(tmp, "pages")
	os.MkdirAll(dir, 0o700)
	if b, err := exec.CommandContext(ctx, "pdftoppm", "-r", "300", "-gray", "-png", in, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		r.Err = fmt.Sprintf("pdftoppm: %v %s", err, b)
		return r
	}
	files, _ := filepath.Glob(filepath.Join(dir, "p-*.png"))
	sortNatural(files)
	r.Texts = make([]string, len(files))
	var mu sync.Mutex
	var maxRSS float64
	var firstErr error
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	start := time.Now()
	for i, f := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			cmd := exec.CommandContext(ctx, "tesseract", f, "-", "-l", "deu")
			cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
			out, err := cmd.Output()
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			r.Texts[i] = string(out)
			if cmd.ProcessState != nil {
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					maxRSS = max(maxRSS, float64(ru.Maxrss)/1024)
				}
			}
		}()
	}
	wg.Wait()
	r.Seconds = time.Since(start).Seconds()
	r.PeakRSSMB = maxRSS
	if firstErr != nil {
		r.Err = firstErr.Error()
	}
	return r
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
