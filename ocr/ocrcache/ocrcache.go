// Package ocrcache remembers recognition results by page image, so a page
// recognised twice — the parts of a document split automatically after
// recognition (auto_split = apply) are recognised again with their own
// pages — reaches tesseract once. The image is identified by a hash of its
// pixels, size and resolution; the cache holds results up to a byte budget
// and forgets the least recently used first.
package ocrcache

import (
	"container/list"
	"context"
	"hash/maphash"
	"image"
	"sync"

	"poststelle/mailroom"
)

// Cache wraps a Recognizer. It is safe for concurrent use; two goroutines
// asking for the same new image at once may both recognise it.
type Cache struct {
	next     mailroom.Recognizer
	maxBytes int64

	mu      sync.Mutex
	entries map[key]*list.Element
	order   *list.List // front: most recently used
	size    int64
	hits    int64
	misses  int64
}

var _ mailroom.Recognizer = (*Cache)(nil)

type key struct {
	w, h int
	dpi  float64
	sum  uint64
}

type entry struct {
	k    key
	pt   mailroom.PageText
	size int64
}

var seed = maphash.MakeSeed()

// New returns a cache in front of next holding at most maxBytes of results
// (≤ 0: 64 MiB, some thousand pages).
func New(next mailroom.Recognizer, maxBytes int64) *Cache {
	if maxBytes <= 0 {
		maxBytes = 64 << 20
	}
	return &Cache{next: next, maxBytes: maxBytes, entries: map[key]*list.Element{}, order: list.New()}
}

// Recognize implements mailroom.Recognizer. Only gray images (what
// recognition hands over) are cached; others go straight through.
func (c *Cache) Recognize(ctx context.Context, page mailroom.Page) (mailroom.PageText, error) {
	if err := ctx.Err(); err != nil {
		return mailroom.PageText{}, err
	}
	g, ok := page.Image.(*image.Gray)
	if !ok {
		return c.next.Recognize(ctx, page)
	}
	k := keyOf(g, page.DPI)
	if pt, ok := c.get(k); ok {
		return pt, nil
	}
	pt, err := c.next.Recognize(ctx, page)
	if err != nil {
		return pt, err
	}
	c.put(k, pt)
	return clone(pt), nil
}

// Stats returns how many calls were answered from the cache and how many
// went to the recogniser.
func (c *Cache) Stats() (hits, misses int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses
}

func keyOf(g *image.Gray, dpi float64) key {
	var h maphash.Hash
	h.SetSeed(seed)
	b := g.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		i := g.PixOffset(b.Min.X, y)
		h.Write(g.Pix[i : i+b.Dx()])
	}
	return key{w: b.Dx(), h: b.Dy(), dpi: dpi, sum: h.Sum64()}
}

func (c *Cache) get(k key) (mailroom.PageText, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[k]
	if !ok {
		c.misses++
		return mailroom.PageText{}, false
	}
	c.hits++
	c.order.MoveToFront(el)
	return clone(el.Value.(*entry).pt), true
}

func (c *Cache) put(k key, pt mailroom.PageText) {
	size := int64(len(pt.Text)) + 64
	for _, w := range pt.Words {
		size += int64(len(w.Text)) + 64
	}
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[k]; ok {
		return
	}
	c.entries[k] = c.order.PushFront(&entry{k: k, pt: clone(pt), size: size})
	c.size += size
	for c.size > c.maxBytes {
		el := c.order.Back()
		e := el.Value.(*entry)
		c.order.Remove(el)
		delete(c.entries, e.k)
		c.size -= e.size
	}
}

// clone copies the word list, so callers cannot change what is cached.
func clone(pt mailroom.PageText) mailroom.PageText {
	pt.Words = append([]mailroom.Word(nil), pt.Words...)
	return pt
}
