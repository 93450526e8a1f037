package ui

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"poststelle/mailroom"
)

// Preview and thumbnail sizes (longer side, pixels).
const (
	PreviewPx = 1400
	ThumbPx   = 160
)

// DocumentView is the Dokument screen: preview, thumbnails, OCR text, page
// operations and the metadata form.
type DocumentView struct {
	a       *App
	content fyne.CanvasObject

	Header  *widget.Label
	Changed *widget.Label
	Preview *canvas.Image
	Thumbs  *widget.List
	PageLbl *widget.Label
	OCR     *widget.Label
	Flags   *widget.Label
	Restore *widget.Select
	Fields  map[string]*widget.Entry
	DocType *widget.SelectEntry
	Protect *widget.Select
	Hint    *widget.Label
	Save    *widget.Button
	Buttons map[string]*widget.Button

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
}

// FieldOrder is the order of the metadata form (field navigation).
var FieldOrder = []string{"document_type", "department", "aktenzeichen", "sender", "date_received", "subject"}

// Required metadata fields.
var Required = []string{"document_type", "department", "sender", "date_received", "subject"}

// DocumentTypes offered in the form (free text is allowed).
var DocumentTypes = []string{"Eingangspost", "Rechnung", "Gutschrift", "Antrag", "Widerspruch", "Bescheid", "Vertrag", "Mahnung", "Schreiben"}

func newDocumentView(a *App) *DocumentView {
	v := &DocumentView{a: a, zoom: 1, thumbs: map[int]image.Image{}, Fields: map[string]*widget.Entry{}, Buttons: map[string]*widget.Button{}}
	l := a.L
	v.Header = widget.NewLabelWithStyle(l.T("nodoc"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.Header.Truncation = fyne.TextTruncateEllipsis
	v.Changed = widget.NewLabel("")
	v.Changed.Importance = widget.WarningImportance
	v.Changed.Hide()
	v.Preview = canvas.NewImageFromImage(blank(200, 283))
	v.Preview.FillMode = canvas.ImageFillContain
	v.Preview.ScaleMode = canvas.ImageScaleSmooth
	v.Preview.SetMinSize(fyne.NewSize(560, 792))
	v.PageLbl = widget.NewLabel("")
	v.Thumbs = widget.NewList(
		func() int {
			if v.view == nil {
				return 0
			}
			return len(v.view.Pages)
		},
		func() fyne.CanvasObject {
			img := canvas.NewImageFromImage(blank(113, 160))
			img.FillMode = canvas.ImageFillContain
			img.SetMinSize(fyne.NewSize(96, 136))
			return container.NewVBox(img, widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{}))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if v.view == nil || id >= len(v.view.Pages) {
				return
			}
			box := o.(*fyne.Container)
			img := box.Objects[0].(*canvas.Image)
			p := v.view.Pages[id]
			v.mu.Lock()
			t := v.thumbs[thumbKey(p)]
			v.mu.Unlock()
			if t == nil {
				t = blank(113, 160)
			}
			if img.Image != t {
				img.Image = t
				img.Refresh()
			}
			box.Objects[1].(*widget.Label).SetText(l.T("page", id+1))
		})
	v.Thumbs.OnSelected = func(id widget.ListItemID) {
		if id != v.cur {
			v.GoPage(id)
		}
	}
	v.OCR = widget.NewLabel("")
	v.OCR.Wrapping = fyne.TextWrapWord
	v.OCR.Selectable = true
	v.Flags = widget.NewLabel("")
	v.Flags.Wrapping = fyne.TextWrapWord
	v.Restore = widget.NewSelect(nil, nil)
	v.Restore.PlaceHolder = l.T("restore", 0)
	v.Restore.Hide()

	btn := func(key string, icon fyne.Resource, f func()) *widget.Button {
		b := widget.NewButtonWithIcon(l.T(key), icon, f)
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

	// Metadata form.
	v.DocType = widget.NewSelectEntry(DocumentTypes)
	v.Fields["document_type"] = &v.DocType.Entry
	for _, k := range FieldOrder[1:] {
		v.Fields[k] = widget.NewEntry()
	}
	v.Fields["date_received"].SetPlaceHolder("TT.MM.JJJJ")
	v.Fields["date_received"].Validator = func(s string) error {
		if s == "" {
			return nil
		}
		if _, err := parseDate(s); err != nil {
			return fmt.Errorf("%s", l.T("date.invalid"))
		}
		return nil
	}
	v.Protect = widget.NewSelect([]string{string(mailroom.ProtectionNormal), string(mailroom.ProtectionHoch), string(mailroom.ProtectionSehrHoch)}, nil)
	form := widget.NewForm()
	for _, k := range FieldOrder {
		var w fyne.CanvasObject = v.Fields[k]
		if k == "document_type" {
			w = v.DocType
		}
		form.Append(l.T("f."+k), w)
	}
	form.Append(l.T("f.protection"), v.Protect)
	v.Hint = widget.NewLabel("")
	v.Hint.Wrapping = fyne.TextWrapWord
	v.Save = widget.NewButton(l.T("meta.save"), func() { v.SaveMetadata() })
	v.Save.Importance = widget.HighImportance

	preview := container.NewScroll(container.NewCenter(v.Preview))
	center := container.NewBorder(container.NewVBox(tools, v.PageLbl), nil, nil, nil, preview)
	ocr := container.NewBorder(widget.NewLabelWithStyle(l.T("ocr"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), v.Flags, nil, nil,
		container.NewVScroll(v.OCR))
	meta := container.NewVBox(widget.NewLabelWithStyle(l.T("meta"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), form, v.Save, v.Hint)
	right := container.NewVSplit(container.NewVScroll(meta), ocr)
	right.Offset = 0.6
	main := container.NewHSplit(center, right)
	main.Offset = 0.62
	top := container.NewVBox(v.Header, container.NewHBox(v.Changed, apply, v.Restore))
	v.content = container.NewBorder(top, nil, container.New(&fixedWidth{w: 130}, v.Thumbs), nil, main)
	v.setEnabled(false)
	return v
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

func thumbKey(p PageView) int { return p.Source*4 + ((p.Rotation/90)%4+4)%4 }

func blank(w, h int) image.Image {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0xf0
	}
	img.Set(0, 0, color.Gray{Y: 0xc0})
	return img
}

func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, f := range []string{"02.01.2006", "2.1.2006", "2006-01-02"} {
		if t, err := time.Parse(f, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad date %q", s)
}

// View is the document shown, or nil.
func (v *DocumentView) View() *DocView { return v.view }

// Current is the position of the page shown (0-based).
func (v *DocumentView) Current() int { return v.cur }

// ThumbCount is the number of thumbnails rendered for the open document.
func (v *DocumentView) ThumbCount() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.view == nil {
		return 0
	}
	n := 0
	for _, p := range v.view.Pages {
		if v.thumbs[thumbKey(p)] != nil {
			n++
		}
	}
	return n
}

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
	if len(d.Deleted) > 0 {
		var opts []string
		for _, dp := range d.Deleted {
			opts = append(opts, l.T("restore", dp.Page))
		}
		v.Restore.Options = opts
		v.Restore.OnChanged = func(s string) {
			for _, dp := range d.Deleted {
				if s == l.T("restore", dp.Page) {
					v.op(func(ctx context.Context) error {
						return v.a.Model.RestorePage(ctx, d.ID, v.a.Op.Person(), dp.Page)
					})
				}
			}
		}
		v.Restore.ClearSelected()
		v.Restore.Show()
	} else {
		v.Restore.Hide()
	}
	// Showing or hiding the row above changes its height: lay out again, or
	// the row would overlap the page tools.
	if v.content != nil {
		v.content.Refresh()
	}
	v.setEnabled(d.State == mailroom.StateReview)
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

func (v *DocumentView) fillForm(d *DocView) {
	var proposed []string
	l := v.a.L
	for _, k := range FieldOrder {
		val := d.Metadata[k]
		if val == "" {
			if p := Proposal(d, k); p != "" {
				val = p
				proposed = append(proposed, strings.TrimSuffix(l.T("f."+k), " *"))
			}
		}
		if k == "date_received" {
			if t, err := parseDate(val); err == nil {
				val = t.Format("02.01.2006")
			}
		}
		v.Fields[k].SetText(val)
	}
	v.Protect.SetSelected(string(d.Protection))
	if len(proposed) > 0 {
		v.Hint.SetText(l.T("meta.proposal") + ": " + strings.Join(proposed, ", "))
	} else {
		v.Hint.SetText("")
	}
}

// Proposal returns a proposed value for a metadata field from what the
// pipeline found (barcodes, e-invoice, mail headers, intake).
func Proposal(d *DocView, key string) string {
	m := d.Metadata
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := strings.TrimSpace(m[k]); v != "" {
				return v
			}
		}
		return ""
	}
	switch key {
	case "document_type":
		return first("document_class", "tag", "tags")
	case "sender":
		return first("seller", "mail_from", "from", "de_mail_sender")
	case "date_received":
		if v := first("mail_date"); v != "" {
			return v
		}
		if !d.Received.IsZero() {
			return d.Received.Local().Format("02.01.2006")
		}
	case "subject":
		if v := first("mail_subject"); v != "" {
			return v
		}
		if n := first("invoice_number", "invoice_id"); n != "" {
			t := first("document_type")
			if t == "" {
				t = "Rechnung"
			}
			return t + " " + n
		}
	case "aktenzeichen":
		return first("file_reference", "asn")
	case "department":
		// A Leitweg-ID names the receiving office, not a department: the
		// department comes from the routing rules (metadata "department"),
		// which fills the field itself.
		return ""
	}
	return ""
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
	p := d.Pages[pos]
	l := v.a.L
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
	v.Thumbs.Select(pos)
	v.Thumbs.ScrollTo(pos)
	gen, id := v.gen, d.ID
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
	v.opened = time.Time{}
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

// startThumbs renders the thumbnail strip in the background, first the
// pages near the current one, and shows each as soon as it is ready.
func (v *DocumentView) startThumbs(ctx context.Context, gen int, d *DocView, start time.Time) {
	pages := append([]PageView{}, d.Pages...)
	wait := v.previewDone
	go func() {
		if wait != nil {
			select {
			case <-wait:
			case <-ctx.Done():
				return
			case <-time.After(2 * time.Second):
			}
		}
		for i, p := range pages {
			if ctx.Err() != nil {
				return
			}
			v.mu.Lock()
			have := v.thumbs[thumbKey(p)] != nil
			v.mu.Unlock()
			if have {
				continue
			}
			img, err := v.a.Model.PageImage(ctx, d.ID, p.Source, p.Rotation, ThumbPx)
			if err != nil {
				continue
			}
			i := i
			v.mu.Lock()
			v.thumbs[thumbKey(p)] = img
			v.mu.Unlock()
			v.a.do(func() {
				if gen == v.gen {
					v.Thumbs.RefreshItem(i)
				}
			})
			if v.a.opt.Timing != nil {
				v.a.opt.Timing("thumb", i, time.Since(start))
			}
		}
		if v.a.opt.Timing != nil {
			v.a.opt.Timing("thumbs-done", len(pages), time.Since(start))
		}
	}()
}

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
	id, pos := v.docID, v.cur
	v.op(func(ctx context.Context) error { return v.a.Model.Rotate(ctx, id, v.a.Op.Person(), pos, deg) })
}

// DeletePage deletes the current page (restorable).
func (v *DocumentView) DeletePage() {
	id, pos := v.docID, v.cur
	v.op(func(ctx context.Context) error { return v.a.Model.DeletePage(ctx, id, v.a.Op.Person(), pos) })
}

// MovePage moves the current page by delta positions.
func (v *DocumentView) MovePage(delta int) {
	if v.view == nil {
		return
	}
	id, pos := v.docID, v.cur
	to := pos + delta
	if to < 0 || to >= len(v.view.Pages) {
		return
	}
	v.op(func(ctx context.Context) error { return v.a.Model.MovePage(ctx, id, v.a.Op.Person(), pos, to) })
	v.cur = to
}

// SplitHere splits the document before the current page.
func (v *DocumentView) SplitHere() {
	if v.view == nil {
		return
	}
	id, pos, n := v.docID, v.cur, len(v.view.Pages)
	v.op(func(ctx context.Context) error {
		_, err := v.a.Model.Split(ctx, id, v.a.Op.Person(), pos)
		if err == nil {
			v.a.do(func() { v.a.Status(v.a.L.T("split.done", v.a.L.Pages(n-pos))); v.cur = 0; v.a.Inbox.Reload() })
		}
		return err
	})
}

// MergeNext merges the next document of the batch into this one.
func (v *DocumentView) MergeNext() {
	id := v.docID
	v.op(func(ctx context.Context) error {
		err := v.a.Model.MergeNext(ctx, id, v.a.Op.Person())
		if err == nil {
			v.a.do(func() { v.a.Inbox.Reload() })
		}
		return err
	})
}

// ApplyPages sends the document back to the pipeline to re-make its PDF.
func (v *DocumentView) ApplyPages() {
	id := v.docID
	v.op(func(ctx context.Context) error {
		err := v.a.Model.ApplyPages(ctx, id, v.a.Op.Person())
		if err == nil {
			v.a.do(func() { v.a.Status(v.a.L.T("applied")) })
		}
		return err
	})
}

// Validate checks the required fields; it returns the problems found.
func (v *DocumentView) Validate() []string {
	var bad []string
	l := v.a.L
	for _, k := range Required {
		if strings.TrimSpace(v.Fields[k].Text) == "" {
			bad = append(bad, l.T("meta.required", strings.TrimSuffix(l.T("f."+k), " *")))
		}
	}
	if s := v.Fields["date_received"].Text; s != "" {
		if _, err := parseDate(s); err != nil {
			bad = append(bad, l.T("date.invalid"))
		}
	}
	return bad
}

// SaveMetadata validates and stores the form.
func (v *DocumentView) SaveMetadata() {
	if v.view == nil {
		return
	}
	if bad := v.Validate(); len(bad) > 0 {
		v.Hint.SetText(strings.Join(bad, "\n"))
		v.Hint.Importance = widget.DangerImportance
		v.Hint.Refresh()
		v.a.Status(bad[0])
		return
	}
	v.Hint.Importance = widget.MediumImportance
	fields := map[string]string{}
	for _, k := range FieldOrder {
		val := strings.TrimSpace(v.Fields[k].Text)
		if k == "date_received" && val != "" {
			t, _ := parseDate(val)
			val = t.Format("2006-01-02")
		}
		fields[k] = val
	}
	id := v.docID
	prot := mailroom.Protection(v.Protect.Selected)
	changeProt := prot != "" && prot != v.view.Protection
	v.op(func(ctx context.Context) error {
		if err := v.a.Model.UpdateMetadata(ctx, id, v.a.Op.Person(), fields); err != nil {
			return err
		}
		if changeProt {
			if err := v.a.Model.SetProtection(ctx, id, v.a.Op.Person(), prot); err != nil {
				return err
			}
		}
		v.a.do(func() { v.a.Status(v.a.L.T("meta.saved")); v.Hint.SetText(v.a.L.T("meta.saved")) })
		return nil
	})
}

// FocusFirstField puts the keyboard focus into the first metadata field.
func (v *DocumentView) FocusFirstField() {
	v.a.SelectTab(1)
	v.a.Win.Canvas().Focus(v.DocType)
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
