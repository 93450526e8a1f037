//go:build !windows

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// benchInput is what every system gets: the same PDF, page images, the
// same languages and number of workers.
type benchInput struct {
	f         *ocrFlags
	pdf       string
	pages     int
	tmp       string
	images    []string // one per page, for the tesseract CLI and the floor
	imagesHow string
	imagesErr error
}

func (in *benchInput) workers() string { return strconv.Itoa(in.f.workers) }

// pdfTexts extracts each page's text with pdftotext (no -layout), split at
// the form feeds it writes after every page.
func pdfTexts(ctx context.Context, pdf string) ([]string, error) {
	out, err := exec.CommandContext(ctx, "pdftotext", pdf, "-").Output()
	if err != nil {
		return nil, fmt.Errorf("pdftotext %s: %w", filepath.Base(pdf), err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\f"), "\f"), nil
}

// runOCRmyPDF runs OCRmyPDF with its default options apart from languages,
// jobs and PDF/A output. OMP_THREAD_LIMIT is taken out of its environment so
// that it chooses tesseract's threads itself, as it does when run by hand.
func runOCRmyPDF(ctx context.Context, in *benchInput) benchRun {
	out := filepath.Join(in.tmp, "ocrmypdf.pdf")
	args := []string{"-l", in.f.lang, "--jobs", in.workers(), "--output-type", "pdfa"}
	r := benchRun{Key: sysOCRmyPDF, Name: "OCRmyPDF", ScoredOn: "pdftotext",
		Command: "ocrmypdf " + strings.Join(args, " ") + " IN OUT"}
	sec, mb, err := measured(ctx, envWith("OMP_THREAD_LIMIT", ""), "ocrmypdf", append(args, in.pdf, out)...)
	r.Seconds, r.PeakRSSMB = sec, mb
	if err != nil {
		r.Err = err.Error()
		return r
	}
	if r.Texts, err = pdfTexts(ctx, out); err != nil {
		r.Err = err.Error()
	}
	return r
}

// runTesseractCLI runs `tesseract IMG OUTBASE -l LANG pdf` on every page
// image, W processes at a time, each single-threaded; the one-page PDFs are
// read back with pdftotext (not timed).
func runTesseractCLI(ctx context.Context, in *benchInput) benchRun {
	r := benchRun{Key: sysTesseract, Name: "tesseract CLI", ScoredOn: "pdftotext",
		Command: fmt.Sprintf("OMP_THREAD_LIMIT=1 tesseract IMG OUTBASE -l %s pdf, %d at a time", in.f.lang, in.f.workers)}
	if in.imagesErr != nil {
		r.Err = in.imagesErr.Error()
		return r
	}
	dir := filepath.Join(in.tmp, "tesseract")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		r.Err = err.Error()
		return r
	}
	bases := make([]string, len(in.images))
	errs := make([]error, len(in.images))
	s := newRSSSampler()
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range in.f.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				bases[i] = filepath.Join(dir, fmt.Sprintf("page-%04d", i+1))
				cmd := exec.CommandContext(ctx, "tesseract", in.images[i], bases[i], "-l", in.f.lang, "pdf")
				cmd.Env = envWith("OMP_THREAD_LIMIT", "1")
				var stderr strings.Builder
				cmd.Stderr = &stderr
				if err := s.run(cmd); err != nil {
					errs[i] = commandError("tesseract", err, stderr.String())
				}
			}
		}()
	}
	for i := range in.images {
		next <- i
	}
	close(next)
	wg.Wait()
	r.Seconds, r.PeakRSSMB = time.Since(start).Seconds(), s.PeakMB()
	for i, base := range bases {
		if errs[i] != nil {
			r.Err = fmt.Sprintf("page %d: %v", i+1, errs[i])
			return r
		}
		texts, err := pdfTexts(ctx, base+".pdf")
		if err != nil {
			r.Err = err.Error()
			return r
		}
		r.Texts = append(r.Texts, strings.Join(texts, "\n"))
	}
	return r
}

// runFloor runs the gosseract floor in a child process (its RSS is its own).
func runFloor(ctx context.Context, in *benchInput) benchRun {
	r := benchRun{Key: sysFloor, Name: "gosseract floor", ScoredOn: "Text()",
		Command: fmt.Sprintf("%d persistent gosseract clients, SetLanguage(%s), SetVariable(tessedit_pageseg_mode, 3), SetImageFromBytes, Text()",
			in.f.workers, strings.ReplaceAll(in.f.lang, "+", ", "))}
	if in.imagesErr != nil {
		r.Err = in.imagesErr.Error()
		return r
	}
	list := filepath.Join(in.tmp, "floor-images.json")
	data, _ := json.Marshal(in.images)
	if err := os.WriteFile(list, data, 0o600); err != nil {
		r.Err = err.Error()
		return r
	}
	res, err := runChild(ctx, in, &r, "floor", "-images", list)
	if err != nil {
		r.Err = err.Error()
		return r
	}
	r.Texts = res.Texts
	return r
}

// runPoststelle runs the product's recognition in a child process and
// reads the text layer of the PDF/A it wrote.
func runPoststelle(ctx context.Context, in *benchInput) benchRun {
	r := benchRun{Key: sysPoststelle, Name: "Poststelle", ScoredOn: "pdftotext",
		Command: fmt.Sprintf("wire.NewRecognition (default configuration, languages %s, %d workers), Recognise → PDF/A", in.f.lang, in.f.workers)}
	outDir := filepath.Join(in.tmp, "poststelle-out")
	res, err := runChild(ctx, in, &r, "poststelle", "-input", in.pdf, "-out-dir", outDir)
	if err != nil {
		r.Err = err.Error()
		return r
	}
	r.Rotations = res.Rotations
	r.memTexts = res.Texts
	if r.Texts, err = pdfTexts(ctx, res.Output); err != nil {
		r.Err = err.Error()
	}
	return r
}

// runChild runs this program with -child kind, OMP_THREAD_LIMIT=1, the
// languages and workers, and reads its result. The row's seconds are the
// child's timed span; the process's wall time and peak RSS are measured here.
func runChild(ctx context.Context, in *benchInput, r *benchRun, kind string, args ...string) (childResult, error) {
	exe, err := os.Executable()
	if err != nil {
		return childResult{}, err
	}
	out := filepath.Join(in.tmp, kind+"-result.json")
	args = append([]string{"ocr", "-child", kind, "-child-out", out, "-lang", in.f.lang, "-workers", in.workers()}, args...)
	sec, mb, err := measured(ctx, envWith("OMP_THREAD_LIMIT", "1"), exe, args...)
	r.ProcessSeconds, r.PeakRSSMB = sec, mb
	if err != nil {
		return childResult{}, err
	}
	var res childResult
	data, err := os.ReadFile(out)
	if err == nil {
		err = json.Unmarshal(data, &res)
	}
	if err != nil {
		return childResult{}, fmt.Errorf("%s child: %w", kind, err)
	}
	r.Seconds, r.EngineSeconds, r.DecodeSeconds = res.Seconds, res.EngineSeconds, res.DecodeSeconds
	return res, nil
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
