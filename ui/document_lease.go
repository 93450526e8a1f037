package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2/widget"

	"poststelle/mailroom"
)

// Several desks on one engine: the document open at this desk is held by a
// desk lease, renewed while it stays open (every refresh) and given up when
// another document is opened or the desk closes. A document another person
// holds is shown read-only with "In Bearbeitung durch NAME"; once their
// lease ends (they moved on, or their desk went away and it expired) this
// desk gets it at the next refresh.

func (v *DocumentView) newLockLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Hide()
	return l
}

// ref is the open document with the version shown, for a change.
func (v *DocumentView) ref() mailroom.Ref {
	if v.view == nil {
		return mailroom.Ref{ID: v.docID}
	}
	return v.view.Ref()
}

// LockedBy is the other person who has the open document, or "".
func (v *DocumentView) LockedBy() string {
	if v.lock == nil {
		return ""
	}
	return v.lock.Display()
}

// hold takes or renews the lease of the open document in the background
// and shows who holds it.
func (v *DocumentView) hold() {
	id := v.docID
	if id == "" || v.view == nil || v.view.State != mailroom.StateReview {
		v.showLock(nil)
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(v.a.ctx, 30*time.Second)
		defer cancel()
		l, err := v.a.Model.Hold(ctx, id)
		v.a.do(func() {
			if err != nil {
				v.a.noteError(err)
				return
			}
			v.a.noteOnline()
			if v.docID != id {
				return
			}
			if l != nil && l.Login != "" && l.Login != v.a.Op.Login {
				v.showLock(l)
				return
			}
			v.held = id
			v.showLock(nil)
		})
	}()
}

// showLock shows the other holder (nil: none) and enables the tools when
// the document is free for this desk.
func (v *DocumentView) showLock(l *mailroom.DeskLease) {
	was := v.lock != nil
	v.lock = l
	if v.a.QA != nil && was != (l != nil) {
		v.a.QA.lockButtons(l != nil)
	}
	if l != nil {
		v.Lock.SetText(v.a.L.T("locked", l.Display()))
		v.Lock.Show()
		v.setEnabled(false)
		return
	}
	v.Lock.Hide()
	if was && v.view != nil {
		v.setEnabled(v.view.State == mailroom.StateReview)
	}
}

// Holding reports whether this desk holds the lease of the open document.
func (v *DocumentView) Holding() bool { return v.docID != "" && v.held == v.docID }

// lockButtons enables the check and decision buttons for a document in
// review that no other person has open.
func (v *QAView) lockButtons(locked bool) {
	d := v.a.Doc.View()
	on := d != nil && d.State == mailroom.StateReview && !locked
	for _, b := range []*widget.Button{v.SaveBtn, v.ApproveBt, v.RejectBt} {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// leave gives up the lease of the document held before, in the
// background (when another one opens).
func (v *DocumentView) leave() {
	id := v.held
	v.held = ""
	if id == "" {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		v.a.Model.Leave(ctx, id)
	}()
}

// leaveNow gives up the lease and waits for it (the desk closes).
func (v *DocumentView) leaveNow(ctx context.Context) {
	if id := v.held; id != "" {
		v.held = ""
		v.a.Model.Leave(ctx, id)
	}
}
