package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"poststelle/mailroom"
	"poststelle/mailroom/store"
	"poststelle/mailroom/testcorpus"
	"poststelle/scan/pages"
	"poststelle/ui"
	"poststelle/ui/embedded"
)

// TestSplitProposalsEndToEnd: the scanned batch of four invoices without
// separator sheets is recognised with tesseract by the desk's own wiring;
// the desk lists it with three split proposals, marks them in the
// thumbnail strip and accepts the first with Strg+G. Screenshots:
// docs/screenshots/eingang-trennvorschlaege.png, dokument-trennvorschlag.png.
func TestSplitProposalsEndToEnd(t *testing.T) {
	needX(t)
	if testing.Short() {
		t.Skip("recognises 11 pages")
	}
	ctx := context.Background()
	cfg, err := mailroom.Default(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e, err := buildEngine(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)), Parts{Recognition: true})
	if err != nil {
		t.Fatal(err)
	}
	e.OneShot = true
	b, _, err := st.Intake(ctx, mailroom.Item{Source: "folder:eingang", Profile: mailroom.Profile{Name: "eingang",
		Protection: mailroom.ProtectionNormal}, Path: testcorpus.Path(t, "scans", "batch-visible.pdf"), Name: "batch-visible.pdf"})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	if err := e.ProcessBatch(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	t.Logf("recognised in %v", time.Since(t0).Round(time.Millisecond))
	m := embedded.New(cfg, st, e, pages.NewOpener(pages.Options{}))
	defer m.Renderer().Close()
	var w fyne.Window
	var desk *ui.App
	onUI(func() {
		w = glApp.NewWindow("Poststelle")
		w.Resize(fyne.NewSize(1400, 900))
		desk = ui.New(w, m, ui.Options{Refresh: time.Hour})
		desk.Start()
		w.Show()
	})
	defer onUI(func() { desk.Close(); w.Hide() })
	waitFor(t, "inbox row", 20*time.Second, func() bool { return desk.Inbox != nil && len(desk.Inbox.Rows()) == 1 })
	var row ui.DocRow
	onUI(func() { row = desk.Inbox.Rows()[0] })
	if row.Proposals != 3 {
		t.Fatalf("inbox row has %d proposals, want 3", row.Proposals)
	}
	shot(t, w, "eingang-trennvorschlaege.png")
	onUI(func() { desk.Inbox.Table.Select(widget.TableCellID{Row: 0, Col: 1}) })
	waitFor(t, "11 thumbnails", 60*time.Second, func() bool { return desk.Doc.ThumbCount() == 11 })
	// Strg+G goes to the first proposal (original page 3) and shows its reasons.
	var first any
	waitFor(t, "first preview", 20*time.Second, func() bool { first = desk.Doc.Preview.Image; return first != nil })
	onUI(desk.Doc.AcceptProposal)
	var text string
	onUI(func() { text = desk.Doc.Proposal.Text })
	if !strings.Contains(text, "Seitenzählung beginnt neu") {
		t.Fatalf("proposal row: %q", text)
	}
	waitFor(t, "preview of page 3", 20*time.Second, func() bool {
		return desk.Doc.Current() == 2 && desk.Doc.Preview.Image != nil && any(desk.Doc.Preview.Image) != first
	})
	shot(t, w, "dokument-trennvorschlag.png")
	onUI(desk.Doc.AcceptProposal)
	waitFor(t, "split", 20*time.Second, func() bool { v := desk.Doc.View(); return v != nil && len(v.Pages) == 9 })
	docs, _ := st.Documents(ctx, mailroom.DocFilter{BatchID: b.ID})
	if len(docs) != 2 || len(docs[0].Pages) != 2 {
		t.Fatalf("after accepting: %d documents", len(docs))
	}
	if desk.LastError() != "" {
		t.Fatalf("desk showed an error: %s", desk.LastError())
	}
}
