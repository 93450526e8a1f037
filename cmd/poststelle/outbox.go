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
	register("outbox", "list DMS deliveries, retry held ones (docs/cli.md)", runOutbox)
}

func runOutbox(ctx context.Context, args []string) error {
	fs, cf := commandFlags("outbox")
	asJSON := fs.Bool("json", false, "list as JSON lines")
	all := fs.Bool("all", false, "list delivered entries too")
	var af actorFlags
	af.add(fs, "as", "", "the operator acting (role verwaltung); without operators configured a name for the journal (default: the OS user)")
	setUsage(fs, "usage: poststelle outbox [flags] list | retry ID...\n  ID: an outbox entry or a document (all its undelivered entries)\n")
	sub, ids, cfg, st, err := cf.subcommandStore(fs, args)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "list":
		return outboxList(ctx, st, *all, *asJSON)
	case "retry":
		if len(ids) == 0 {
			return &cli.ExitError{Code: 2, Msg: "outbox retry: give at least one entry or document ID"}
		}
		actor, err := af.resolve(ctx, cfg, st)
		if err != nil {
			return err
		}
		return outboxRetry(ctx, &engine.Engine{Config: cfg, Store: st}, ids, actor)
	}
	fs.Usage()
	return &cli.ExitError{Code: 2}
}

// outboxStatus names an outbox status for the operator.
var outboxStatus = map[mailroom.OutboxStatus]string{mailroom.OutboxPending: "wartet/pending", mailroom.OutboxHeld: "ANGEHALTEN/held",
	mailroom.OutboxDone: "zugestellt/done"}

// outboxList prints the held and pending deliveries (all: the delivered
// ones too), as text or JSON lines.
func outboxList(ctx context.Context, st *store.Store, all, asJSON bool) error {
	f := mailroom.OutboxFilter{Statuses: []mailroom.OutboxStatus{mailroom.OutboxHeld, mailroom.OutboxPending}}
	if all {
		f.Statuses = nil
	}
	es, err := st.OutboxEntries(ctx, f)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	for _, e := range es {
		if asJSON {
			enc.Encode(e)
			continue
		}
		fmt.Printf("%s  %-16s  %-12s  Dokument %s  seit %s  Versuche %d\n", e.ID, outboxStatus[e.Status], e.Target, e.DocumentID,
			e.CreatedAt.Local().Format("2006-01-02 15:04"), e.Attempts)
		if e.LastError != "" {
			fmt.Printf("    %s\n", e.LastError)
		}
		if e.Receipt != nil {
			fmt.Printf("    %s %s %s\n", e.Receipt.ObjectID, e.Receipt.URL, e.Receipt.Time.Local().Format("2006-01-02 15:04:05"))
		}
	}
	if len(es) == 0 && !asJSON {
		fmt.Println("Postausgang ist leer / outbox is empty")
	}
	return nil
}

// outboxRetry schedules the undelivered entries of each id (an entry or a
// document) again on behalf of act (the engine checks the role); an id
// without one is an error (exit 1).
func outboxRetry(ctx context.Context, e *engine.Engine, ids []string, act mailroom.Actor) error {
	for _, id := range ids {
		n, err := e.RetryDelivery(ctx, act, id)
		if err != nil {
			return forbidden(err)
		}
		if n == 0 {
			return &cli.ExitError{Code: 1, Msg: fmt.Sprintf("outbox retry: %s: no undelivered entry", id)}
		}
		fmt.Printf("%s: %d Zustellung(en) erneut eingeplant / delivery retried\n", id, n)
	}
	return nil
}
