package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// newThumbs makes the thumbnail strip; a tap on a thumbnail shows its page.
func (v *DocumentView) newThumbs() *widget.List {
	list := widget.NewList(
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
			return container.NewVBox(proposalMarker(), img, widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{}))
		},
		v.updateThumb)
	list.OnSelected = func(id widget.ListItemID) {
		if id != v.cur {
			v.GoPage(id)
		}
	}
	return list
}

// updateThumb shows thumbnail id in the list item o (a blank page until it
// is rendered).
func (v *DocumentView) updateThumb(id widget.ListItemID, o fyne.CanvasObject) {
	if v.view == nil || id >= len(v.view.Pages) {
		return
	}
	box := o.(*fyne.Container)
	img := box.Objects[1].(*canvas.Image)
	p := v.view.Pages[id]
	v.setMarker(box.Objects[0].(*fyne.Container), p.Proposal)
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
	box.Objects[2].(*widget.Label).SetText(v.a.L.T("page", id+1))
}

func thumbKey(p PageView) int { return p.Source*4 + ((p.Rotation/90)%4+4)%4 }

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
