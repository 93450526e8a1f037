package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
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
	fs, cf := commandFlags("verify")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	trust := fs.String("trust", "", "PEM file of trusted CA certificates (default: evidence.trust_ca)")
	noStore := fs.Bool("no-journal", false, "do not look for the data directory's journal")
	setUsage(fs, "usage: poststelle verify [--json] [--trust CA.pem] [--data-dir D] FILE|DIR...\n"+
		"       poststelle verify [--json] [--trust CA.pem] --data-dir D   (journal and its timestamps only)\n")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 && (cf.DataDir == "" && cf.Config == "" || *noStore) {
		fs.Usage()
		return &cli.ExitError{Code: 2}
	}
	v, err := newVerifier(cf, *trust, !*noStore)
	if err != nil {
		return err
	}
	defer v.close()
	reports, err := v.verifyAll(ctx, fs.Args())
	if err != nil {
		return err
	}
	printReports(reports, *asJSON)
	for _, r := range reports {
		if !r.OK() {
			return &cli.ExitError{Code: 1, Msg: "Prüfung fehlgeschlagen / verification failed"}
		}
	}
	return nil
}

// verifier checks delivered material and journals; it opens the store of
// each data directory it meets once.
type verifier struct {
	cfg      *mailroom.Config // nil without --config and --data-dir
	opts     evidence.VerifyOptions
	useStore bool // false: --no-journal
	stores   map[string]*store.Store
}

// newVerifier loads the configuration when one is given and the trusted
// CA certificates (--trust, else evidence.trust_ca).
func newVerifier(cf *configFlags, trust string, useStore bool) (*verifier, error) {
	v := &verifier{useStore: useStore, stores: map[string]*store.Store{}}
	if cf.Config != "" || cf.DataDir != "" {
		c, err := cf.Load()
		if err != nil {
			return nil, err
		}
		v.cfg = c
	}
	if trust == "" && v.cfg != nil {
		trust = v.cfg.Resolve(v.cfg.Evidence.TrustCA)
	}
	if trust != "" {
		pem, err := os.ReadFile(trust)
		if err != nil {
			return nil, fmt.Errorf("--trust: %w", err)
		}
		v.opts.Trust = x509.NewCertPool()
		if !v.opts.Trust.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--trust %s: no certificate", trust)
		}
	}
	return v, nil
}

func (v *verifier) close() {
	for _, st := range v.stores {
		st.Close()
	}
}

// verifyAll checks the journal of the data directory when no path is
// given, else every path (a folder of document folders stands for them).
func (v *verifier) verifyAll(ctx context.Context, paths []string) ([]*evidence.Report, error) {
	var reports []*evidence.Report
	if len(paths) == 0 {
		rep, err := v.verifyJournal(ctx)
		if err != nil {
			return nil, err
		}
		reports = append(reports, rep)
	}
	for _, p := range expandDocumentDirs(paths) {
		o := v.opts
		if v.useStore {
			if _, err := v.withStore(&o, p); err != nil {
				return nil, err
			}
		}
		rep, err := evidence.Verify(ctx, p, o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		reports = append(reports, rep)
	}
	return reports, nil
}

// verifyJournal checks the configured data directory's journal and its timestamps.
func (v *verifier) verifyJournal(ctx context.Context) (*evidence.Report, error) {
	o := v.opts
	found, err := v.withStore(&o, "")
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%s: keine Datenbank poststelle.db / no database poststelle.db", v.cfg.DataDir)
	}
	return evidence.VerifyJournal(ctx, mailroom.Layout{Root: v.cfg.DataDir}.DB(), o)
}

// withStore adds the journal, its timestamps and the evidence records of
// the data directory holding p (or the configured one) to o. It reports
// false when there is no store.
func (v *verifier) withStore(o *evidence.VerifyOptions, p string) (bool, error) {
	dataDir := ""
	if v.cfg != nil {
		dataDir = v.cfg.DataDir
	} else {
		dataDir = findDataDir(p)
	}
	if dataDir == "" {
		return false, nil
	}
	if _, err := os.Stat(mailroom.Layout{Root: dataDir}.DB()); err != nil {
		return false, nil
	}
	st := v.stores[dataDir]
	if st == nil {
		var err error
		if st, err = store.Open(dataDir); err != nil {
			return false, err
		}
		v.stores[dataDir] = st
	}
	o.Records = st
	o.Journal = func(ctx context.Context) ([]mailroom.JournalEntry, error) {
		return st.Journal(ctx, mailroom.JournalFilter{})
	}
	o.ChainCheck = store.VerifyEntries
	return true, nil
}

// printReports prints the reports as indented JSON or as text.
func printReports(reports []*evidence.Report, asJSON bool) {
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		enc.Encode(reports)
		return
	}
	for _, r := range reports {
		printReport(r)
	}
}

// expandDocumentDirs replaces a folder that holds document folders (a
// folder target, out/) by those folders, so `verify export/` checks every
// delivered document.
func expandDocumentDirs(args []string) []string {
	var out []string
	for _, p := range args {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			if _, err := os.Stat(filepath.Join(p, mailroom.FileTransfervermerk)); errors.Is(err, os.ErrNotExist) {
				var subs []string
				ents, _ := os.ReadDir(p)
				for _, e := range ents {
					if _, err := os.Stat(filepath.Join(p, e.Name(), mailroom.FileTransfervermerk)); e.IsDir() && err == nil {
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
		if _, err := os.Stat(mailroom.Layout{Root: d}.DB()); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}
