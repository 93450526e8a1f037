package ui

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"poststelle/mailroom"
)

// Preview and thumbnail sizes (longer side, pixels).
const (
	PreviewPx = 1400
	ThumbPx   = 160
)

// DocumentView is the Dokument screen: preview, thumbnails, OCR text, page
// operations and the metadata form. This file builds it and opens
// documents; document_pages.go holds page navigation and operations,
// document_thumbs.go the thumbnail strip, document_form.go the form.
type DocumentView struct {
	a       *App
	content fyne.CanvasObject

	Header  *widget.Label
	Changed *widget.Label
	// Lock shows "In Bearbeitung durch NAME" when another person has the
	// document open (document_lease.go).
	Lock    *widget.Label
	Preview *canvas.Image
	Thumbs  *widget.List
	PageLbl *widget.Label
	OCR     *widget.Label
	Flags   *widget.Label
	Invoice *invoicePanel
	Restore *widget.Select
	// Proposal names the split proposal of the page shown (auto_split).
	Proposal    *widget.Label
	proposalRow *fyne.Container
	// Fields are the metadata form's entries by metadata key (a choice
	// field's entry is the one inside its SelectEntry).
	Fields  map[string]*widget.Entry
	Protect *widget.Select
	Hint    *widget.Label
	Save    *widget.Button
	Buttons map[string]*widget.Button

	schema mailroom.FieldSchema // the form, from the model
	first  fyne.CanvasObject    // the form's first field (Strg+F)

	docID string
	view  *DocView
	cur   int
	zoom  float32

	mu     sync.Mutex
	thumbs map[int]image.Image // by source page and rotation key
	// previewDone is closed when the first preview of an opened document
	// is shown; the thumbnail strip starts then, so it does not compete
	// with the preview for the CPU.
	previewDone chan struct{}
	gen         int
	cancel      context.CancelFunc
	opened      time.Time

	lock *mailroom.DeskLease // another person's lease of the open document
	held string              // the document this desk holds a lease of
}

func newDocumentView(a *App) *DocumentView {
	v := &DocumentView{a: a, zoom: 1, thumbs: map[int]image.Image{}, Fields: map[string]*widget.Entry{},
		Buttons: map[string]*widget.Button{}, schema: a.Model.Schema()}
	l := a.L
	v.Header = widget.NewLabelWithStyle(l.T("nodoc"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.Header.Truncation = fyne.TextTruncateEllipsis
	v.Changed = widget.NewLabel("")
	v.Changed.Importance = widget.WarningImportance
	v.Changed.Hide()
	v.Lock = v.newLockLabel()
	v.Preview = canvas.NewImageFromImage(blank(200, 283))
	v.Preview.FillMode = canvas.ImageFillContain
	v.Preview.ScaleMode = canvas.ImageScaleSmooth
	v.Preview.SetMinSize(fyne.NewSize(560, 792))
	v.PageLbl = widget.NewLabel("")
	v.Thumbs = v.newThumbs()
	v.OCR = widget.NewLabel("")
	v.OCR.Wrapping = fyne.TextWrapWord
	v.OCR.Selectable = true
	v.Flags = widget.NewLabel("")
	v.Flags.Wrapping = fyne.TextWrapWord
	v.Invoice = v.newInvoicePanel()
	v.Restore = widget.NewSelect(nil, nil)
	v.Restore.PlaceHolder = l.T("restore", 0)
	v.Restore.Hide()
	v.content = v.layout(v.newPageTools(), v.newForm(), v.newProposalRow())
	v.setEnabled(false)
	return v
}

// layout places the thumbnail strip left, the page with its tools in the
// middle, form and OCR text right.
func (v *DocumentView) layout(tools, form, proposal fyne.CanvasObject) fyne.CanvasObject {
	l := v.a.L
	bold := fyne.TextStyle{Bold: true}
	preview := container.NewScroll(container.NewCenter(v.Preview))
	center := container.NewBorder(container.NewVBox(tools, v.PageLbl, proposal), nil, nil, nil, preview)
	ocr := container.NewBorder(widget.NewLabelWithStyle(l.T("ocr"), fyne.TextAlignLeading, bold), v.Flags, nil, nil,
		container.NewVScroll(v.OCR))
	meta := container.NewVBox(v.Invoice.box, widget.NewLabelWithStyle(l.T("meta"), fyne.TextAlignLeading, bold), form, v.Save, v.Hint)
	right := container.NewVSplit(container.NewVScroll(meta), ocr)
	right.Offset = 0.6
	main := container.NewHSplit(center, right)
	main.Offset = 0.62
	top := container.NewVBox(v.Header, container.NewHBox(v.Lock, v.Changed, v.Buttons["apply"], v.Restore))
	return container.NewBorder(top, nil, container.New(&fixedWidth{w: 130}, v.Thumbs), nil, main)
}

// fixedWidth lays out one object with a fixed width and the full height.
type fixedWidth struct{ w float32 }

func (f *fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		if m := o.MinSize(); m.Height > h {
			h = m.Height
		}
	}
	return fyne.NewSize(f.w, h)
}

func (f *fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func blank(w, h int) image.Image {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0xf0
	}
	img.Set(0, 0, color.Gray{Y: 0xc0})
	return img
}

// View is the document shown, or nil.
func (v *DocumentView) View() *DocView { return v.view }

// Current is the position of the page shown (0-based).
func (v *DocumentView) Current() int { return v.cur }

func (v *DocumentView) setEnabled(on bool) {
	for _, b := range v.Buttons {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if on {
		v.Save.Enable()
	} else {
		v.Save.Disable()
	}
}

// Open loads document id in the background and shows its first page.
func (v *DocumentView) Open(id string) {
	v.opened = time.Now()
	if v.cancel != nil {
		v.cancel()
	}
	v.gen++
	gen := v.gen
	ctx, cancel := context.WithCancel(v.a.ctx)
	v.cancel = cancel
	if id != v.docID {
		v.leave()
		v.lock = nil
		v.mu.Lock()
		v.thumbs = map[int]image.Image{}
		v.mu.Unlock()
		v.cur = 0
	}
	v.docID = id
	v.previewDone = make(chan struct{})
	opened := v.opened
	go func() {
		d, err := v.a.Model.Document(ctx, id)
		if v.a.opt.Timing != nil {
			v.a.opt.Timing("document", 0, time.Since(opened))
		}
		v.a.do(func() {
			if gen != v.gen {
				return
			}
			if err != nil {
				v.a.ShowError(err)
				return
			}
			v.show(d, true)
			v.hold()
			v.startThumbs(ctx, gen, d, opened)
		})
	}()
}

// reload re-reads the open document after a change, keeping the page.
func (v *DocumentView) reload() {
	if v.docID == "" {
		return
	}
	v.Open(v.docID)
}

func (v *DocumentView) pollState() {
	if v.view == nil {
		return
	}
	id, st, n := v.docID, v.view.State, len(v.view.Pages)
	v.hold()
	go func() {
		d, err := v.a.Model.Document(v.a.ctx, id)
		if err != nil {
			return
		}
		v.a.do(func() {
			if v.docID == id && v.view != nil && (d.State != st || len(d.Pages) != n) {
				v.reload()
			}
		})
	}()
}

func (v *DocumentView) show(d *DocView, fillForm bool) {
	v.view = d
	l := v.a.L
	v.Header.SetText(fmt.Sprintf("%s · %s · %s · %s: %s · %s", d.Filename, d.Source, v.a.stateName(d.State),
		l.T("col.protection"), d.Protection, l.Pages(len(d.Pages))))
	if d.Changed() {
		v.Changed.SetText(l.T("changed"))
		v.Changed.Show()
		v.Buttons["apply"].Show()
	} else {
		v.Changed.Hide()
		v.Buttons["apply"].Hide()
	}
	v.showRestore(d)
	v.Invoice.show(l, d)
	// Showing or hiding the row above changes its height: lay out again, or
	// the row would overlap the page tools.
	if v.content != nil {
		v.content.Refresh()
	}
	v.setEnabled(d.State == mailroom.StateReview && v.lock == nil)
	if fillForm {
		v.fillForm(d)
	}
	if v.cur >= len(d.Pages) {
		v.cur = len(d.Pages) - 1
	}
	if v.cur < 0 {
		v.cur = 0
	}
	v.Thumbs.Refresh()
	v.GoPage(v.cur)
}
