//go:build !windows

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"poststelle/mailroom/testcorpus"
)

func init() {
	register("ocr", "compare recognition with OCRmyPDF and bare tesseract on a scanned batch", runOCR)
}

// ocrFlags are the flags of `poststelle-bench ocr`.
type ocrFlags struct {
	input, truth, lang          string
	pages, workers              int
	skipOCRmyPDF, skipTesseract bool
	json                        bool
	child                       string
}

func parseOCRFlags(args []string) *ocrFlags {
	f := &ocrFlags{}
	fs := flag.NewFlagSet("ocr", flag.ExitOnError)
	fs.StringVar(&f.input, "input", "", "scanned PDF (default: shared corpus scans/batch-visible.pdf)")
	fs.StringVar(&f.truth, "truth", "", "ground-truth folder with README page list (default: beside the input)")
	fs.IntVar(&f.pages, "pages", 0, "make the input this many pages long by repeating it (memory check: 30, 300)")
	fs.StringVar(&f.lang, "lang", "", "Poststelle's tesseract languages (default: the configured ones, deu+eng)")
	fs.IntVar(&f.workers, "workers", 0, "OCR workers (default: configured, 0 = cores)")
	fs.BoolVar(&f.skipOCRmyPDF, "skip-ocrmypdf", false, "do not run OCRmyPDF")
	fs.BoolVar(&f.skipTesseract, "skip-tesseract", false, "do not run bare tesseract")
	fs.BoolVar(&f.json, "json", false, "print the results as JSON")
	fs.StringVar(&f.child, "child", "", "internal: run Poststelle's recognition on -input and write texts to this file")
	fs.Parse(args)
	return f
}

func runOCR(ctx context.Context, args []string) error {
	f := parseOCRFlags(args)
	if f.input == "" {
		dir := testcorpus.Find()
		if dir == "" {
			return errors.New("ocr: no -input and no shared corpus found")
		}
		f.input = filepath.Join(dir, "scans", "batch-visible.pdf")
	}
	if f.child != "" {
		return benchChild(ctx, f.input, f.child, f.lang, f.workers)
	}
	if f.truth == "" {
		f.truth = filepath.Dir(f.input)
	}
	truth, err := loadTruth(f.truth)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "poststelle-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	in := f.input
	if f.pages > 0 {
		if in, err = repeatPDF(ctx, f.input, f.pages, tmp); err != nil {
			return err
		}
	}
	load := loadavg()
	runs := runOCRSystems(ctx, f, in, tmp, truth)
	if f.json {
		return json.NewEncoder(os.Stdout).Encode(map[string]any{"input": in, "load_before": load, "runs": runs})
	}
	printOCRTable(in, load, runs, !f.skipOCRmyPDF)
	return nil
}

// runOCRSystems runs Poststelle, then OCRmyPDF and bare tesseract unless
// skipped, on in, each scored against the ground truth.
func runOCRSystems(ctx context.Context, f *ocrFlags, in, tmp string, truth []string) []benchRun {
	runs := []benchRun{score(runPoststelle(ctx, f, in, tmp), truth)}
	if !f.skipOCRmyPDF {
		runs = append(runs, score(runOCRmyPDF(ctx, in, tmp), truth))
	}
	if !f.skipTesseract {
		runs = append(runs, score(bareTesseract(ctx, in, tmp), truth))
	}
	return runs
}

// runPoststelle runs Poststelle's recognition in a child process (this
// program with -child), so that its peak RSS is its own.
func runPoststelle(ctx context.Context, f *ocrFlags, in, tmp string) benchRun {
	exe, _ := os.Executable()
	outJSON := filepath.Join(tmp, "poststelle.json")
	cargs := []string{"ocr", "-input", in, "-child", outJSON}
	if f.lang != "" {
		cargs = append(cargs, "-lang", f.lang)
	}
	if f.workers > 0 {
		cargs = append(cargs, "-workers", strconv.Itoa(f.workers))
	}
	ps := benchRun{Name: "poststelle"}
	sec, rss, err := timed(ctx, exe, cargs...)
	ps.Seconds, ps.PeakRSSMB = sec, rss
	if err != nil {
		ps.Err = err.Error()
		return ps
	}
	var texts []string
	if data, rerr := os.ReadFile(outJSON); rerr == nil {
		json.Unmarshal(data, &texts)
	}
	ps.Texts = texts
	return ps
}

// printOCRTable prints one line per system, the comparison with OCRmyPDF
// (when it ran) and the load average after the run.
func printOCRTable(in, load string, runs []benchRun, withOCRmyPDF bool) {
	fmt.Printf("input: %s\nload average before the run: %s\n\n", in, load)
	fmt.Printf("%-46s %6s %8s %9s %9s %7s %7s %7s %7s\n", "system", "pages", "seconds", "pages/min", "peakRSS", "CER", "recall", "prec", "F1")
	for _, r := range runs {
		if r.Err != "" {
			fmt.Printf("%-46s error: %s\n", r.Name, r.Err)
			continue
		}
		fmt.Printf("%-46s %6d %8.1f %9.1f %7.0fMB %7.4f %7.4f %7.4f %7.4f\n", r.Name, r.Pages, r.Seconds, r.PPM, r.PeakRSSMB, r.CER, r.Recall, r.Precision, r.F1)
	}
	if withOCRmyPDF && runs[0].Err == "" && runs[1].Err == "" && runs[1].PPM > 0 {
		fmt.Printf("\nthroughput ratio poststelle / ocrmypdf: %.2f×   F1 difference: %+.4f\n", runs[0].PPM/runs[1].PPM, runs[0].F1-runs[1].F1)
	}
	fmt.Printf("load average after the run: %s\n", loadavg())
}
