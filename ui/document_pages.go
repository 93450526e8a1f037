package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"poststelle/mailroom"
)

// newPageTools makes the page tool buttons (Buttons by text key) and the
// "apply page changes" button, which the header row shows.
func (v *DocumentView) newPageTools() fyne.CanvasObject {
	btn := func(key string, icon fyne.Resource, f func()) *widget.Button {
		b := widget.NewButtonWithIcon(v.a.L.T(key), icon, f)
		v.Buttons[key] = b
		return b
	}
	tools := container.NewVBox(
		container.NewHBox(
			btn("rotate.left", theme.MediaReplayIcon(), func() { v.Rotate(-90) }),
			btn("rotate.right", theme.ViewRefreshIcon(), func() { v.Rotate(90) }),
			btn("move.up", theme.MoveUpIcon(), func() { v.MovePage(-1) }),
			btn("move.down", theme.MoveDownIcon(), func() { v.MovePage(1) }),
			btn("delete", theme.DeleteIcon(), func() { v.DeletePage() }),
		),
		container.NewHBox(
			btn("split", theme.ContentCutIcon(), func() { v.SplitHere() }),
			btn("merge", theme.ContentAddIcon(), func() { v.MergeNext() }),
			btn("zoom.out", theme.ZoomOutIcon(), func() { v.Zoom(0.8) }),
			btn("zoom.in", theme.ZoomInIcon(), func() { v.Zoom(1.25) }),
		),
	)
	apply := btn("apply", theme.DocumentSaveIcon(), func() { v.ApplyPages() })
	apply.Importance = widget.WarningImportance
	apply.Hide()
	return tools
}

// showRestore offers the deleted pages of d for restoring.
func (v *DocumentView) showRestore(d *DocView) {
	if len(d.Deleted) == 0 {
		v.Restore.Hide()
		return
	}
	l := v.a.L
	var opts []string
	for _, dp := range d.Deleted {
		opts = append(opts, l.T("restore", dp.Page))
	}
	v.Restore.Options = opts
	v.Restore.OnChanged = func(s string) {
		for _, dp := range d.Deleted {
			if s == l.T("restore", dp.Page) {
				v.op(func(ctx context.Context) error {
					return v.a.Model.RestorePage(ctx, d.Ref(), dp.Page)
				})
			}
		}
	}
	v.Restore.ClearSelected()
	v.Restore.Show()
}

// GoPage shows the page at position pos and its OCR text.
func (v *DocumentView) GoPage(pos int) {
	d := v.view
	if d == nil || len(d.Pages) == 0 {
		return
	}
	if pos < 0 || pos >= len(d.Pages) {
		return
	}
	v.cur = pos
	v.showPageText(pos)
	v.Thumbs.Select(pos)
	v.Thumbs.ScrollTo(pos)
	v.loadPreview(pos)
	v.opened = time.Time{}
}

// showPageText shows the page label, OCR text and flags of page pos.
func (v *DocumentView) showPageText(pos int) {
	d, l := v.view, v.a.L
	p := d.Pages[pos]
	v.PageLbl.SetText(l.T("page.of", pos+1, len(d.Pages), p.Source))
	if strings.TrimSpace(p.Text) == "" {
		v.OCR.SetText(l.T("ocr.none"))
	} else {
		v.OCR.SetText(p.Text)
	}
	flags := l.Flags(p.Flags)
	if flags == "" {
		flags = l.T("flags.none")
	}
	if p.Rotation != 0 {
		flags += fmt.Sprintf(" · ↻ %d°", p.Rotation)
	}
	if p.Confidence > 0 {
		flags += " · " + l.T("conf", p.Confidence)
	}
	v.Flags.SetText(l.T("flags", flags))
	v.showProposal(pos)
}

// loadPreview renders page pos in the background and shows it, unless
// another page or document was opened meanwhile. The first preview after
// Open is timed and releases the thumbnail strip.
func (v *DocumentView) loadPreview(pos int) {
	p := v.view.Pages[pos]
	gen, id := v.gen, v.view.ID
	first := !v.opened.IsZero()
	opened := v.opened
	done := v.previewDone
	go func() {
		img, err := v.a.Model.PageImage(v.a.ctx, id, p.Source, p.Rotation, PreviewPx)
		if first && v.a.opt.Timing != nil {
			v.a.opt.Timing("preview-rendered", pos, time.Since(opened))
		}
		if first && done != nil {
			defer close(done)
		}
		v.a.do(func() {
			if gen != v.gen || v.cur != pos {
				return
			}
			if err != nil {
				v.a.Status(v.a.errText(err))
				return
			}
			v.Preview.Image = img
			v.applyZoom()
			v.a.QA.setPage(img, v.PageLbl.Text)
			if first && v.a.opt.Timing != nil {
				v.a.opt.Timing("preview", pos, time.Since(opened))
			}
		})
	}()
}

func (v *DocumentView) applyZoom() {
	img := v.Preview.Image
	if img == nil {
		return
	}
	b := img.Bounds()
	base := float32(560)
	w := base * v.zoom
	h := w * float32(b.Dy()) / float32(b.Dx())
	if b.Dx() > b.Dy() {
		h = base * v.zoom
		w = h * float32(b.Dx()) / float32(b.Dy())
	}
	v.Preview.SetMinSize(fyne.NewSize(w, h))
	v.Preview.Refresh()
}

// Zoom multiplies the preview size by f (between 0.3 and 4).
func (v *DocumentView) Zoom(f float32) {
	z := v.zoom * f
	if z < 0.3 || z > 4 {
		return
	}
	v.zoom = z
	v.applyZoom()
}

// ZoomFactor is the current zoom.
func (v *DocumentView) ZoomFactor() float32 { return v.zoom }

// op runs a page operation in the background and reloads the document.
func (v *DocumentView) op(f func(ctx context.Context) error) {
	if v.view == nil {
		return
	}
	if v.view.State != mailroom.StateReview {
		v.a.ShowError(fmt.Errorf("%s", v.a.L.T("not.review", v.a.stateName(v.view.State))))
		return
	}
	v.a.bg(f, func(err error) { v.reload() })
}

// Rotate turns the current page.
func (v *DocumentView) Rotate(deg int) {
	ref, pos := v.ref(), v.cur
	v.op(func(ctx context.Context) error { return v.a.Model.Rotate(ctx, ref, pos, deg) })
}

// DeletePage deletes the current page (restorable).
func (v *DocumentView) DeletePage() {
	ref, pos := v.ref(), v.cur
	v.op(func(ctx context.Context) error { return v.a.Model.DeletePage(ctx, ref, pos) })
}

// MovePage moves the current page by delta positions.
func (v *DocumentView) MovePage(delta int) {
	if v.view == nil {
		return
	}
	ref, pos := v.ref(), v.cur
	to := pos + delta
	if to < 0 || to >= len(v.view.Pages) {
		return
	}
	v.op(func(ctx context.Context) error { return v.a.Model.MovePage(ctx, ref, pos, to) })
	v.cur = to
}

// SplitHere splits the document before the current page.
func (v *DocumentView) SplitHere() {
	if v.view == nil {
		return
	}
	ref, pos, n := v.ref(), v.cur, len(v.view.Pages)
	v.op(func(ctx context.Context) error {
		_, err := v.a.Model.Split(ctx, ref, pos)
		if err == nil {
			v.a.do(func() { v.a.Status(v.a.L.T("split.done", v.a.L.Pages(n-pos))); v.cur = 0; v.a.Inbox.Reload() })
		}
		return err
	})
}

// MergeNext merges the next document of the batch into this one.
func (v *DocumentView) MergeNext() {
	ref := v.ref()
	v.op(func(ctx context.Context) error {
		err := v.a.Model.MergeNext(ctx, ref)
		if err == nil {
			v.a.do(func() { v.a.Inbox.Reload() })
		}
		return err
	})
}

// ApplyPages sends the document back to the pipeline to re-make its PDF.
func (v *DocumentView) ApplyPages() {
	ref := v.ref()
	v.op(func(ctx context.Context) error {
		err := v.a.Model.ApplyPages(ctx, ref)
		if err == nil {
			v.a.do(func() { v.a.Status(v.a.L.T("applied")) })
		}
		return err
	})
}

// NextDocument opens the next (dir 1) or previous (-1) document of the inbox list.
func (v *DocumentView) NextDocument(dir int) {
	rows := v.a.Inbox.Rows()
	if len(rows) == 0 {
		return
	}
	idx := -1
	for i, r := range rows {
		if r.ID == v.docID {
			idx = i
		}
	}
	n := idx + dir
	if idx < 0 {
		n = 0
	}
	if n < 0 || n >= len(rows) {
		return
	}
	v.Open(rows[n].ID)
	if t := v.a.Tab(); t != 1 && t != 2 {
		v.a.SelectTab(1)
	}
}
