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
	"runtime"
	"strings"

	"poststelle/mailroom/testcorpus"
)

func init() {
	register("ocr", "compare recognition with OCRmyPDF, the tesseract CLI and the gosseract floor on a scanned batch", runOCR)
}

// ocrFlags are the flags of `poststelle-bench ocr`.
type ocrFlags struct {
	input, truth, lang          string
	pages, workers              int
	turned, keep                bool
	skipOCRmyPDF, skipTesseract bool
	json                        bool
	// internal: the child processes
	child, childOut, outDir, images string
}

func parseOCRFlags(args []string) *ocrFlags {
	f := &ocrFlags{}
	fs := flag.NewFlagSet("ocr", flag.ExitOnError)
	fs.StringVar(&f.input, "input", "", "scanned PDF (default: shared corpus scans/batch-visible.pdf)")
	fs.StringVar(&f.truth, "truth", "", "ground-truth folder with README page list (default: beside the input)")
	fs.IntVar(&f.pages, "pages", 0, "make the input this many pages long by repeating it (memory check: 30, 300)")
	fs.StringVar(&f.lang, "lang", "deu+eng", "tesseract languages, the same for every system (the product's default)")
	fs.IntVar(&f.workers, "workers", runtime.NumCPU(), "OCR workers, the same for every system (default: cores)")
	fs.BoolVar(&f.turned, "turned", false, "turn every 4th page (2, 6, 10, …) by 90, 180, 270° in turn, the image itself")
	fs.BoolVar(&f.skipOCRmyPDF, "skip-ocrmypdf", false, "do not run OCRmyPDF (its row says so)")
	fs.BoolVar(&f.skipTesseract, "skip-tesseract", false, "do not run the tesseract CLI (its row says so)")
	fs.BoolVar(&f.json, "json", false, "print the results as JSON")
	fs.BoolVar(&f.keep, "keep", false, "keep the work folder (inputs, page images, every system's PDF) and name it on stderr")
	fs.StringVar(&f.child, "child", "", "internal: run as child process poststelle or floor")
	fs.StringVar(&f.childOut, "child-out", "", "internal: the child's result file")
	fs.StringVar(&f.outDir, "out-dir", "", "internal: where the poststelle child writes its PDF")
	fs.StringVar(&f.images, "images", "", "internal: JSON list of page images for the floor child")
	fs.Parse(args)
	if f.workers < 1 {
		f.workers = 1
	}
	return f
}

// ocrReport is the -json output.
type ocrReport struct {
	Input      string     `json:"input"`
	Source     string     `json:"source"` // the file given (before -pages / -turned)
	Pages      int        `json:"pages"`
	Languages  string     `json:"languages"`
	Workers    int        `json:"workers"`
	Turned     []string   `json:"turned,omitempty"` // "page:+degrees"
	Images     string     `json:"page_images"`
	LoadBefore string     `json:"load_before"`
	LoadAfter  string     `json:"load_after"`
	Runs       []benchRun `json:"runs"`
	Notes      []string   `json:"notes"`
}

func runOCR(ctx context.Context, args []string) error {
	f := parseOCRFlags(args)
	switch f.child {
	case "":
	case sysPoststelle:
		return poststelleChild(ctx, f)
	case sysFloor:
		return floorChild(ctx, f)
	default:
		return fmt.Errorf("ocr: unknown -child %q", f.child)
	}
	if f.input == "" {
		dir := testcorpus.Find()
		if dir == "" {
			return errors.New("ocr: no -input and no shared corpus found")
		}
		f.input = filepath.Join(dir, "scans", "batch-visible.pdf")
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
	if f.keep {
		fmt.Fprintf(os.Stderr, "work folder kept: %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	rep, in, err := prepareInput(ctx, f, tmp)
	if err != nil {
		return err
	}
	rep.LoadBefore = loadavg()
	rep.Runs = runOCRSystems(ctx, in, truth)
	rep.LoadAfter = loadavg()
	rep.Notes = ocrNotes(in, rep.Runs, divideByFloor(rep.Runs))
	if f.json {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printOCRTable(rep)
	return nil
}

// prepareInput makes the input every system gets (not timed): repeated to
// -pages, turned with -turned, and its page images.
func prepareInput(ctx context.Context, f *ocrFlags, tmp string) (*ocrReport, *benchInput, error) {
	rep := &ocrReport{Source: f.input, Languages: f.lang, Workers: f.workers}
	pdf := f.input
	var err error
	if f.pages > 0 {
		if pdf, err = repeatPDF(ctx, pdf, f.pages, tmp); err != nil {
			return nil, nil, err
		}
	}
	if rep.Pages, err = pageCount(ctx, pdf); err != nil {
		return nil, nil, err
	}
	if f.turned {
		if pdf, rep.Turned, err = turnedPDF(ctx, pdf, rep.Pages, tmp); err != nil {
			return nil, nil, fmt.Errorf("turned variant: %w", err)
		}
	}
	rep.Input = pdf
	in := &benchInput{f: f, pdf: pdf, pages: rep.Pages, tmp: tmp}
	in.images, in.imagesHow, in.imagesErr = pageImages(ctx, pdf, filepath.Join(tmp, "images"), rep.Pages)
	rep.Images = in.imagesHow
	if in.imagesErr != nil {
		rep.Images = "failed: " + in.imagesErr.Error()
	}
	return rep, in, nil
}

// runOCRSystems runs the four systems one after the other on the same
// input and scores each; a skipped system keeps its row with the reason.
func runOCRSystems(ctx context.Context, in *benchInput, truth []string) []benchRun {
	type system struct {
		run  func(context.Context, *benchInput) benchRun
		skip string
	}
	systems := []system{{runOCRmyPDF, ""}, {runTesseractCLI, ""}, {runFloor, ""}, {runPoststelle, ""}}
	if in.f.skipOCRmyPDF {
		systems[0].skip = "skipped (-skip-ocrmypdf)"
	}
	if in.f.skipTesseract {
		systems[1].skip = "skipped (-skip-tesseract)"
	}
	var runs []benchRun
	for i, s := range systems {
		if s.skip != "" {
			runs = append(runs, benchRun{Key: []string{sysOCRmyPDF, sysTesseract}[i], Name: []string{"OCRmyPDF", "tesseract CLI"}[i], Err: s.skip})
			continue
		}
		runs = append(runs, score(s.run(ctx, in), truth, in.pages))
	}
	return runs
}

// ocrNotes are the definitions printed under the table.
func ocrNotes(in *benchInput, runs []benchRun, haveFloor bool) []string {
	notes := []string{
		"scored: pdftotext (without -layout, pages split at form feeds) of the PDF each system wrote; the gosseract floor " +
			"writes no PDF and is scored on its Text() output directly; one scorer for all (word bags: F1, recall, precision; CER)",
		"CER depends on the reading order of the extracted text: Text() orders table cells differently from pdftotext " +
			"reading a text layer, so the floor's CER is not comparable with the PDF rows' (its word figures are)",
		"seconds: OCRmyPDF: its process, start to exit; tesseract CLI: first start to last exit (page images made beforehand, " +
			"not timed); floor and Poststelle: timed in their child process from before their engines are created until the " +
			"last text / the PDF is written, so engine creation is included for both (Poststelle's pool initialises each " +
			"tesseract engine lazily at its first page, which cannot be taken out)",
		"× floor = seconds / the gosseract floor's seconds (higher is slower)",
		rssDefinition,
	}
	if !haveFloor {
		notes = append(notes, "no ratios: the floor row failed")
	}
	for _, r := range runs {
		if r.EngineSeconds > 0 || r.ProcessSeconds > 0 {
			notes = append(notes, fmt.Sprintf("%s: engine creation %.1f s (included), child process wall time %.1f s", r.Name, r.EngineSeconds, r.ProcessSeconds))
		}
		if r.DecodeSeconds > 0 {
			notes = append(notes, fmt.Sprintf("%s: JPEG pages decoded by libjpeg-turbo as Poststelle does and handed over as PGM (leptonica cannot read JPEG in this "+
				"binary: MuPDF's static libjpeg 9 shadows libjpeg 6.2), %.1f s of worker time (included)", r.Name, r.DecodeSeconds))
		}
		if r.InMemory != nil {
			notes = append(notes, fmt.Sprintf("%s in-memory page texts (not its score): word F1 %.4f, recall %.4f, precision %.4f, CER %.4f",
				r.Name, r.InMemory.F1, r.InMemory.Recall, r.InMemory.Precision, r.InMemory.CER))
		}
		if len(r.Rotations) > 0 && strings.Trim(fmt.Sprint(r.Rotations), "[0 ]") != "" {
			notes = append(notes, fmt.Sprintf("%s turned pages by %v", r.Name, r.Rotations))
		}
	}
	return notes
}

// printOCRTable prints the header, one row per system, the commands and the
// notes.
func printOCRTable(rep *ocrReport) {
	fmt.Printf("input: %s (%d pages)", rep.Input, rep.Pages)
	if rep.Input != rep.Source {
		fmt.Printf(", made from %s", rep.Source)
	}
	fmt.Printf("\nlanguages: %s   workers: %d (the same for every system)   load average before: %s\n", rep.Languages, rep.Workers, rep.LoadBefore)
	if len(rep.Turned) > 0 {
		fmt.Printf("turned pages (image turned, same ground truth): %s\n", strings.Join(rep.Turned, " "))
	}
	fmt.Printf("page images for the tesseract CLI and the floor: %s\n\n", rep.Images)
	fmt.Printf("%-16s %8s %9s %7s %7s %7s %7s %7s %11s\n", "system", "seconds", "pages/min", "×floor", "wordF1", "recall", "prec", "CER", "peakRSS MB")
	for _, r := range rep.Runs {
		if r.Err != "" {
			fmt.Printf("%-16s error: %s\n", r.Name, r.Err)
			continue
		}
		ratio := "     -"
		if r.FloorRatio > 0 {
			ratio = fmt.Sprintf("%6.2f", r.FloorRatio)
		}
		fmt.Printf("%-16s %8.1f %9.1f %7s %7.4f %7.4f %7.4f %7.4f %11.0f\n", r.Name, r.Seconds, r.PPM, ratio, r.F1, r.Recall, r.Precision, r.CER, r.PeakRSSMB)
	}
	fmt.Println("\ncommands:")
	for _, r := range rep.Runs {
		if r.Command != "" {
			fmt.Printf("  %-16s %s\n", r.Name+":", r.Command)
		}
	}
	fmt.Println("notes:")
	for _, n := range rep.Notes {
		fmt.Printf("  - %s\n", n)
	}
	fmt.Printf("load average after: %s\n", rep.LoadAfter)
}
