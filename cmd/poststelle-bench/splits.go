//go:build !windows

package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"poststelle/cmd/internal/cli"
	"poststelle/mailroom/boundary/measure"
	"poststelle/mailroom/testcorpus"
	"poststelle/ocr"
)

func init() {
	register("splits", "precision and recall of the proposed document boundaries on the corpus batches", runAutosplit)
}

// runAutosplit recognises the corpus batches of mailroom/boundary/measure
// with tesseract and prints precision and recall of the boundary proposals
// per batch and per kind, with the scoring cost per page
// (docs/autosplit.md). It fails (exit 1) below the targets.
func runAutosplit(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("splits", flag.ContinueOnError)
	corpus := fs.String("corpus", "", "test corpus directory (default: ../shared/corpus found from here)")
	workers := fs.Int("workers", 0, "OCR workers (0 = cores)")
	if err := fs.Parse(args); err != nil {
		return &cli.ExitError{Code: 2}
	}
	if *corpus == "" {
		*corpus = testcorpus.Find()
	}
	if *corpus == "" {
		return fmt.Errorf("test corpus not found; give --corpus")
	}
	pool, err := ocr.New(ocr.Options{Languages: "deu+eng", Workers: *workers, NoOSD: true})
	if err != nil {
		return err
	}
	defer pool.Close()
	t0 := time.Now()
	rep, err := measure.Run(ctx, &measure.Recogniser{Corpus: *corpus, Pool: pool}, measure.Batches())
	if err != nil {
		return err
	}
	fmt.Printf("splits: %d batches recognised (%d OCR workers) and scored in %v\n\n%s",
		len(rep.Batches), pool.Workers(), time.Since(t0).Round(time.Second), rep.Table())
	if fails := rep.Failures(); len(fails) > 0 {
		for _, f := range fails {
			fmt.Println("below target:", f)
		}
		return &cli.ExitError{Code: 1}
	}
	return nil
}
