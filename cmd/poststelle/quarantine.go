package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
)

func init() {
	register("quarantine", "list, retry or release quarantined documents", runQuarantine)
}

func runQuarantine(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("quarantine", flag.ContinueOnError)
	var cf configFlags
	cf.add(fs)
	asJSON := fs.Bool("json", false, "list as JSON lines")
	var af actorFlags
	af.add(fs, "as", "", "the operator acting (role verwaltung); without operators configured a name for the journal (default: the OS user)")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: poststelle quarantine [flags] list | retry ID... | release ID...\n")
		fs.PrintDefaults()
	}
	sub, ids, err := parseSubcommand(fs, args)
	if err != nil {
		return err
	}
	cfg, st, err := cf.open()
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "list":
		docs, err := st.Documents(ctx, mailroom.DocFilter{States: []mailroom.State{mailroom.StateQuarantined}})
		if err != nil {
			return err
		}
		for _, d := range docs {
			b, _ := st.Batch(ctx, d.BatchID)
			if *asJSON {
				json.NewEncoder(os.Stdout).Encode(map[string]any{"id": d.ID, "batch": d.BatchID, "file": b.Filename,
					"source": b.Source, "since": d.UpdatedAt, "reason": d.Reason, "original": st.OriginalPath(b.SHA256)})
				continue
			}
			fmt.Printf("%s  %s  %s\n    %s\n    Original: %s\n", d.ID, d.UpdatedAt.Local().Format("2006-01-02 15:04"), b.Filename, d.Reason, st.OriginalPath(b.SHA256))
		}
		if len(docs) == 0 && !*asJSON {
			fmt.Println("Quarantäne ist leer / quarantine is empty")
		}
		return nil
	case "retry", "release":
		if len(ids) == 0 {
			return &exitError{code: 2, msg: "quarantine " + sub + ": give at least one document ID"}
		}
		actor, err := af.resolve(ctx, cfg, st)
		if err != nil {
			return err
		}
		e := &engine.Engine{Config: cfg, Store: st}
		for _, id := range ids {
			act := e.RetryQuarantined
			if sub == "release" {
				act = e.ReleaseQuarantined
			}
			d, err := act(ctx, actor, mailroom.Ref{ID: id})
			if err != nil {
				return forbidden(err)
			}
			fmt.Printf("%s → %s\n", id, d.State)
		}
		return nil
	}
	fs.Usage()
	return &exitError{code: 2}
}
