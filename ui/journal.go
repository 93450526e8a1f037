package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"poststelle/mailroom"
)

// JournalView shows the hash-chained journal, newest first, filterable.
type JournalView struct {
	a       *App
	content fyne.CanvasObject

	Filter  *widget.Entry
	OnlyDoc *widget.Check
	List    *widget.List
	entries []mailroom.JournalEntry
}

// JournalLimit is how many entries the view loads.
const JournalLimit = 500

func newJournalView(a *App) *JournalView {
	v := &JournalView{a: a}
	l := a.L
	v.Filter = widget.NewEntry()
	v.Filter.SetPlaceHolder(l.T("journal.filter"))
	v.Filter.OnSubmitted = func(string) { v.Reload() }
	v.Filter.OnChanged = func(string) { v.Reload() }
	v.OnlyDoc = widget.NewCheck(l.T("journal.doc"), func(bool) { v.Reload() })
	v.List = widget.NewList(func() int { return len(v.entries) },
		func() fyne.CanvasObject {
			lb := widget.NewLabel("")
			lb.Truncation = fyne.TextTruncateEllipsis
			lb.TextStyle.Monospace = true
			return lb
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(v.entries) {
				o.(*widget.Label).SetText(Line(v.entries[id]))
			}
		})
	refresh := widget.NewButton(l.T("refresh"), v.Reload)
	v.content = container.NewBorder(container.NewBorder(nil, nil, nil, container.NewHBox(v.OnlyDoc, refresh), v.Filter), nil, nil, nil, v.List)
	return v
}

// Line formats one journal entry.
func Line(e mailroom.JournalEntry) string {
	doc := e.DocumentID
	if len(doc) > 8 {
		doc = doc[:8]
	}
	det := strings.ReplaceAll(e.Detail, "\n", " ")
	return fmt.Sprintf("%6d  %s  %-14s %-22s %-8s %s", e.Seq, e.Time.Local().Format("02.01.2006 15:04:05"), e.Action,
		clip(e.Actor, 22), doc, det)
}

// clip shortens s to n runes, the last one an ellipsis, so a long actor (a
// mail attachment's source "folder:eingang#b51d5147c9a3") does not run into
// the next column. The filter still searches the full text.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Entries are the entries shown.
func (v *JournalView) Entries() []mailroom.JournalEntry { return v.entries }

// Reload loads the journal with the filter.
func (v *JournalView) Reload() {
	f := mailroom.JournalFilter{Text: strings.TrimSpace(v.Filter.Text), Limit: JournalLimit, Newest: true}
	if v.OnlyDoc.Checked {
		f.DocumentID = v.a.Doc.docID
	}
	v.a.bg(func(ctx context.Context) error {
		es, err := v.a.Model.Journal(ctx, f)
		if err != nil {
			return err
		}
		v.a.do(func() { v.entries = es; v.List.Refresh() })
		return nil
	}, nil)
}
