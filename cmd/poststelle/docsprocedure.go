package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"poststelle/cmd/internal/cli"
	"poststelle/mailroom/evidence"
)

func init() {
	register("docs", "generate documents: 'docs procedure' renders a draft Verfahrensdokumentation (docs/cli.md)", runDocs)
}

func runDocs(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "procedure" {
		fmt.Fprintf(os.Stderr, "usage: poststelle docs procedure [--config F] [--out FILE]\n")
		return &cli.ExitError{Code: 2}
	}
	fs, cf := commandFlags("docs procedure")
	out := fs.String("out", "-", "output file (Markdown); - = stdout")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := cf.Load()
	if err != nil {
		return err
	}
	return writeOut(*out, func(w io.Writer) error { return evidence.WriteProcedure(w, cfg, version) })
}
