package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/user"

	"poststelle/cmd/internal/cli"
	"poststelle/mailroom"
	"poststelle/mailroom/store"
)

func init() {
	register("quarantine", "list, retry or release quarantined documents", runQuarantine)
}

func operatorName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

func runQuarantine(ctx context.Context, args []string) error {
	fs, cf := commandFlags("quarantine")
	asJSON := fs.Bool("json", false, "list as JSON lines")
	as := fs.String("as", operatorName(), "operator name for the journal")
	setUsage(fs, "usage: poststelle quarantine [flags] list | retry ID... | release ID...\n")
	sub, ids, st, err := cf.subcommandStore(fs, args)
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
		return quarantineMove(ctx, st, sub, ids, *as)
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
// document was not split yet) or releases (to review) quarantined documents.
func quarantineMove(ctx context.Context, st *store.Store, sub string, ids []string, as string) error {
	for _, id := range ids {
		d, err := st.Document(ctx, id)
		if err != nil {
			return err
		}
		if d.State != mailroom.StateQuarantined {
			return fmt.Errorf("document %s is %s, not quarantined", id, d.State)
		}
		to := mailroom.StateReview
		if sub == "retry" {
			to = mailroom.StateRecognising
			if len(d.Pages) == 0 {
				to = mailroom.StateReceived
			}
		}
		_, err = st.Transition(ctx, id, mailroom.Change{To: to, Actor: as, Action: "quarantine-" + sub,
			Mutate: func(d *mailroom.Document) error { d.Reason = ""; d.Attempts = 0; return nil }})
		if err != nil {
			return err
		}
		fmt.Printf("%s → %s\n", id, to)
	}
	return nil
}
