package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"poststelle/cmd/internal/cli"
	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/scan/hotfolder"
)

func init() {
	register("process", "run the automatic pipeline on files and print JSON lines (docs/cli.md)", runProcess)
}

// batchLine and documentLine are the `process` output, version 1 (docs/cli.md).
type batchLine struct {
	Type       string               `json:"type"`
	ID         string               `json:"id"`
	Source     string               `json:"source"`
	PageCount  int                  `json:"page_count"`
	Separators []mailroom.Separator `json:"separators"`
	// ProposedSplits are the open proposals of the batch's documents
	// (auto_split = propose), AppliedSplits those applied (apply).
	ProposedSplits []mailroom.SplitProposal `json:"proposed_splits"`
	AppliedSplits  []mailroom.SplitProposal `json:"applied_splits,omitempty"`
	Duplicate      bool                     `json:"duplicate,omitempty"`
}

// refusedLine is printed for a file intake refused: nothing was stored.
type refusedLine struct {
	Type   string `json:"type"` // "refused"
	Source string `json:"source"`
	Reason string `json:"reason"`
}

type documentLine struct {
	Type     string            `json:"type"`
	ID       string            `json:"id"`
	Batch    string            `json:"batch"`
	Source   string            `json:"source"`
	State    mailroom.State    `json:"state"`
	Pages    []int             `json:"pages"`
	Output   *string           `json:"output"`
	Metadata map[string]string `json:"metadata"`
	Flags    []string          `json:"flags"`
	Reason   *string           `json:"reason"`
	Receipt  any               `json:"receipt,omitempty"`
}

// approveAndDeliver is set by the delivery capability: it approves a
// recognised document on behalf of person and delivers it at once,
// returning the receipt.
var approveAndDeliver func(ctx context.Context, w *wiring, e *engine.Engine, docID string, act mailroom.Actor) (any, error)

func runProcess(ctx context.Context, args []string) error {
	fs, cf := commandFlags("process")
	var af actorFlags
	af.add(fs, "approve-as", "", "approve every resulting document on behalf of NAME (role freigabe; with operators configured NAME logs in) and deliver it")
	setUsage(fs, "usage: poststelle process [--config F] [--data-dir D] [--approve-as NAME [--password-file F]] FILE...\n")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return &cli.ExitError{Code: 2}
	}
	approve := af.name != ""
	if approve && approveAndDeliver == nil {
		return fmt.Errorf("--approve-as: delivery is not available in this build")
	}
	cfg, st, log, err := cf.openForEngine()
	if err != nil {
		return err
	}
	defer st.Close()
	exitAfterShutdown(ctx, cfg)
	var approver *mailroom.Actor
	if approve {
		act, err := af.resolve(ctx, cfg, st)
		if err != nil {
			return err
		}
		if err := (&engine.Engine{Store: st}).Authorize(ctx, act, "approve", ""); err != nil {
			return forbidden(err)
		}
		approver = &act
	}
	w := &wiring{Cfg: cfg, Store: st, Log: log}
	e, err := buildEngine(w)
	if err != nil {
		return err
	}
	e.OneShot = true
	out := json.NewEncoder(os.Stdout)
	out.SetEscapeHTML(false)
	failed := 0
	for _, file := range fs.Args() {
		if err := processOne(ctx, w, e, file, approver, out); err != nil {
			failed++
			fmt.Fprintf(os.Stderr, "poststelle: %s: %v\n", file, err)
		}
	}
	if failed > 0 {
		return &cli.ExitError{Code: 1}
	}
	return nil
}

func processOne(ctx context.Context, w *wiring, e *engine.Engine, file string, approver *mailroom.Actor, out *json.Encoder) error {
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("is a folder; give files")
	}
	prof := mailroom.Profile{Name: "cli", Protection: mailroom.ProtectionNormal}
	it := mailroom.Item{Source: "cli", Profile: prof, Path: abs, Name: hotfolder.SafeName(filepath.Base(abs)),
		MaxSize: w.Cfg.Intake.MaxFileSize}
	b, _, err := w.Store.Intake(ctx, engine.WithScannedBy(it, ""))
	dup := errors.Is(err, mailroom.ErrDuplicate)
	if ie, bad := mailroom.AsInputError(err); bad {
		// Refused (too large, not a regular file): nothing stored; say so.
		w.Store.Append(ctx, "cli", "intake-refused", "", "", map[string]string{"file": abs, "reason": ie.Reason()})
		return out.Encode(refusedLine{Type: "refused", Source: abs, Reason: ie.Reason()})
	}
	if err != nil && !dup {
		return err
	}
	// Parts taken in from a batch (a mail's attachments) are batches of
	// their own: process and print them after their parent.
	first := b.ID
	var undelivered undeliveredError
	for queue := []string{b.ID}; len(queue) > 0; {
		id := queue[0]
		queue = queue[1:]
		if err := processBatchLines(ctx, w, e, id, file, abs, approver, dup && id == first, out); err != nil {
			var u undeliveredError
			if !errors.As(err, &u) {
				return err
			}
			undelivered += u // go on with the attachments; report at the end
		}
		children, err := childBatches(ctx, w, id)
		if err != nil {
			return err
		}
		queue = append(queue, children...)
	}
	if undelivered > 0 {
		return undelivered
	}
	return nil
}

// undeliveredError counts documents that `--approve-as` could not approve or
// deliver; process then exits 1 after printing every line.
type undeliveredError int

func (u undeliveredError) Error() string {
	return fmt.Sprintf("%d document(s) not approved or not delivered (see above; `poststelle outbox list`)", int(u))
}

// childBatches returns the batches taken in from batch id (metadata parent_batch).
func childBatches(ctx context.Context, w *wiring, id string) ([]string, error) {
	all, err := w.Store.Batches(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range all {
		if c.Metadata["parent_batch"] == id {
			out = append(out, c.ID)
		}
	}
	return out, nil
}

func processBatchLines(ctx context.Context, w *wiring, e *engine.Engine, id, file, abs string, approver *mailroom.Actor, dup bool, out *json.Encoder) error {
	if err := e.ProcessBatch(ctx, id); err != nil {
		return err
	}
	b, err := w.Store.Batch(ctx, id)
	if err != nil {
		return err
	}
	docs, err := w.Store.Documents(ctx, mailroom.DocFilter{BatchID: b.ID})
	if err != nil {
		return err
	}
	seps := b.Separators
	if seps == nil {
		seps = []mailroom.Separator{}
	}
	proposed, applied := splitLines(docs)
	if err := out.Encode(batchLine{Type: "batch", ID: b.ID, Source: abs, PageCount: b.PageCount, Separators: seps,
		ProposedSplits: proposed, AppliedSplits: applied, Duplicate: dup}); err != nil {
		return err
	}
	undelivered := 0
	for _, d := range docs {
		if d.HasFlag(mailroom.FlagSeparatorOnly) && len(d.Pages) == 0 {
			continue // nothing but separator sheets: no document
		}
		var receipt any
		if approver != nil && (d.State == mailroom.StateReview || d.State == mailroom.StateApproved) {
			receipt, err = approveAndDeliver(ctx, w, e, d.ID, *approver)
			if err != nil {
				fmt.Fprintf(os.Stderr, "poststelle: %s: document %s: %s\n", file, d.ID, clerkText(err))
				undelivered++
			}
			if nd, err := w.Store.Document(ctx, d.ID); err == nil {
				d = nd
			}
		}
		if err := out.Encode(docLine(d, abs, receipt)); err != nil {
			return err
		}
	}
	if undelivered > 0 {
		return undeliveredError(undelivered)
	}
	return nil
}

// splitLines collects the batch's open and applied split proposals in
// page order (docs/cli.md, docs/autosplit.md).
func splitLines(docs []*mailroom.Document) (proposed, applied []mailroom.SplitProposal) {
	proposed = []mailroom.SplitProposal{}
	for _, d := range docs {
		proposed = append(proposed, mailroom.ProposedSplits(d)...)
		var p mailroom.SplitProposal
		if s := d.Metadata[mailroom.MetaAutoSplit]; s != "" && json.Unmarshal([]byte(s), &p) == nil {
			applied = append(applied, p)
		}
	}
	sort.Slice(proposed, func(i, j int) bool { return proposed[i].Page < proposed[j].Page })
	sort.Slice(applied, func(i, j int) bool { return applied[i].Page < applied[j].Page })
	return proposed, applied
}

func docLine(d *mailroom.Document, source string, receipt any) documentLine {
	l := documentLine{Type: "document", ID: d.ID, Batch: d.BatchID, Source: source, State: d.State, Pages: d.Pages,
		Metadata: d.Metadata, Flags: d.Flags, Receipt: receipt}
	if d.Output != "" {
		o := d.Output
		l.Output = &o
	}
	if d.Reason != "" {
		r := d.Reason
		l.Reason = &r
	}
	return l
}
