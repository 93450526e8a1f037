package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"poststelle/cmd/internal/cli"
	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/rendition"
	"poststelle/mailroom/safefile"
	"poststelle/mailroom/store"
)

func init() {
	register("destruction", "destruction release of paper originals: list [--csv F] [--pdf F], release (docs/cli.md)", runDestruction)
}

func runDestruction(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "release") {
		fmt.Fprintf(os.Stderr, "usage: poststelle destruction list [--all] [--batch ID] [--csv FILE] [--pdf FILE]\n"+
			"       poststelle destruction release --batch ID --department D --person NAME [--note TEXT]\n")
		return &cli.ExitError{Code: 2}
	}
	fs, cf := commandFlags("destruction " + args[0])
	batch := fs.String("batch", "", "batch id")
	csvOut := fs.String("csv", "", "write the list as CSV to FILE (- = stdout)")
	pdfOut := fs.String("pdf", "", "write the list as PDF to FILE")
	all := fs.Bool("all", false, "list every batch, not only those that may be destroyed")
	dept := fs.String("department", "", "releasing department")
	var af actorFlags
	af.add(fs, "person", "", "releasing person (role verwaltung; with operators configured the operator logs in)")
	note := fs.String("note", "", "note")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, st, err := cf.open()
	if err != nil {
		return err
	}
	defer st.Close()
	if args[0] == "release" {
		if *batch == "" || strings.TrimSpace(af.name) == "" || strings.TrimSpace(*dept) == "" {
			return fmt.Errorf("release: --batch, --department and --person are required")
		}
		act, err := af.resolve(ctx, cfg, st)
		if err != nil {
			return err
		}
		if err := (&engine.Engine{Config: cfg, Store: st}).Authorize(ctx, act, "destruction-release", ""); err != nil {
			return forbidden(err)
		}
		if _, err := st.Batch(ctx, *batch); err != nil {
			return err
		}
		r := evidence.Release{BatchID: *batch, Department: *dept, Person: act.Login, Time: time.Now().UTC(), Note: *note}
		if err := st.PutRelease(ctx, r); err != nil {
			return err
		}
		fmt.Printf("Freigabe zur Vernichtung erfasst / release recorded: batch %s, %s (%s)\n", *batch, act.Login, *dept)
		return nil
	}
	rows, err := destructionRows(ctx, cfg, st, *batch, *all)
	if err != nil {
		return err
	}
	if *csvOut != "" {
		if err := writeOut(*csvOut, func(w io.Writer) error { return rendition.WriteDestructionCSV(w, rows) }); err != nil {
			return err
		}
	}
	if *pdfOut != "" {
		if err := writeOut(*pdfOut, func(w io.Writer) error {
			return rendition.WriteDestructionPDF(w, rendition.DestructionList{
				Instance: cfg.Instance, RetentionDays: cfg.Evidence.RetentionDays, Created: time.Now(), Rows: rows})
		}); err != nil {
			return err
		}
	}
	if *csvOut == "" && *pdfOut == "" {
		if len(rows) == 0 {
			// Say so: an empty output reads like a failure.
			fmt.Println("Derzeit darf kein Papieroriginal vernichtet werden (--all zeigt jeden Stapel mit Grund).")
			fmt.Println("No paper original may be destroyed now (--all lists every batch with the reason).")
		}
		for _, r := range rows {
			state := "darf vernichtet werden / may be destroyed"
			if !r.May {
				state = "noch nicht / not yet: " + strings.Join(r.Reasons, "; ")
			}
			fmt.Printf("%s  %-30s  %s\n", r.BatchID, r.Filename, state)
		}
	}
	return nil
}

func destructionRows(ctx context.Context, cfg *mailroom.Config, st *store.Store, batch string, all bool) ([]evidence.DestructionRow, error) {
	var batches []*mailroom.Batch
	if batch != "" {
		b, err := st.Batch(ctx, batch)
		if err != nil {
			return nil, err
		}
		batches = []*mailroom.Batch{b}
		all = true
	} else {
		bs, err := st.Batches(ctx)
		if err != nil {
			return nil, err
		}
		batches = bs
	}
	var rows []evidence.DestructionRow
	now := time.Now().UTC()
	for _, b := range batches {
		if b.Metadata["parent_batch"] != "" {
			continue // a part of a container: the paper is the parent's
		}
		r, err := evidence.Destruction(ctx, st, st, b, cfg.Evidence.RetentionDays, cfg.Evidence.QASampleRate, now)
		if err != nil {
			return nil, err
		}
		if r.May || all {
			rows = append(rows, r)
		}
	}
	return rows, nil
}

func writeOut(name string, fn func(io.Writer) error) error {
	if name == "-" {
		return fn(os.Stdout)
	}
	return safefile.WriteFrom(name, 0o640, fn)
}
