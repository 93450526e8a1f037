package desk

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"os"
	"path/filepath"
	"sync"

	xdraw "golang.org/x/image/draw"

	"poststelle/mailroom"
	"poststelle/mailroom/safefile"
)

// ThumbMax is the size up to which renders count as thumbnails: they are
// cached on disk and rendered on their own page set, so a preview never
// waits behind a strip of thumbnails.
const ThumbMax = 320

// Renderer renders and caches page images. It keeps at most a few page
// sets open (MuPDF documents), one per original and lane (preview or
// thumbnail); a page set is used by one render at a time.
type Renderer struct {
	opener mailroom.PageOpener
	dir    string // disk cache of thumbnails; "" = none

	mu     sync.Mutex
	sets   map[setKey]*openSet
	cache  *lru
	sizeMu sync.Mutex
	size   map[imgKey]float64 // longer side in inches by key and page
}

type setKey struct {
	key   string
	thumb bool
}

type openSet struct {
	mu  sync.Mutex
	ps  mailroom.PageSet
	err error
}

// NewRenderer makes a renderer; dir is the thumbnail disk cache.
func NewRenderer(opener mailroom.PageOpener, dir string) *Renderer {
	return &Renderer{opener: opener, dir: dir, sets: map[setKey]*openSet{}, cache: newLRU(600), size: map[imgKey]float64{}}
}

type imgKey struct {
	key        string
	page, size int
}

// Page returns source page (1-based) of the file at path (identified by
// key, e.g. its SHA-256), turned by rotation and fitted into maxPx.
func (r *Renderer) Page(ctx context.Context, key, path, mediaType string, page, rotation, maxPx int) (image.Image, error) {
	if maxPx <= 0 {
		maxPx = 1200
	}
	base, err := r.unrotated(ctx, key, path, mediaType, page, maxPx)
	if err != nil {
		return nil, err
	}
	return Rotate(base, rotation), nil
}

func (r *Renderer) unrotated(ctx context.Context, key, path, mediaType string, page, maxPx int) (image.Image, error) {
	k := imgKey{key, page, maxPx}
	if img, ok := r.cache.get(k); ok {
		return img, nil
	}
	thumb := maxPx <= ThumbMax
	diskPath := ""
	if thumb && r.dir != "" {
		diskPath = filepath.Join(r.dir, safe(key), fmt.Sprintf("%d-%d.jpg", page, maxPx))
		if f, err := os.Open(diskPath); err == nil {
			img, err := jpeg.Decode(f)
			f.Close()
			if err == nil {
				r.cache.put(k, img)
				return img, nil
			}
		}
	}
	set := r.set(setKey{key, thumb})
	set.mu.Lock()
	if set.ps == nil && set.err == nil {
		set.ps, set.err = r.opener.Open(ctx, path, mediaType)
	}
	if set.err != nil {
		err := set.err
		set.mu.Unlock()
		return nil, err
	}
	if page < 1 || page > set.ps.Len() {
		set.mu.Unlock()
		return nil, mailroom.BadInput(fmt.Sprintf("Seite %d gibt es im Original nicht", page),
			fmt.Sprintf("page %d does not exist in the original", page), nil)
	}
	// Render at about the size asked for, then fit exactly. The page's
	// longer side in inches is learnt from the first render (A4 assumed
	// before: 11.7 in); a page much smaller than assumed is rendered again.
	inches := r.inches(key, page)
	dpi := float64(maxPx) / inches
	p, err := set.ps.Page(ctx, page-1, dpi)
	if err == nil && p.DPI > 0 {
		b := p.Image.Bounds()
		long := float64(max(b.Dx(), b.Dy()))
		r.setInches(key, page, long/p.DPI)
		if long < float64(maxPx)*0.95 && p.DPI == dpi && dpi < 600 {
			p, err = set.ps.Page(ctx, page-1, min(600, dpi*float64(maxPx)/long))
		}
	}
	set.mu.Unlock()
	if err != nil {
		return nil, err
	}
	img := Fit(p.Image, maxPx)
	r.cache.put(k, img)
	if diskPath != "" {
		var buf bytes.Buffer
		if jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}) == nil {
			os.MkdirAll(filepath.Dir(diskPath), 0o750)
			safefile.Write(diskPath, buf.Bytes(), 0o640)
		}
	}
	return img, nil
}

func (r *Renderer) inches(key string, page int) float64 {
	r.sizeMu.Lock()
	defer r.sizeMu.Unlock()
	if v := r.size[imgKey{key: key, page: page}]; v > 0 {
		return v
	}
	return 11.7
}

func (r *Renderer) setInches(key string, page int, v float64) {
	r.sizeMu.Lock()
	defer r.sizeMu.Unlock()
	r.size[imgKey{key: key, page: page}] = v
}

func (r *Renderer) set(k setKey) *openSet {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.sets[k]; ok {
		return s
	}
	if len(r.sets) >= 8 {
		// Close sets nobody is using (a page set holds a decoded original).
		for kk, s := range r.sets {
			if s.mu.TryLock() {
				if s.ps != nil {
					s.ps.Close()
				}
				s.mu.Unlock()
				delete(r.sets, kk)
			}
		}
	}
	s := &openSet{}
	r.sets[k] = s
	return s
}

// Close closes all open page sets (waiting for renders under way).
func (r *Renderer) Close() {
	r.mu.Lock()
	sets := r.sets
	r.sets = map[setKey]*openSet{}
	r.mu.Unlock()
	for _, s := range sets {
		s.mu.Lock()
		if s.ps != nil {
			s.ps.Close()
			s.ps = nil
		}
		s.err = errRendererClosed
		s.mu.Unlock()
	}
}

var errRendererClosed = errors.New("renderer closed")

func safe(key string) string {
	b := []byte(key)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			b[i] = '_'
		}
	}
	return string(b)
}

// Fit scales img so its longer side is at most maxPx (never up).
func Fit(img image.Image, maxPx int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= maxPx && h <= maxPx {
		return img
	}
	if w >= h {
		h = h * maxPx / w
		w = maxPx
	} else {
		w = w * maxPx / h
		h = maxPx
	}
	if w < 1 {
		w = 1
	}
	if h < 1 {
		h = 1
	}
	var dst draw.Image
	if _, gray := img.(*image.Gray); gray {
		dst = image.NewGray(image.Rect(0, 0, w, h))
	} else {
		dst = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, xdraw.Src, nil)
	return dst
}

// Rotate turns img by degrees clockwise (multiples of 90).
func Rotate(img image.Image, degrees int) image.Image {
	d := ((degrees % 360) + 360) % 360
	if d == 0 || d%90 != 0 {
		return img
	}
	b := img.Bounds()
	src, ok := img.(*image.RGBA)
	if !ok || b.Min != (image.Point{}) {
		src = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(src, src.Bounds(), img, b.Min, draw.Src)
	}
	w, h := b.Dx(), b.Dy()
	ow, oh := w, h
	if d != 180 {
		ow, oh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := 0; y < h; y++ {
		row := src.Pix[y*src.Stride : y*src.Stride+4*w]
		for x := 0; x < w; x++ {
			var nx, ny int
			switch d {
			case 90:
				nx, ny = h-1-y, x
			case 180:
				nx, ny = w-1-x, h-1-y
			default: // 270
				nx, ny = y, w-1-x
			}
			copy(dst.Pix[ny*dst.Stride+4*nx:ny*dst.Stride+4*nx+4], row[4*x:4*x+4])
		}
	}
	return dst
}

// lru is a small least-recently-used image cache.
type lru struct {
	mu    sync.Mutex
	max   int
	ll    *list.List
	items map[imgKey]*list.Element
}

type lruEntry struct {
	k   imgKey
	img image.Image
}

func newLRU(max int) *lru { return &lru{max: max, ll: list.New(), items: map[imgKey]*list.Element{}} }

func (c *lru) get(k imgKey) (image.Image, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*lruEntry).img, true
	}
	return nil, false
}

func (c *lru) put(k imgKey, img image.Image) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		e.Value.(*lruEntry).img = img
		c.ll.MoveToFront(e)
		return
	}
	c.items[k] = c.ll.PushFront(&lruEntry{k, img})
	for c.ll.Len() > c.max {
		e := c.ll.Back()
		c.ll.Remove(e)
		delete(c.items, e.Value.(*lruEntry).k)
	}
}
