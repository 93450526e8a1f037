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
	register("outbox", "list DMS deliveries, retry held ones (docs/cli.md)", runOutbox)
}

func runOutbox(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("outbox", flag.ContinueOnError)
	var cf configFlags
	cf.add(fs)
	asJSON := fs.Bool("json", false, "list as JSON lines")
	all := fs.Bool("all", false, "list delivered entries too")
	var af actorFlags
	af.add(fs, "as", "", "the operator acting (role verwaltung); without operators configured a name for the journal (default: the OS user)")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: poststelle outbox [flags] list | retry ID...\n  ID: an outbox entry or a document (all its undelivered entries)\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() < 1 {
		fs.Usage()
		return &exitError{code: 2}
	}
	sub, rest := fs.Arg(0), fs.Args()[1:]
	if err := fs.Parse(rest); err != nil {
		return err
	}
	ids := fs.Args()
	cfg, st, err := cf.open()
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "list":
		f := mailroom.OutboxFilter{Statuses: []mailroom.OutboxStatus{mailroom.OutboxHeld, mailroom.OutboxPending}}
		if *all {
			f.Statuses = nil
		}
		es, err := st.OutboxEntries(ctx, f)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetEscapeHTML(false)
		for _, e := range es {
			if *asJSON {
				enc.Encode(e)
				continue
			}
			status := map[mailroom.OutboxStatus]string{mailroom.OutboxPending: "wartet/pending", mailroom.OutboxHeld: "ANGEHALTEN/held",
				mailroom.OutboxDone: "zugestellt/done"}[e.Status]
			fmt.Printf("%s  %-16s  %-12s  Dokument %s  seit %s  Versuche %d\n", e.ID, status, e.Target, e.DocumentID,
				e.CreatedAt.Local().Format("2006-01-02 15:04"), e.Attempts)
			if e.LastError != "" {
				fmt.Printf("    %s\n", e.LastError)
			}
			if e.Receipt != nil {
				fmt.Printf("    %s %s %s\n", e.Receipt.ObjectID, e.Receipt.URL, e.Receipt.Time.Local().Format("2006-01-02 15:04:05"))
			}
		}
		if len(es) == 0 && !*asJSON {
			fmt.Println("Postausgang ist leer / outbox is empty")
		}
		return nil
	case "retry":
		if len(ids) == 0 {
			return &exitError{code: 2, msg: "outbox retry: give at least one entry or document ID"}
		}
		actor, err := af.resolve(ctx, cfg, st)
		if err != nil {
			return err
		}
		e := &engine.Engine{Config: cfg, Store: st}
		for _, id := range ids {
			n, err := e.RetryDelivery(ctx, actor, id)
			if err != nil {
				return forbidden(err)
			}
			if n == 0 {
				return &exitError{code: 1, msg: fmt.Sprintf("outbox retry: %s: no undelivered entry", id)}
			}
			fmt.Printf("%s: %d Zustellung(en) erneut eingeplant / delivery retried\n", id, n)
		}
		return nil
	}
	fs.Usage()
	return &exitError{code: 2}
}
