package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"poststelle/mailroom"
)

// QuarantineView lists quarantined documents with their reason; an
// operator retries or releases them.
type QuarantineView struct {
	a       *App
	content fyne.CanvasObject

	List     *widget.List
	Reason   *widget.Label
	RetryBt  *widget.Button
	Release  *widget.Button
	rows     []DocRow
	selected int
}

func newQuarantineView(a *App) *QuarantineView {
	v := &QuarantineView{a: a, selected: -1}
	l := a.L
	v.List = widget.NewList(func() int { return len(v.rows) },
		func() fyne.CanvasObject {
			lb := widget.NewLabel("")
			lb.Truncation = fyne.TextTruncateEllipsis
			return lb
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(v.rows) {
				r := v.rows[id]
				o.(*widget.Label).SetText(fmt.Sprintf("%s · %s · %s", r.Filename, r.Source, l.Reason(r.Reason)))
			}
		})
	v.Reason = widget.NewLabel("")
	v.Reason.Wrapping = fyne.TextWrapWord
	v.RetryBt = widget.NewButton(l.T("retry"), func() { v.act(false) })
	v.Release = widget.NewButton(l.T("release"), func() { v.act(true) })
	v.RetryBt.Disable()
	v.Release.Disable()
	v.List.OnSelected = func(id widget.ListItemID) {
		v.selected = id
		if id < len(v.rows) {
			r := v.rows[id]
			v.Reason.SetText(fmt.Sprintf("%s: %s\n%s: %s (%s)", l.T("col.file"), r.Filename, l.T("col.reason"), r.Reason, r.ID))
			v.RetryBt.Enable()
			v.Release.Enable()
		}
	}
	v.content = container.NewBorder(nil, container.NewVBox(v.Reason, container.NewHBox(v.RetryBt, v.Release)), nil, nil, v.List)
	return v
}

// Rows are the quarantined documents shown.
func (v *QuarantineView) Rows() []DocRow { return v.rows }

// Reload loads the list.
func (v *QuarantineView) Reload() {
	v.a.bg(func(ctx context.Context) error {
		rows, err := v.a.Model.Documents(ctx, mailroom.StateQuarantined)
		if err != nil {
			return err
		}
		v.a.do(func() {
			v.rows = rows
			v.selected = -1
			v.List.UnselectAll()
			v.Reason.SetText("")
			v.RetryBt.Disable()
			v.Release.Disable()
			v.List.Refresh()
		})
		return nil
	}, nil)
}

// Select selects row i.
func (v *QuarantineView) Select(i int) { v.List.Select(i) }

func (v *QuarantineView) act(release bool) {
	if v.selected < 0 || v.selected >= len(v.rows) {
		return
	}
	ref := v.rows[v.selected].Ref()
	v.a.bg(func(ctx context.Context) error {
		if release {
			return v.a.Model.Release(ctx, ref)
		}
		return v.a.Model.Retry(ctx, ref)
	}, func(err error) { v.Reload() })
}
