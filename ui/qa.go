package ui

import (
	"context"
	"fmt"
	"image"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"poststelle/mailroom"
)

// QAView is the Prüfung screen: the quality check per TR-RESISCAN, then
// approve or reject.
type QAView struct {
	a       *App
	content fyne.CanvasObject

	Doc       *widget.Label
	Complete  *widget.Check
	Expected  *widget.Entry
	Legible   *widget.Check
	Matches   *widget.Check
	Copy      *widget.Check
	Damaged   *widget.Check
	Incomple  *widget.Check
	Note      *widget.Entry
	SaveBtn   *widget.Button
	ApproveBt *widget.Button
	RejectBt  *widget.Button
	Result    *widget.Label
	FourEyes  *widget.Label
	Preview   *canvas.Image
	PageLbl   *widget.Label
}

// setPage shows the page the Dokument view shows (the visual check).
func (v *QAView) setPage(img image.Image, label string) {
	if v == nil {
		return
	}
	v.Preview.Image = img
	v.Preview.Refresh()
	v.PageLbl.SetText(label)
}

func newQAView(a *App) *QAView {
	v := &QAView{a: a}
	l := a.L
	v.Doc = widget.NewLabelWithStyle(l.T("nodoc"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.Doc.Wrapping = fyne.TextWrapWord
	v.Complete = widget.NewCheck(l.T("qa.complete"), nil)
	v.Expected = widget.NewEntry()
	v.Expected.SetPlaceHolder("0")
	v.Legible = widget.NewCheck(l.T("qa.legible"), nil)
	v.Matches = widget.NewCheck(l.T("qa.matches"), nil)
	v.Copy = widget.NewCheck(l.T("qa.copy"), nil)
	v.Damaged = widget.NewCheck(l.T("qa.damaged"), nil)
	v.Incomple = widget.NewCheck(l.T("qa.incomplete"), nil)
	v.Note = widget.NewMultiLineEntry()
	v.Note.SetMinRowsVisible(3)
	v.SaveBtn = widget.NewButton(l.T("qa.save"), v.Save)
	v.SaveBtn.Importance = widget.HighImportance
	v.ApproveBt = widget.NewButton(l.T("approve"), v.Approve)
	v.ApproveBt.Importance = widget.SuccessImportance
	v.RejectBt = widget.NewButton(l.T("reject"), v.Reject)
	v.RejectBt.Importance = widget.DangerImportance
	v.Result = widget.NewLabel(l.T("qa.none"))
	v.Result.Wrapping = fyne.TextWrapWord
	v.FourEyes = widget.NewLabel("")
	v.FourEyes.Wrapping = fyne.TextWrapWord
	v.FourEyes.Importance = widget.WarningImportance
	v.FourEyes.Hide()
	v.Preview = canvas.NewImageFromImage(blank(200, 283))
	v.Preview.FillMode = canvas.ImageFillContain
	v.Preview.ScaleMode = canvas.ImageScaleSmooth
	v.PageLbl = widget.NewLabel("")
	prev := widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { a.Doc.GoPage(a.Doc.Current() - 1) })
	next := widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { a.Doc.GoPage(a.Doc.Current() + 1) })
	pageBox := container.NewBorder(container.NewHBox(prev, next, v.PageLbl), nil, nil, nil, v.Preview)
	form := widget.NewForm(widget.NewFormItem(l.T("qa.expected"), v.Expected))
	anomalies := container.NewHBox(v.Copy, v.Damaged, v.Incomple)
	checks := container.NewVScroll(container.NewPadded(container.NewVBox(
		widget.NewLabelWithStyle(l.T("qa.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		v.Doc, v.FourEyes, widget.NewSeparator(),
		v.Complete, form, v.Legible, v.Matches,
		widget.NewLabel(l.T("qa.anomalies")), anomalies,
		widget.NewLabel(l.T("qa.note")), v.Note,
		container.NewHBox(v.SaveBtn), v.Result, widget.NewSeparator(),
		container.NewHBox(v.ApproveBt, v.RejectBt),
	)))
	split := container.NewHSplit(checks, pageBox)
	split.Offset = 0.55
	v.content = split
	return v
}

// show fills the screen for the open document.
func (v *QAView) show() {
	d := v.a.Doc.View()
	l := v.a.L
	v.lockButtons(v.a.Doc.lock != nil)
	if d == nil {
		v.Doc.SetText(l.T("nodoc"))
		return
	}
	v.setPage(v.a.Doc.Preview.Image, v.a.Doc.PageLbl.Text)
	v.Doc.SetText(fmt.Sprintf("%s · %s · %s · %s: %s · %s", d.Filename, v.a.stateName(d.State), l.Pages(len(d.Pages)),
		l.T("col.protection"), d.Protection, d.ID))
	if lk := v.a.Doc.lock; lk != nil {
		v.Doc.SetText(v.Doc.Text + "\n" + l.T("locked", lk.Display()))
	}
	v.FourEyes.Hide()
	if d.Protection == mailroom.ProtectionSehrHoch && d.ScannedBy != "" {
		txt := l.T("qa.foureyes", d.ScannedBy)
		if strings.EqualFold(d.ScannedBy, v.a.Op.Person()) {
			txt += "\n" + l.T("qa.foureyes.you")
		}
		v.FourEyes.SetText(txt)
		v.FourEyes.Show()
	}
	if q := d.QA; q != nil {
		res := l.T("qa.failed")
		if q.Passed() {
			res = l.T("qa.passed")
		}
		v.Result.SetText(l.T("qa.recorded", q.Person, q.Time.Local().Format("02.01.2006 15:04"), res))
		v.Complete.SetChecked(q.Complete)
		v.Legible.SetChecked(q.Legible)
		v.Matches.SetChecked(q.Matches)
		v.Expected.SetText(strconv.Itoa(q.ExpectedPages))
		v.Note.SetText(q.Note)
		v.Copy.SetChecked(has(q.Anomalies, "copy"))
		v.Damaged.SetChecked(has(q.Anomalies, "damaged"))
		v.Incomple.SetChecked(has(q.Anomalies, "incomplete"))
	} else {
		v.Result.SetText(l.T("qa.none"))
		for _, c := range []*widget.Check{v.Complete, v.Legible, v.Matches, v.Copy, v.Damaged, v.Incomple} {
			c.SetChecked(false)
		}
		v.Expected.SetText("")
		v.Note.SetText("")
	}
}

func has(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Result builds the QA result from the form.
func (v *QAView) result() (mailroom.QAResult, error) {
	d := v.a.Doc.View()
	q := mailroom.QAResult{Person: v.a.Op.Person(), Time: time.Now().UTC(), Complete: v.Complete.Checked,
		Legible: v.Legible.Checked, Matches: v.Matches.Checked, ActualPages: len(d.Pages), Note: strings.TrimSpace(v.Note.Text)}
	if s := strings.TrimSpace(v.Expected.Text); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return q, mailroom.BadInput("Seitenzahl des Originals muss eine Zahl sein", "page count of the original must be a number", nil)
		}
		q.ExpectedPages = n
		if n != len(d.Pages) && q.Complete {
			return q, mailroom.BadInput(v.a.L.T("qa.pagecount", n, len(d.Pages)), English.T("qa.pagecount", n, len(d.Pages)), nil)
		}
	}
	for _, a := range []struct {
		c *widget.Check
		k string
	}{{v.Copy, "copy"}, {v.Damaged, "damaged"}, {v.Incomple, "incomplete"}} {
		if a.c.Checked {
			q.Anomalies = append(q.Anomalies, a.k)
		}
	}
	return q, nil
}

// Save records the check.
func (v *QAView) Save() {
	d := v.a.Doc.View()
	if d == nil {
		return
	}
	q, err := v.result()
	if err != nil {
		v.a.ShowError(err)
		return
	}
	ref := d.Ref()
	v.a.bg(func(ctx context.Context) error { return v.a.Model.RecordQA(ctx, ref, q) }, func(err error) {
		if err == nil {
			res := v.a.L.T("qa.failed")
			if q.Passed() {
				res = v.a.L.T("qa.passed")
			}
			v.a.Status(v.a.L.T("qa.saved", q.Person, res))
			v.reloadDoc()
		}
	})
}

func (v *QAView) reloadDoc() {
	id := v.a.Doc.docID
	v.a.bg(func(ctx context.Context) error {
		d, err := v.a.Model.Document(ctx, id)
		if err != nil {
			return err
		}
		v.a.do(func() {
			if v.a.Doc.docID == id {
				v.a.Doc.show(d, false)
				v.show()
			}
		})
		return nil
	}, nil)
}

// Approve releases the open document; afterwards the next one opens.
func (v *QAView) Approve() {
	d := v.a.Doc.View()
	if d == nil {
		return
	}
	id, ref := d.ID, d.Ref()
	v.a.bg(func(ctx context.Context) error { return v.a.Model.Approve(ctx, ref) }, func(err error) {
		if err == nil {
			v.a.Status(v.a.L.T("approved", d.Filename))
			v.afterDecision(id)
		}
	})
}

// Reject asks for a reason and rejects the open document.
func (v *QAView) Reject() { v.RejectDialog("") }

// RejectDialog asks for a reason, proposing initial, and rejects the open
// document.
func (v *QAView) RejectDialog(initial string) {
	d := v.a.Doc.View()
	if d == nil {
		return
	}
	reason := widget.NewEntry()
	reason.SetText(initial)
	items := []*widget.FormItem{widget.NewFormItem(v.a.L.T("reject.reason"), reason)}
	dlg := dialog.NewForm(v.a.L.T("reject"), v.a.L.T("reject"), v.a.L.T("cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		v.RejectWith(reason.Text)
	}, v.a.Win)
	reason.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("%s", v.a.L.T("reject.reason"))
		}
		return nil
	}
	dlg.Resize(fyne.NewSize(480, 200))
	dlg.Show()
	v.a.Win.Canvas().Focus(reason)
}

// RejectWith rejects the open document with reason.
func (v *QAView) RejectWith(reason string) {
	d := v.a.Doc.View()
	if d == nil {
		return
	}
	id, ref := d.ID, d.Ref()
	v.a.bg(func(ctx context.Context) error { return v.a.Model.Reject(ctx, ref, reason) }, func(err error) {
		if err == nil {
			v.a.Status(v.a.L.T("rejected", d.Filename))
			v.afterDecision(id)
		}
	})
}

func (v *QAView) afterDecision(id string) {
	rows := v.a.Inbox.Rows()
	next := ""
	for i, r := range rows {
		if r.ID == id {
			if i+1 < len(rows) {
				next = rows[i+1].ID
			} else if i > 0 {
				next = rows[i-1].ID
			}
		}
	}
	v.a.Inbox.Reload()
	if next != "" {
		v.a.Doc.Open(next)
		v.a.SelectTab(1)
	} else {
		v.a.Doc.reload()
		v.a.SelectTab(0)
	}
}
