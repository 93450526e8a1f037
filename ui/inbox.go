package ui

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"poststelle/mailroom"
)

// InboxView is the Eingang: documents waiting for review.
type InboxView struct {
	a       *App
	content fyne.CanvasObject

	Table    *widget.Table
	Filter   *widget.Entry
	Sort     *widget.Select
	Counts   *widget.Label
	Progress *widget.ProgressBarInfinite
	Working  *widget.Label

	all  []DocRow
	rows []DocRow
	busy bool
}

var inboxCols = []struct {
	key   string
	width float32
}{{"col.source", 150}, {"col.file", 220}, {"col.age", 80}, {"col.class", 150}, {"col.pages", 60}, {"col.proposals", 140}, {"col.protection", 110}, {"col.flags", 260}}

func newInboxView(a *App) *InboxView {
	v := &InboxView{a: a}
	l := a.L
	v.Filter = widget.NewEntry()
	v.Filter.SetPlaceHolder(l.T("filter"))
	v.Filter.OnChanged = func(string) { v.apply() }
	sorts := []string{l.T("sort.age"), l.T("sort.newest"), l.T("sort.source"), l.T("sort.pages"), l.T("sort.class")}
	v.Sort = widget.NewSelect(sorts, func(string) { v.apply() })
	fitSelect(v.Sort)
	v.Sort.SetSelected(sorts[0])
	v.Counts = widget.NewLabel("")
	v.Working = widget.NewLabel(l.T("idle"))
	v.Progress = widget.NewProgressBarInfinite()
	v.Progress.Hide()
	v.Table = widget.NewTable(
		func() (int, int) { return len(v.rows), len(inboxCols) },
		func() fyne.CanvasObject {
			lb := widget.NewLabel("")
			lb.Truncation = fyne.TextTruncateEllipsis
			return lb
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row < len(v.rows) {
				o.(*widget.Label).SetText(v.cell(v.rows[id.Row], id.Col))
			}
		})
	v.Table.ShowHeaderRow = true
	v.Table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	v.Table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(inboxCols) {
			o.(*widget.Label).SetText(l.T(inboxCols[id.Col].key))
		}
	}
	for i, c := range inboxCols {
		v.Table.SetColumnWidth(i, c.width)
	}
	v.Table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(v.rows) {
			a.Doc.Open(v.rows[id.Row].ID)
			a.SelectTab(1)
		}
		v.Table.UnselectAll()
	}
	top := container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewHBox(widget.NewLabel(l.T("sort")), v.Sort), v.Filter),
		v.Counts,
		container.NewBorder(nil, nil, nil, nil, container.NewStack(v.Progress), v.Working),
	)
	v.content = container.NewBorder(top, nil, nil, nil, v.Table)
	return v
}

func (v *InboxView) cell(r DocRow, col int) string {
	switch col {
	case 0:
		return r.Source
	case 1:
		if r.Seq > 1 {
			return fmt.Sprintf("%s (%d)", r.Filename, r.Seq)
		}
		return r.Filename
	case 2:
		return v.age(r.Received)
	case 3:
		return r.Class
	case 4:
		return strconv.Itoa(r.Pages)
	case 5:
		if r.Proposals == 0 {
			return ""
		}
		return "✂ " + strconv.Itoa(r.Proposals)
	case 6:
		return string(r.Protection)
	case 7:
		if l := r.LockedByOther(v.a.Op.Login, time.Now()); l != nil {
			return strings.TrimSuffix(v.a.L.T("locked", l.Display())+" · "+v.a.L.Flags(r.Flags), " · ")
		}
		return v.a.L.Flags(r.Flags)
	}
	return ""
}

func (v *InboxView) age(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Hour:
		return v.a.L.T("age.min", int(d.Minutes()))
	case d < 48*time.Hour:
		return v.a.L.T("age.h", int(d.Hours()))
	}
	return v.a.L.T("age.d", int(d.Hours()/24))
}

// CellText is the text of a cell of the list as shown (tests).
func (v *InboxView) CellText(row, col int) string {
	if row < 0 || row >= len(v.rows) {
		return ""
	}
	return v.cell(v.rows[row], col)
}

// Rows are the rows shown (after filter and sort).
func (v *InboxView) Rows() []DocRow { return v.rows }

// Reload loads the list and counts in the background.
func (v *InboxView) Reload() {
	if v.busy {
		return
	}
	v.busy = true
	v.a.bg(func(ctx context.Context) error {
		rows, err := v.a.Model.Documents(ctx, mailroom.StateReview)
		if err != nil {
			return err
		}
		counts, err := v.a.Model.Counts(ctx)
		if err != nil {
			return err
		}
		v.a.do(func() { v.all = rows; v.setCounts(counts); v.apply() })
		return nil
	}, func(error) { v.busy = false })
}

func (v *InboxView) setCounts(c map[mailroom.State]int) {
	var parts []string
	for _, s := range mailroom.AllStates {
		if c[s] > 0 {
			parts = append(parts, fmt.Sprintf("%s: %d", v.a.stateName(s), c[s]))
		}
	}
	v.Counts.SetText(strings.Join(parts, " · "))
	working := c[mailroom.StateReceived] + c[mailroom.StateSplitting] + c[mailroom.StateRecognising]
	if working > 0 {
		v.Working.SetText(v.a.L.T("working", working))
		v.Progress.Show()
		v.Progress.Start()
	} else {
		v.Working.SetText(v.a.L.T("idle"))
		v.Progress.Stop()
		v.Progress.Hide()
	}
}

func (v *InboxView) apply() {
	if v.Sort == nil || v.Table == nil {
		return
	}
	q := strings.ToLower(strings.TrimSpace(v.Filter.Text))
	rows := make([]DocRow, 0, len(v.all))
	for _, r := range v.all {
		if q != "" && !strings.Contains(strings.ToLower(strings.Join([]string{r.Source, r.Filename, r.Class, r.Subject,
			string(r.Protection), strings.Join(r.Flags, " ")}, " ")), q) {
			continue
		}
		rows = append(rows, r)
	}
	l := v.a.L
	by := map[string]func(x, y DocRow) bool{
		l.T("sort.age"):    func(x, y DocRow) bool { return x.Received.Before(y.Received) },
		l.T("sort.newest"): func(x, y DocRow) bool { return x.Received.After(y.Received) },
		l.T("sort.source"): func(x, y DocRow) bool { return x.Source < y.Source },
		l.T("sort.pages"):  func(x, y DocRow) bool { return x.Pages > y.Pages },
		l.T("sort.class"):  func(x, y DocRow) bool { return x.Class < y.Class },
	}[v.Sort.Selected]
	if by != nil {
		sort.SliceStable(rows, func(i, j int) bool {
			if by(rows[i], rows[j]) != by(rows[j], rows[i]) {
				return by(rows[i], rows[j])
			}
			return rows[i].Seq < rows[j].Seq
		})
	}
	v.rows = rows
	v.Table.Refresh()
}

// fitSelect makes s wide enough for its longest option: a Fyne Select
// takes its minimum width from the placeholder, so "Älteste zuerst" was cut
// to "Älteste zue…". The placeholder is shown only while nothing is selected.
func fitSelect(s *widget.Select) {
	for _, o := range s.Options {
		if len([]rune(o)) > len([]rune(s.PlaceHolder)) {
			s.PlaceHolder = o
		}
	}
}
