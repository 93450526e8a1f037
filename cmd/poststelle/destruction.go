package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/store"
)

func init() {
	register("destruction", "destruction release of paper originals: list [--csv F] [--pdf F], release (docs/cli.md)", runDestruction)
}

func runDestruction(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "release") {
		fmt.Fprintf(os.Stderr, "usage: poststelle destruction list [--all] [--batch ID] [--csv FILE] [--pdf FILE]\n"+
			"       poststelle destruction release --batch ID --department D --person NAME [--note TEXT]\n")
		return &exitError{code: 2}
	}
	fs := flag.NewFlagSet("destruction "+args[0], flag.ContinueOnError)
	var cf configFlags
	cf.add(fs)
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
		if err := writeOut(*csvOut, func(w io.Writer) error { return destructionCSV(w, rows) }); err != nil {
			return err
		}
	}
	if *pdfOut != "" {
		if err := writeOut(*pdfOut, func(w io.Writer) error { return destructionPDF(w, cfg, rows, time.Now()) }); err != nil {
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
	var b strings.Builder
	if err := fn(&b); err != nil {
		return err
	}
	return mailroom.WriteFileAtomic(name, []byte(b.String()), 0o640)
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func destructionCSV(w io.Writer, rows []evidence.DestructionRow) error {
	c := csv.NewWriter(w)
	c.Comma = ';' // what German spreadsheets expect
	c.Write([]string{"Stapel", "Datei", "Quelle", "Fachbereich", "Eingang", "Dokumente", "Seiten", "Exportiert", "Vernichtung ab",
		"Freigabe durch", "Freigabe am", "Vernichtung erlaubt", "Gründe"})
	for _, r := range rows {
		may := "nein"
		if r.May {
			may = "ja"
		}
		c.Write([]string{r.BatchID, r.Filename, r.Source, r.Department, day(r.ReceivedAt), strconv.Itoa(r.Documents),
			strconv.Itoa(r.Pages), day(r.ExportedAt), day(r.DestroyFrom), r.ReleasedBy, day(r.ReleasedAt), may, strings.Join(r.Reasons, "; ")})
	}
	c.Flush()
	return c.Error()
}

func destructionPDF(w io.Writer, cfg *mailroom.Config, rows []evidence.DestructionRow, now time.Time) error {
	p := fpdf.New("L", "mm", "A4", "")
	tr := p.UnicodeTranslatorFromDescriptor("")
	p.SetTitle("Vernichtungsfreigabe", true)
	p.AddPage()
	p.SetFont("Helvetica", "B", 14)
	p.CellFormat(0, 8, tr("Liste der zur Vernichtung freigegebenen Papieroriginale"), "", 1, "L", false, 0, "")
	p.SetFont("Helvetica", "", 9)
	p.CellFormat(0, 5, tr(fmt.Sprintf("%s – erstellt %s – Aufbewahrungsfrist %d Tage – BSI TR-03138", cfg.Instance,
		now.Format("02.01.2006 15:04"), cfg.Evidence.RetentionDays)), "", 1, "L", false, 0, "")
	p.Ln(3)
	cols := []struct {
		h string
		w float64
	}{{"Stapel", 62}, {"Datei", 55}, {"Fachbereich", 25}, {"Eingang", 20}, {"Dok.", 10}, {"Exportiert", 20}, {"Vernichtung ab", 24}, {"Freigabe", 50}, {"erlaubt", 12}}
	p.SetFont("Helvetica", "B", 8)
	for _, c := range cols {
		p.CellFormat(c.w, 6, tr(c.h), "1", 0, "L", false, 0, "")
	}
	p.Ln(-1)
	p.SetFont("Helvetica", "", 8)
	for _, r := range rows {
		may := "nein"
		if r.May {
			may = "ja"
		}
		vals := []string{r.BatchID, r.Filename, r.Department, day(r.ReceivedAt), strconv.Itoa(r.Documents), day(r.ExportedAt),
			day(r.DestroyFrom), r.ReleasedBy, may}
		for i, c := range cols {
			v := vals[i]
			for p.GetStringWidth(tr(v)) > c.w-1 && len(v) > 1 {
				v = v[:len(v)-1]
			}
			p.CellFormat(c.w, 6, tr(v), "1", 0, "L", false, 0, "")
		}
		p.Ln(-1)
		if !r.May && len(r.Reasons) > 0 {
			p.CellFormat(0, 5, tr("   noch nicht: "+strings.Join(r.Reasons, "; ")), "", 1, "L", false, 0, "")
		}
	}
	p.Ln(8)
	p.CellFormat(0, 6, tr("Vernichtet am: ____________   durch: ______________________   Unterschrift: ______________________"), "", 1, "L", false, 0, "")
	return p.Output(w)
}
