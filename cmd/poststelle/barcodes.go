package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"poststelle/barcode"
	"poststelle/cmd/internal/cli"
	"poststelle/mailroom"
	"poststelle/scan/pages"
)

func init() {
	register("barcodes", "print every barcode and patch code found in files (JSON lines)", runBarcodes)
}

// barcodeLine is one output line of `poststelle barcodes`.
type barcodeLine struct {
	File      string `json:"file"`
	Page      int    `json:"page"`
	Symbology string `json:"symbology"`
	Text      string `json:"text"`
	Box       [4]int `json:"box"`
	Mirrored  *bool  `json:"mirrored,omitempty"`
}

func runBarcodes(ctx context.Context, args []string) error {
	fs, cf := commandFlags("barcodes")
	dpi := fs.Int("dpi", 0, "resolution for rendering PDF pages; 0: recognition.dpi of the configuration")
	noPatch := fs.Bool("no-patch", false, "do not look for patch codes")
	setUsage(fs, "usage: poststelle barcodes [--dpi N] [--no-patch] FILE...\n\n"+
		"Prints one JSON object per symbol found: file, page (1-based), symbology, text, box [x0,y0,x1,y1]\n"+
		"in page pixels; patch codes as symbology \"patch\" with \"mirrored\".\n\n")
	if err := fs.Parse(args); err != nil {
		return &cli.ExitError{Code: 2}
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return &cli.ExitError{Code: 2}
	}
	cfg, err := cf.Load()
	if err != nil {
		return err
	}
	if *dpi <= 0 {
		*dpi = cfg.Recognition.DPI
	}
	opener := pages.NewOpener(pages.Options{DPI: *dpi, MaxPixels: cfg.Recognition.MaxPixels})
	det := barcode.New(barcode.Options{NoPatch: *noPatch})
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	failed := 0
	for _, f := range fs.Args() {
		if err := barcodesOfFile(ctx, opener, det, f, enc); err != nil {
			failed++
			reason := err.Error()
			if ie, ok := mailroom.AsInputError(err); ok {
				reason = ie.Reason()
			}
			fmt.Fprintf(os.Stderr, "poststelle barcodes: %s: %s\n", f, reason)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if failed > 0 {
		return &cli.ExitError{Code: 1}
	}
	return nil
}

func barcodesOfFile(ctx context.Context, opener mailroom.PageOpener, det mailroom.Detector, path string, enc *json.Encoder) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		return mailroom.BadInput("ist ein Verzeichnis, keine Datei", "is a directory, not a file", nil)
	}
	ps, err := opener.Open(ctx, abs, "")
	if err != nil {
		return err
	}
	defer ps.Close()
	for i := 0; i < ps.Len(); i++ {
		p, err := ps.Page(ctx, i, 0)
		if err != nil {
			return fmt.Errorf("page %d: %w", i+1, err)
		}
		syms, err := det.Detect(ctx, p)
		if err != nil {
			return fmt.Errorf("page %d: %w", i+1, err)
		}
		for _, s := range syms {
			l := barcodeLine{File: path, Page: i + 1, Symbology: s.Symbology, Text: s.Text,
				Box: [4]int{s.Box.Min.X, s.Box.Min.Y, s.Box.Max.X, s.Box.Max.Y}}
			if s.Symbology == barcode.Patch {
				m := s.Mirrored
				l.Mirrored = &m
			}
			if err := enc.Encode(l); err != nil {
				return err
			}
		}
	}
	return nil
}
