package ui

import (
	"context"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"poststelle/mailroom"
	"poststelle/mailroom/boundary"
)

// Split proposals (auto_split, docs/autosplit.md): a page that would start a
// new document carries a marker above its thumbnail; the row under the page
// label names the reasons. Strg+G accepts the proposal of the page shown (a
// split, journaled as the clerk's decision) and Strg+Umschalt+G dismisses
// it; on a page without one, both first go to the next proposal, so nothing
// is accepted unseen.

// newProposalRow makes the row with the proposal's reasons and the accept
// and dismiss buttons.
func (v *DocumentView) newProposalRow() fyne.CanvasObject {
	v.Proposal = widget.NewLabel("")
	v.Proposal.Wrapping = fyne.TextWrapWord
	v.Proposal.Importance = widget.WarningImportance
	accept := widget.NewButtonWithIcon(v.a.L.T("proposal.accept"), theme.ContentCutIcon(), func() { v.AcceptProposal() })
	accept.Importance = widget.WarningImportance
	dismiss := widget.NewButtonWithIcon(v.a.L.T("proposal.dismiss"), theme.CancelIcon(), func() { v.DismissProposal() })
	v.Buttons["proposal.accept"], v.Buttons["proposal.dismiss"] = accept, dismiss
	v.proposalRow = container.NewBorder(nil, nil, nil, container.NewVBox(accept, dismiss), v.Proposal)
	v.proposalRow.Hide()
	return v.proposalRow
}

// showProposal fills the proposal row for the page at pos.
func (v *DocumentView) showProposal(pos int) {
	d := v.view
	if v.Proposal == nil || d == nil {
		return
	}
	n := 0
	for _, p := range d.Pages {
		if p.Proposal != nil {
			n++
		}
	}
	was := v.proposalRow.Visible()
	if n == 0 {
		v.proposalRow.Hide()
	} else {
		v.Proposal.SetText(v.ProposalText(pos))
		v.proposalRow.Show()
	}
	// Showing or hiding the row changes the height above the preview.
	if was != v.proposalRow.Visible() && v.content != nil {
		v.content.Refresh()
	}
}

// ProposalText describes the proposal of the page at pos, or says how many
// the document has.
func (v *DocumentView) ProposalText(pos int) string {
	d, l := v.view, v.a.L
	if d == nil || pos < 0 || pos >= len(d.Pages) {
		return ""
	}
	p := d.Pages[pos].Proposal
	if p == nil {
		n := 0
		for _, pg := range d.Pages {
			if pg.Proposal != nil {
				n++
			}
		}
		return l.T("proposal.count", n, v.keys("proposal.accept"))
	}
	var rs []string
	for _, r := range p.Reasons {
		de, en := boundary.Label(r.Signal)
		name := de
		if l == English {
			name = en
		}
		if r.Weight != 0 {
			name += " " + l.Number(r.Weight, true)
		}
		if r.Detail != "" {
			name += " („" + r.Detail + "“)"
		}
		rs = append(rs, name)
	}
	return l.T("proposal.here", l.Number(p.Score, false), strings.Join(rs, " · "),
		v.keys("proposal.accept"), v.keys("proposal.dismiss"))
}

// keys names the shortcut of a desk action in the desk's language.
func (v *DocumentView) keys(label string) string {
	for _, s := range v.a.Shortcuts() {
		if s.Label == label {
			return s.Keys(v.a.L)
		}
	}
	return ""
}

// proposalAt returns the proposal of the page shown; if it has none, it
// goes to the next page that has one and returns nil.
func (v *DocumentView) proposalAt() *mailroom.SplitProposal {
	d := v.view
	if d == nil || len(d.Pages) == 0 {
		return nil
	}
	if p := d.Pages[v.cur].Proposal; p != nil {
		return p
	}
	if next := d.NextProposal(v.cur); next >= 0 {
		v.GoPage(next)
	} else {
		v.a.Status(v.a.L.T("proposal.none"))
	}
	return nil
}

// AcceptProposal splits the document before the page shown, as proposed,
// and opens the new document (where the next proposals are).
func (v *DocumentView) AcceptProposal() {
	p := v.proposalAt()
	if p == nil {
		return
	}
	ref, page, n := v.ref(), p.Page, len(v.view.Pages)-v.cur
	v.op(func(ctx context.Context) error {
		newID, err := v.a.Model.AcceptSplit(ctx, ref, page)
		if err == nil {
			v.a.do(func() {
				v.a.Status(v.a.L.T("proposal.accepted", page, v.a.L.Pages(n)))
				v.a.Inbox.Reload()
				v.Open(newID)
			})
		}
		return err
	})
}

// DismissProposal dismisses the proposal of the page shown.
func (v *DocumentView) DismissProposal() {
	p := v.proposalAt()
	if p == nil {
		return
	}
	ref, page := v.ref(), p.Page
	v.op(func(ctx context.Context) error {
		err := v.a.Model.DismissSplit(ctx, ref, page)
		if err == nil {
			v.a.do(func() { v.a.Status(v.a.L.T("proposal.dismissed", page)); v.a.Inbox.Reload() })
		}
		return err
	})
}

// proposalMarker is drawn above a thumbnail: a bar where a proposed new
// document starts, nothing (but the same height) elsewhere.
func proposalMarker() *fyne.Container {
	bar := canvas.NewRectangle(color.Transparent)
	bar.SetMinSize(fyne.NewSize(96, 4))
	txt := canvas.NewText("", theme.Color(theme.ColorNameForeground))
	txt.TextSize = theme.CaptionTextSize()
	txt.TextStyle = fyne.TextStyle{Bold: true}
	txt.Alignment = fyne.TextAlignCenter
	return container.NewVBox(bar, txt)
}

// setMarker shows the proposal p (or none) in a marker.
func (v *DocumentView) setMarker(m *fyne.Container, p *mailroom.SplitProposal) {
	bar, txt := m.Objects[0].(*canvas.Rectangle), m.Objects[1].(*canvas.Text)
	if p == nil {
		bar.FillColor, txt.Text = color.Transparent, ""
	} else {
		bar.FillColor = theme.Color(theme.ColorNameWarning)
		txt.Text = "✂ " + v.a.L.T("proposal.mark")
	}
	bar.Refresh()
	txt.Refresh()
}
