package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"poststelle/cmd/internal/cli"
	"poststelle/mailroom"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/store"
)

func init() {
	register("verify", "check delivered documents and the journal: intact (0), broken (1), not verifiable (3) (docs/cli.md)", runVerify)
}

func runVerify(ctx context.Context, args []string) error {
	fs, cf := commandFlags("verify")
	asJSON := fs.Bool("json", false, "print the reports as JSON")
	var t trustFiles
	fs.StringVar(&t.seal, "trust", "", "PEM file of CA certificates trusted for seals (default: evidence.trust_ca)")
	fs.StringVar(&t.tsa, "trust-tsa", "", "PEM file of CA and TSA certificates trusted for timestamps (default: evidence.trust_tsa_ca, else --trust)")
	fs.StringVar(&t.batch, "trust-batch", "", "PEM file of CA certificates trusted for batch seals and sealed checkpoints (default: evidence.trust_batch_ca, else --trust)")
	checkpoints := fs.String("checkpoints", "", "directory of journal checkpoint copies (default: evidence.checkpoint_dir)")
	noStore := fs.Bool("no-journal", false, "do not look for the data directory's journal")
	setUsage(fs, "usage: poststelle verify [--json] [--trust CA.pem] [--data-dir D] FILE|DIR...\n"+
		"       poststelle verify [--json] [--trust CA.pem] --data-dir D   (journal and its checkpoints only)\n"+
		"exit codes: 0 intact, 1 broken, 3 not verifiable, 2 usage\n")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 && (cf.DataDir == "" && cf.Config == "" || *noStore) {
		fs.Usage()
		return &cli.ExitError{Code: 2}
	}
	v, err := newVerifier(cf, t, *checkpoints, !*noStore)
	if err != nil {
		return err
	}
	defer v.close()
	reports, err := v.verifyAll(ctx, fs.Args())
	if err != nil {
		return err
	}
	printReports(reports, *asJSON)
	switch o := evidence.Worst(reports); o {
	case evidence.Intact:
		return nil
	case evidence.NotVerifiable:
		return &cli.ExitError{Code: o.ExitCode(), Msg: "nicht prüfbar / not verifiable"}
	default:
		return &cli.ExitError{Code: o.ExitCode(), Msg: "Prüfung fehlgeschlagen / verification failed"}
	}
}

// trustFiles are the PEM files of the trust anchors.
type trustFiles struct{ seal, tsa, batch string }

// verifier wires evidence.Verifier to the data directories: one per data
// directory it meets, with that directory's journal and checkpoints.
type verifier struct {
	cfg        *mailroom.Config // nil without --config and --data-dir
	opts       evidence.VerifyOptions
	useStore   bool // false: --no-journal
	stores     map[string]*store.Store
	verifiers  map[string]*evidence.Verifier
	checkpoint string
}

// newVerifier loads the configuration when one is given and the trust
// anchors (flags, else the configuration).
func newVerifier(cf *configFlags, t trustFiles, checkpoints string, useStore bool) (*verifier, error) {
	v := &verifier{useStore: useStore, stores: map[string]*store.Store{}, verifiers: map[string]*evidence.Verifier{}, checkpoint: checkpoints}
	if cf.Config != "" || cf.DataDir != "" {
		c, err := cf.Load()
		if err != nil {
			return nil, err
		}
		v.cfg = c
		ev := c.Evidence
		t.seal = pick(t.seal, c.Resolve(ev.TrustCA))
		t.tsa = pick(t.tsa, c.Resolve(ev.TrustTSACA))
		t.batch = pick(t.batch, c.Resolve(ev.TrustBatchCA))
		if v.checkpoint == "" && ev.CheckpointDir != "" {
			v.checkpoint = c.Resolve(ev.CheckpointDir)
		}
	}
	for _, x := range []struct {
		file, flag string
		to         **evidence.Anchors
	}{{t.seal, "--trust", &v.opts.Seal}, {t.tsa, "--trust-tsa", &v.opts.TSA}, {t.batch, "--trust-batch", &v.opts.Batch}} {
		if x.file == "" {
			continue
		}
		a, err := evidence.LoadAnchors(x.file)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", x.flag, err)
		}
		*x.to = a
	}
	return v, nil
}

func pick(flag, cfg string) string {
	if flag != "" {
		return flag
	}
	return cfg
}

func (v *verifier) close() {
	for _, st := range v.stores {
		st.Close()
	}
}

// verifyAll checks every document a path stands for (a folder of document
// folders stands for each of them) with the verifier of its data
// directory, then — when no path is given, or a data directory was named —
// the journal, counting the anchors the documents carried.
func (v *verifier) verifyAll(ctx context.Context, paths []string) ([]*evidence.Report, error) {
	var reports []*evidence.Report
	for _, p := range paths {
		docs, err := evidence.DocumentPaths(p)
		if err != nil {
			reports = append(reports, evidence.Unchecked(p, err))
			continue
		}
		for _, d := range docs {
			ev, err := v.verifierFor(d)
			if err != nil {
				return nil, err
			}
			rep, err := ev.Document(ctx, d)
			if err != nil {
				rep = evidence.Unchecked(d, err)
			}
			reports = append(reports, rep)
		}
	}
	if v.cfg == nil || !v.useStore {
		return reports, nil
	}
	ev, err := v.verifierFor("")
	if err != nil {
		return nil, err
	}
	if v.stores[v.cfg.DataDir] == nil {
		if len(paths) > 0 {
			return reports, nil
		}
		return nil, fmt.Errorf("%s: keine Datenbank poststelle.db / no database poststelle.db", v.cfg.DataDir)
	}
	rep, err := ev.Journal(ctx, mailroom.Layout{Root: v.cfg.DataDir}.DB())
	if err != nil {
		return nil, err
	}
	return append(reports, rep), nil
}

// verifierFor returns the verifier of the data directory holding p (the
// configured one when given), made on first use with its journal.
func (v *verifier) verifierFor(p string) (*evidence.Verifier, error) {
	dataDir := ""
	if v.useStore {
		if v.cfg != nil {
			dataDir = v.cfg.DataDir
		} else {
			dataDir = findDataDir(p)
		}
		if _, err := os.Stat(mailroom.Layout{Root: dataDir}.DB()); dataDir != "" && err != nil {
			dataDir = ""
		}
	}
	if ev := v.verifiers[dataDir]; ev != nil {
		return ev, nil
	}
	o := v.opts
	if dataDir != "" {
		st, err := store.Open(dataDir)
		if err != nil {
			return nil, err
		}
		v.stores[dataDir] = st
		o.Records = st
		o.Journal = func(ctx context.Context) ([]mailroom.JournalEntry, error) {
			return st.Journal(ctx, mailroom.JournalFilter{})
		}
		o.ChainCheck = store.VerifyEntries
		o.CheckpointDir = v.checkpoint
	}
	ev := evidence.NewVerifier(o)
	v.verifiers[dataDir] = ev
	return ev, nil
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
		r.WriteText(os.Stdout)
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
