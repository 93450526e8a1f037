package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"poststelle/cmd/internal/cli"
	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/store"
)

func init() {
	register("quarantine", "list, retry or release quarantined documents", runQuarantine)
}

func runQuarantine(ctx context.Context, args []string) error {
	fs, cf := commandFlags("quarantine")
	asJSON := fs.Bool("json", false, "list as JSON lines")
	var af actorFlags
	af.add(fs, "as", "", "the operator acting (role verwaltung); without operators configured a name for the journal (default: the OS user)")
	setUsage(fs, "usage: poststelle quarantine [flags] list | retry ID... | release ID...\n")
	sub, ids, cfg, st, err := cf.subcommandStore(fs, args)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "list":
		return quarantineList(ctx, st, *asJSON)
	case "retry", "release":
		if len(ids) == 0 {
			return &cli.ExitError{Code: 2, Msg: "quarantine " + sub + ": give at least one document ID"}
		}
		actor, err := af.resolve(ctx, cfg, st)
		if err != nil {
			return err
		}
		return quarantineMove(ctx, &engine.Engine{Config: cfg, Store: st}, sub, ids, actor)
	}
	fs.Usage()
	return &cli.ExitError{Code: 2}
}

// quarantineList prints the quarantined documents with their reasons and
// originals, as text or JSON lines.
func quarantineList(ctx context.Context, st *store.Store, asJSON bool) error {
	docs, err := st.Documents(ctx, mailroom.DocFilter{States: []mailroom.State{mailroom.StateQuarantined}})
	if err != nil {
		return err
	}
	for _, d := range docs {
		b, _ := st.Batch(ctx, d.BatchID)
		if asJSON {
			json.NewEncoder(os.Stdout).Encode(map[string]any{"id": d.ID, "batch": d.BatchID, "file": b.Filename,
				"source": b.Source, "since": d.UpdatedAt, "reason": d.Reason, "original": st.OriginalPath(b.SHA256)})
			continue
		}
		fmt.Printf("%s  %s  %s\n    %s\n    Original: %s\n", d.ID, d.UpdatedAt.Local().Format("2006-01-02 15:04"), b.Filename, d.Reason, st.OriginalPath(b.SHA256))
	}
	if len(docs) == 0 && !asJSON {
		fmt.Println("Quarantäne ist leer / quarantine is empty")
	}
	return nil
}

// quarantineMove retries (back to recognising, or to received when the
// document was not split yet) or releases (to review) quarantined documents
// on behalf of act (the engine checks the role).
func quarantineMove(ctx context.Context, e *engine.Engine, sub string, ids []string, act mailroom.Actor) error {
	move := e.RetryQuarantined
	if sub == "release" {
		move = e.ReleaseQuarantined
	}
	for _, id := range ids {
		d, err := move(ctx, act, mailroom.Ref{ID: id})
		if err != nil {
			return forbidden(err)
		}
		fmt.Printf("%s → %s\n", id, d.State)
	}
	return nil
}
