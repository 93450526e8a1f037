package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"poststelle/cmd/internal/cli"
	"poststelle/mailroom"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/store"
)

func init() {
	register("verify", "check a delivered document: hash, Transfervermerk, seal, timestamp, journal (docs/cli.md)", runVerify)
}

func runVerify(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	var cf configFlags
	cf.add(fs)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	trust := fs.String("trust", "", "PEM file of trusted CA certificates (default: evidence.trust_ca)")
	noStore := fs.Bool("no-journal", false, "do not look for the data directory's journal")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: poststelle verify [--json] [--trust CA.pem] [--data-dir D] FILE|DIR...\n"+
			"       poststelle verify [--json] [--trust CA.pem] --data-dir D   (journal and its timestamps only)\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 && (cf.dataDir == "" && cf.config == "" || *noStore) {
		fs.Usage()
		return &cli.ExitError{Code: 2}
	}
	var cfg *mailroom.Config
	if cf.config != "" || cf.dataDir != "" {
		c, err := cf.load()
		if err != nil {
			return err
		}
		cfg = c
	}
	o := evidence.VerifyOptions{}
	tf := *trust
	if tf == "" && cfg != nil {
		tf = cfg.Resolve(cfg.Evidence.TrustCA)
	}
	if tf != "" {
		pem, err := os.ReadFile(tf)
		if err != nil {
			return fmt.Errorf("--trust: %w", err)
		}
		o.Trust = x509.NewCertPool()
		if !o.Trust.AppendCertsFromPEM(pem) {
			return fmt.Errorf("--trust %s: no certificate", tf)
		}
	}
	var reports []*evidence.Report
	broken := false
	stores := map[string]*store.Store{}
	defer func() {
		for _, st := range stores {
			st.Close()
		}
	}()
	// withStore adds the journal, its timestamps and the evidence records of
	// the data directory holding p (or the configured one).
	withStore := func(oo *evidence.VerifyOptions, p string) (bool, error) {
		dataDir := ""
		if cfg != nil {
			dataDir = cfg.DataDir
		} else {
			dataDir = findDataDir(p)
		}
		if dataDir == "" {
			return false, nil
		}
		if _, err := os.Stat(filepath.Join(dataDir, "poststelle.db")); err != nil {
			return false, nil
		}
		st := stores[dataDir]
		if st == nil {
			var err error
			if st, err = store.Open(dataDir); err != nil {
				return false, err
			}
			stores[dataDir] = st
		}
		oo.Records = st
		oo.Journal = func(ctx context.Context) ([]mailroom.JournalEntry, error) {
			return st.Journal(ctx, mailroom.JournalFilter{})
		}
		oo.ChainCheck = store.VerifyEntries
		return true, nil
	}
	if fs.NArg() == 0 {
		oo := o
		found, err := withStore(&oo, "")
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("%s: keine Datenbank poststelle.db / no database poststelle.db", cfg.DataDir)
		}
		rep, err := evidence.VerifyJournal(ctx, filepath.Join(cfg.DataDir, "poststelle.db"), oo)
		if err != nil {
			return err
		}
		reports = append(reports, rep)
		broken = !rep.OK()
	}
	for _, p := range expandDocumentDirs(fs.Args()) {
		oo := o
		if !*noStore {
			if _, err := withStore(&oo, p); err != nil {
				return err
			}
		}
		rep, err := evidence.Verify(ctx, p, oo)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		reports = append(reports, rep)
		broken = broken || !rep.OK()
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		enc.Encode(reports)
	} else {
		for _, r := range reports {
			printReport(r)
		}
	}
	if broken {
		return &cli.ExitError{Code: 1, Msg: "Prüfung fehlgeschlagen / verification failed"}
	}
	return nil
}

// expandDocumentDirs replaces a folder that holds document folders (a
// folder target, out/) by those folders, so `verify export/` checks every
// delivered document.
func expandDocumentDirs(args []string) []string {
	var out []string
	for _, p := range args {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			if _, err := os.Stat(filepath.Join(p, evidence.FileName)); errors.Is(err, os.ErrNotExist) {
				var subs []string
				ents, _ := os.ReadDir(p)
				for _, e := range ents {
					if _, err := os.Stat(filepath.Join(p, e.Name(), evidence.FileName)); e.IsDir() && err == nil {
						subs = append(subs, filepath.Join(p, e.Name()))
					}
				}
				if len(subs) > 0 {
					out = append(out, subs...)
					continue
				}
			}
		}
		out = append(out, p)
	}
	return out
}

func printReport(r *evidence.Report) {
	fmt.Printf("%s\n", r.Path)
	if r.DocumentID != "" {
		fmt.Printf("  Dokument / document: %s\n", r.DocumentID)
	}
	for _, c := range r.Checks {
		mark := "OK     "
		switch c.Status {
		case evidence.Fail:
			mark = "FEHLER "
		case evidence.Warn:
			mark = "WARNUNG"
		case evidence.Skip:
			mark = "–      "
		}
		fmt.Printf("  %s %-26s %s\n  %7s %-26s %s\n", mark, c.Name, c.DE, "", "", c.EN)
	}
	if r.OK() {
		fmt.Printf("  Ergebnis: unverändert und vollständig / result: intact\n\n")
	} else {
		fmt.Printf("  Ergebnis: BESCHÄDIGT / result: BROKEN (%v)\n\n", r.Failed())
	}
}

// findDataDir walks up from p to a directory holding poststelle.db
// (out/<id>/document.pdf lies two levels below it).
func findDataDir(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return ""
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "poststelle.db")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}
