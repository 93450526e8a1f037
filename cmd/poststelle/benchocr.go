//go:build !windows

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
	"poststelle/ocr"
	"poststelle/ocr/textscore"
	"poststelle/scan/recognition"
)

func init() {
	register("bench-ocr", "compare recognition with OCRmyPDF and bare tesseract on a scanned batch", runBenchOCR)
}

// benchRun is one system's outcome.
type benchRun struct {
	Name      string   `json:"name"`
	Pages     int      `json:"pages"`
	Seconds   float64  `json:"seconds"`
	PPM       float64  `json:"pages_per_minute"`
	PeakRSSMB float64  `json:"peak_rss_mb"`
	CER       float64  `json:"cer"`
	Recall    float64  `json:"word_recall"`
	Precision float64  `json:"word_precision"`
	F1        float64  `json:"word_f1"`
	Texts     []string `json:"-"`
	Err       string   `json:"error,omitempty"`
}

func runBenchOCR(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench-ocr", flag.ExitOnError)
	input := fs.String("input", "", "scanned PDF (default: shared corpus scans/batch-visible.pdf)")
	truth := fs.String("truth", "", "ground-truth folder with README page list (default: beside the input)")
	pages := fs.Int("pages", 0, "make the input this many pages long by repeating it (memory check: 30, 300)")
	lang := fs.String("lang", "", "Poststelle's tesseract languages (default: the configured ones, deu+eng)")
	workers := fs.Int("workers", 0, "OCR workers (default: configured, 0 = cores)")
	skipOCRmyPDF := fs.Bool("skip-ocrmypdf", false, "do not run OCRmyPDF")
	skipTesseract := fs.Bool("skip-tesseract", false, "do not run bare tesseract")
	jsonOut := fs.Bool("json", false, "print the results as JSON")
	child := fs.String("child", "", "internal: run Poststelle's recognition on -input and write texts to this file")
	fs.Parse(args)

	if *input == "" {
		dir := testcorpus.Find()
		if dir == "" {
			return errors.New("bench-ocr: no -input and no shared corpus found")
		}
		*input = filepath.Join(dir, "scans", "batch-visible.pdf")
	}
	if *child != "" {
		return benchChild(ctx, *input, *child, *lang, *workers)
	}
	if *truth == "" {
		*truth = filepath.Dir(*input)
	}
	truthTexts, err := loadTruth(*truth)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "poststelle-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	in := *input
	if *pages > 0 {
		if in, err = repeatPDF(ctx, *input, *pages, tmp); err != nil {
			return err
		}
	}
	load := loadavg()
	var runs []benchRun

	// Poststelle, in a child process so its peak RSS is its own.
	exe, _ := os.Executable()
	outJSON := filepath.Join(tmp, "poststelle.json")
	cargs := []string{"bench-ocr", "-input", in, "-child", outJSON}
	if *lang != "" {
		cargs = append(cargs, "-lang", *lang)
	}
	if *workers > 0 {
		cargs = append(cargs, "-workers", strconv.Itoa(*workers))
	}
	ps := benchRun{Name: "poststelle"}
	sec, rss, err := timed(ctx, exe, cargs...)
	ps.Seconds, ps.PeakRSSMB = sec, rss
	if err == nil {
		var texts []string
		if data, rerr := os.ReadFile(outJSON); rerr == nil {
			json.Unmarshal(data, &texts)
		}
		ps.Texts = texts
	} else {
		ps.Err = err.Error()
	}
	runs = append(runs, score(ps, truthTexts))

	if !*skipOCRmyPDF {
		r := benchRun{Name: "ocrmypdf -l deu --jobs 2 --output-type pdfa"}
		out := filepath.Join(tmp, "ocrmypdf.pdf")
		sec, rss, err := timed(ctx, "ocrmypdf", "-q", "-l", "deu", "--jobs", "2", "--output-type", "pdfa", in, out)
		r.Seconds, r.PeakRSSMB = sec, rss
		if err != nil {
			r.Err = err.Error()
		} else {
			r.Texts, err = pdfTexts(ctx, out)
			if err != nil {
				r.Err = err.Error()
			}
		}
		runs = append(runs, score(r, truthTexts))
	}
	if !*skipTesseract {
		runs = append(runs, score(bareTesseract(ctx, in, tmp), truthTexts))
	}
	if *jsonOut {
		return json.NewEncoder(os.Stdout).Encode(map[string]any{"input": in, "load_before": load, "runs": runs})
	}
	fmt.Printf("input: %s\nload average before the run: %s\n\n", in, load)
	fmt.Printf("%-46s %6s %8s %9s %9s %7s %7s %7s %7s\n", "system", "pages", "seconds", "pages/min", "peakRSS", "CER", "recall", "prec", "F1")
	for _, r := range runs {
		if r.Err != "" {
			fmt.Printf("%-46s error: %s\n", r.Name, r.Err)
			continue
		}
		fmt.Printf("%-46s %6d %8.1f %9.1f %7.0fMB %7.4f %7.4f %7.4f %7.4f\n", r.Name, r.Pages, r.Seconds, r.PPM, r.PeakRSSMB, r.CER, r.Recall, r.Precision, r.F1)
	}
	if !*skipOCRmyPDF && runs[0].Err == "" && runs[1].Err == "" && runs[1].PPM > 0 {
		fmt.Printf("\nthroughput ratio poststelle / ocrmypdf: %.2f×   F1 difference: %+.4f\n", runs[0].PPM/runs[1].PPM, runs[0].F1-runs[1].F1)
	}
	fmt.Printf("load average after the run: %s\n", loadavg())
	return nil
}

// benchChild runs recognition on every page and writes the page texts.
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
	pool, err := ocr.New(ocr.Options{Languages: rc.Languages, Workers: rc.Workers, NoOSD: !rc.AutoRotate})
	if err != nil {
		return err
	}
	defer pool.Close()
	recognition.LimitMemory(pool.Workers())
	var orient recognition.Orienter
	if rc.AutoRotate {
		orient = pool
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if os.Getenv("POSTSTELLE_BENCH_TRACE") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	r := recognition.New(recognition.Options{Config: rc, Recognizer: pool, Orienter: orient, Workers: pool.Workers(), Log: log})
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

// loadTruth reads the page list "N. NAME" from README.md in dir and the
// texts groundtruth/NAME.txt.
func loadTruth(dir string) ([]string, error) {
	f, err := os.Open(filepath.Join(dir, "README.md"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	re := regexp.MustCompile(`^(\d+)\. (\S+)\s*$`)
	var texts []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := re.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, "groundtruth", m[2]+".txt"))
		if err != nil {
			return nil, err
		}
		texts = append(texts, string(data))
	}
	if len(texts) == 0 {
		return nil, fmt.Errorf("no page list in %s/README.md", dir)
	}
	return texts, nil
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

func sortNatural(files []string) {
	num := func(s string) int {
		b := strings.TrimSuffix(filepath.Base(s), ".png")
		n, _ := strconv.Atoi(b[strings.LastIndex(b, "-")+1:])
		return n
	}
	for i := 1; i < len(files); i++ {
		for j := i; j > 0 && num(files[j]) < num(files[j-1]); j-- {
			files[j], files[j-1] = files[j-1], files[j]
		}
	}
}

// score fills pages per minute, CER and bag-of-words figures. Ground truth
// repeats when the input was repeated.
func score(r benchRun, truth []string) benchRun {
	r.Pages = len(r.Texts)
	if r.Err != "" || r.Pages == 0 {
		if r.Err == "" {
			r.Err = "no pages recognised"
		}
		return r
	}
	r.PPM = float64(r.Pages) / r.Seconds * 60
	var dist, tlen, hit, got, want int
	for i, t := range r.Texts {
		gt := truth[i%len(truth)]
		d, n := textscore.EditDistance(textscore.Normalize(t), textscore.Normalize(gt))
		dist += d
		tlen += n
		h, g, w := bagMatch(t, gt)
		hit, got, want = hit+h, got+g, want+w
	}
	r.CER = float64(dist) / float64(max(1, tlen))
	r.Recall = float64(hit) / float64(max(1, want))
	r.Precision = float64(hit) / float64(max(1, got))
	if r.Recall+r.Precision > 0 {
		r.F1 = 2 * r.Recall * r.Precision / (r.Recall + r.Precision)
	}
	return r
}

// bagMatch compares words (whitespace-separated, surrounding punctuation
// removed, case kept) as bags: matched, recognised and true word counts.
func bagMatch(got, truth string) (int, int, int) {
	bag := func(s string) map[string]int {
		m := map[string]int{}
		for _, w := range strings.Fields(s) {
			w = strings.Trim(w, ".,;:!?()[]{}\"'«»„“”‚‘’*|")
			if w != "" {
				m[w]++
			}
		}
		return m
	}
	g, t := bag(got), bag(truth)
	hit, ng, nt := 0, 0, 0
	for w, n := range t {
		nt += n
		hit += min(n, g[w])
	}
	for _, n := range g {
		ng += n
	}
	return hit, ng, nt
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
