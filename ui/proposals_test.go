package ui_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/store"
	"poststelle/mailroom/testcorpus"
	"poststelle/scan/pages"
	"poststelle/ui"
	"poststelle/ui/embedded"
)

// numberedText "recognises" the scanned batch's pages by their printed
// page numbers (the four invoices have 2, 2, 4 and 3 pages); the recognise
// stage's real boundary scorer turns them into proposals before pages 3, 5
// and 9. (The OCR of these pages is measured in mailroom/boundary/measure.)
type numberedText struct{}

func (numberedText) Recognise(ctx context.Context, job mailroom.RecognitionJob) (mailroom.RecognitionResult, error) {
	out := filepath.Join(job.OutDir, mailroom.FileDocument)
	os.MkdirAll(job.OutDir, 0o750)
	if err := os.WriteFile(out, []byte("%PDF-1.7\n"), 0o640); err != nil {
		return mailroom.RecognitionResult{}, err
	}
	res := mailroom.RecognitionResult{Output: out}
	of := map[int][2]int{}
	src := 1
	for _, n := range []int{2, 2, 4, 3} {
		for i := 1; i <= n; i++ {
			of[src] = [2]int{i, n}
			src++
		}
	}
	for _, p := range job.Pages {
		res.Pages = append(res.Pages, mailroom.PageResult{Page: p, Confidence: 90,
			Text: "Beispiel-Rechnungen\nRechnung\nPositionen\nSeite " + strconv.Itoa(of[p][0]) + " von " + strconv.Itoa(of[p][1])})
	}
	return res, nil
}

func proposalEnv(t *testing.T) *env {
	t.Helper()
	test.NewTempApp(t)
	cfg, err := mailroom.Default(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	op := pages.NewOpener(pages.Options{})
	e := &engine.Engine{Config: cfg, Store: st, Opener: op, Recognition: numberedText{}, OneShot: true}
	ctx := context.Background()
	src := testcorpus.Path(t, "scans", "batch-visible.pdf")
	b, _, err := st.Intake(ctx, mailroom.Item{Source: "folder:eingang", Profile: mailroom.Profile{Name: "eingang",
		Protection: mailroom.ProtectionNormal}, Path: src, Name: filepath.Base(src)})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.ProcessBatch(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	m := embedded.New(cfg, st, e, op)
	t.Cleanup(m.Renderer().Close)
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1400, 900))
	a := ui.New(w, m, ui.Options{Refresh: time.Hour, Do: uiPump.do})
	t.Cleanup(a.Close)
	return &env{st, e, m, a, w}
}

// markers counts the proposal markers drawn in the window.
func markers(w fyne.Window) int {
	n := 0
	for _, o := range test.LaidOutObjects(w.Content()) {
		if tx, ok := o.(*canvas.Text); ok && o.Visible() && strings.HasPrefix(tx.Text, "✂ neues Dokument") {
			n++
		}
	}
	return n
}

// TestSplitProposalsAtTheDesk: the Eingang shows how many proposals a
// document has, the thumbnail strip marks them, Strg+G goes to a proposal
// and accepts it (a split journaled as the clerk's decision),
// Strg+Umschalt+G dismisses one (journaled).
func TestSplitProposalsAtTheDesk(t *testing.T) {
	ev := proposalEnv(t)
	start(t, ev)
	a, ctx := ev.app, context.Background()
	in := a.Inbox
	if len(in.Rows()) != 1 || in.Rows()[0].Proposals != 3 {
		t.Fatalf("inbox rows %+v, want one document with 3 proposals", in.Rows())
	}
	if got := in.CellText(0, 5); got != "✂ 3" {
		t.Fatalf("proposal column shows %q", got)
	}
	id := in.Rows()[0].ID
	a.Doc.Open(id)
	a.SelectTab(1)
	eventually(t, "document", func() bool { return a.Doc.View() != nil && len(a.Doc.View().Pages) == 11 })
	eventually(t, "markers in the thumbnail strip", func() bool { return markers(ev.w) >= 1 })
	if !strings.Contains(a.Doc.Proposal.Text, "3 Trennvorschläge") {
		t.Fatalf("proposal row on page 1: %q", a.Doc.Proposal.Text)
	}
	sc := ev.w.Canvas().(fyne.Shortcutable)
	accept := &desktop.CustomShortcut{KeyName: fyne.KeyG, Modifier: fyne.KeyModifierControl}
	dismiss := &desktop.CustomShortcut{KeyName: fyne.KeyG, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
	// First Strg+G: to the proposal before original page 3, nothing split.
	sc.TypedShortcut(accept)
	if a.Doc.Current() != 2 || !strings.Contains(a.Doc.Proposal.Text, "Seitenzählung beginnt neu +4") {
		t.Fatalf("after Strg+G: page %d, %q", a.Doc.Current(), a.Doc.Proposal.Text)
	}
	if docs, _ := ev.st.Documents(ctx, mailroom.DocFilter{}); len(docs) != 1 {
		t.Fatalf("split before the clerk saw the proposal")
	}
	// Second Strg+G accepts; the new document (pages 3–11) opens.
	sc.TypedShortcut(accept)
	eventually(t, "split accepted", func() bool { v := a.Doc.View(); return v != nil && v.ID != id && len(v.Pages) == 9 })
	d, _ := ev.st.Document(ctx, id)
	if len(d.Pages) != 2 || !d.HasFlag(mailroom.FlagPagesChanged) {
		t.Fatalf("head after accept: pages %v flags %v", d.Pages, d.Flags)
	}
	tail := a.Doc.View().ID
	// Strg+Umschalt+G: to the proposal before page 5, then dismiss it.
	sc.TypedShortcut(dismiss)
	if a.Doc.Current() != 2 {
		t.Fatalf("dismiss went to position %d, want 2 (original page 5)", a.Doc.Current())
	}
	sc.TypedShortcut(dismiss)
	eventually(t, "dismissed", func() bool {
		d, _ := ev.st.Document(ctx, tail)
		return len(mailroom.ProposedSplits(d)) == 1 && mailroom.DismissedSplits(d)[5]
	})
	eventually(t, "inbox counts", func() bool {
		for _, r := range a.Inbox.Rows() {
			if r.ID == tail && r.Proposals == 1 {
				return true
			}
		}
		return false
	})
	ops := map[string]string{}
	es, _ := ev.st.Journal(ctx, mailroom.JournalFilter{Action: "page-op"})
	for _, e := range es {
		for _, op := range []string{"accept-split", "dismiss-split"} {
			if strings.Contains(e.Detail, `"op":"`+op+`"`) && strings.Contains(e.Detail, "reasons") {
				ops[op] = e.Actor
			}
		}
	}
	if ops["accept-split"] != a.Op.Person() || ops["dismiss-split"] != a.Op.Person() {
		t.Fatalf("journal: %v, want both decisions by %s with their reasons", ops, a.Op.Person())
	}
	// English labels.
	a.SetLang(ui.English)
	eventually(t, "English document", func() bool { return a.Doc.View() != nil && a.Doc.Proposal != nil })
	a.Doc.GoPage(a.Doc.View().NextProposal(0))
	if !strings.Contains(a.Doc.Proposal.Text, "page numbering restarts") {
		t.Fatalf("English proposal row: %q", a.Doc.Proposal.Text)
	}
}
