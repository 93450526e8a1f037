package pdf

import (
	"compress/zlib"
	"errors"
	"io"
)

// Cost is what rendering a page asks of a renderer, as far as it is known
// without rendering: the decoded content-stream bytes it interprets (a form
// XObject counted every time it is drawn) and the image pixels it decodes
// (an image every time it is drawn). Tiling patterns, Type 3 glyphs and
// annotation appearances are counted once. It bounds what a page can cost
// in content and images; it does not bound what each operator costs (a
// full-page fill repeated a million times stays small here), which is left
// to the renderer's deadline.
type Cost struct {
	Content  int64 // decoded content bytes
	Pixels   int64 // image pixels, every draw counted
	MaxImage int64 // pixels of the largest image
	Streams  int   // content streams looked at
	// Opaque counts streams with filters this reader does not decode;
	// their encoded size is counted as content.
	Opaque int
	// Over names the limit that was passed ("content", "pixels",
	// "streams"); the count stopped there.
	Over string
}

// CostLimits stop the count once passed. Zero fields mean no limit.
type CostLimits struct {
	Content int64
	Pixels  int64
	Streams int
}

// PageCost counts page p's cost up to the limits. Damaged structure is an
// error; a limit passed is not (Cost.Over says which).
func (r *Reader) PageCost(p Page, lim CostLimits) (Cost, error) {
	w := &costWalk{r: r, lim: lim, memo: map[Ref]costOf{}, active: map[Ref]bool{}}
	parts, err := r.contentParts(p)
	if err != nil {
		return w.c, err
	}
	page, err := w.streams(parts, p.Resources, 0)
	if err != nil && !errors.Is(err, errOver) {
		return w.c, err
	}
	w.c.Content, w.c.Pixels = add(w.c.Content, page.content), add(w.c.Pixels, page.pixels)
	if err == nil {
		err = w.extras(p)
	}
	w.check()
	if errors.Is(err, errOver) {
		err = nil
	}
	return w.c, err
}

// contentParts returns the page's content streams (none for a page
// without /Contents).
func (r *Reader) contentParts(p Page) ([]*Stream, error) {
	co, err := r.Resolve(p.Dict["Contents"])
	if err != nil {
		return nil, err
	}
	var list []any
	switch c := co.(type) {
	case *Stream:
		return []*Stream{c}, nil
	case Array:
		list = c
	case nil:
		return nil, nil
	default:
		return nil, errorf("bad /Contents")
	}
	var out []*Stream
	for _, part := range list {
		o, err := r.Resolve(part)
		if err != nil {
			return nil, err
		}
		s, ok := o.(*Stream)
		if !ok {
			return nil, errorf("content is not a stream")
		}
		out = append(out, s)
	}
	return out, nil
}

// costOf is the cost of one content stream with what it draws.
type costOf struct{ content, pixels int64 }

var errOver = errors.New("cost limit passed")

type costWalk struct {
	r      *Reader
	lim    CostLimits
	c      Cost // page totals of what is counted once (extras), and the maxima
	memo   map[Ref]costOf
	active map[Ref]bool
	// decoded counts the bytes decoded so far, each stream once: it bounds
	// the walk's own work by the content limit.
	decoded int64
}

const maxFormDepth = 32

// streams counts content streams read as one (a page's /Contents).
func (w *costWalk) streams(parts []*Stream, res Dict, depth int) (costOf, error) {
	sc := newDoScanner()
	var total costOf
	for _, s := range parts {
		n, err := w.scan(s, sc)
		total.content = add(total.content, n)
		if err != nil {
			return total, err
		}
	}
	sc.finish()
	return w.draws(total, sc.dos, res, depth)
}

// draws adds what the Do operators of a stream draw, count times each.
func (w *costWalk) draws(total costOf, dos map[Name]int64, res Dict, depth int) (costOf, error) {
	if len(dos) == 0 {
		return total, w.over(total)
	}
	xo, _ := w.r.Dict(res["XObject"])
	for name, count := range dos {
		child, err := w.xobject(xo[name], res, depth)
		if err != nil {
			return total, err
		}
		total.content = add(total.content, mul(count, child.content))
		total.pixels = add(total.pixels, mul(count, child.pixels))
		if err := w.over(total); err != nil {
			return total, err
		}
	}
	return total, nil
}

// xobject is the cost of drawing the XObject o once.
func (w *costWalk) xobject(o any, res Dict, depth int) (costOf, error) {
	ref, isRef := o.(Ref)
	if isRef {
		if c, ok := w.memo[ref]; ok {
			return c, nil
		}
		if w.active[ref] {
			return costOf{}, nil // a form drawing itself: renderers stop that
		}
	}
	so, err := w.r.Resolve(o)
	s, ok := so.(*Stream)
	if err != nil || !ok {
		return costOf{}, nil // missing or broken: nothing is drawn
	}
	var c costOf
	switch s.Dict["Subtype"] {
	case Name("Image"):
		c.pixels = w.imagePixels(s.Dict)
		if sm, ok := w.r.Resolve(s.Dict["SMask"]); ok == nil {
			if sms, isStream := sm.(*Stream); isStream {
				c.pixels = add(c.pixels, w.imagePixels(sms.Dict))
			}
		}
	case Name("Form"):
		if depth >= maxFormDepth {
			return costOf{}, errorf("forms nested too deeply")
		}
		if isRef {
			w.active[ref] = true
			defer delete(w.active, ref)
		}
		c, err = w.form(s, res, depth+1)
		if err != nil {
			return c, err
		}
	}
	if isRef {
		w.memo[ref] = c
	}
	return c, nil
}

// form counts a form XObject (or pattern, glyph, appearance) once: its own
// resources, else those of its parent.
func (w *costWalk) form(s *Stream, res Dict, depth int) (costOf, error) {
	if own, err := w.r.Dict(s.Dict["Resources"]); err == nil {
		res = own
	}
	return w.streams([]*Stream{s}, res, depth)
}

// imagePixels is Width × Height of an image dictionary.
func (w *costWalk) imagePixels(d Dict) int64 {
	wd, ok1 := w.r.smallInt(d["Width"])
	ht, ok2 := w.r.smallInt(d["Height"])
	if !ok1 || !ok2 {
		return 0
	}
	px := mul(int64(wd), int64(ht))
	w.c.MaxImage = max(w.c.MaxImage, px)
	return px
}

// scan decodes stream s (streamed, never held whole) through sc and returns
// its decoded size; it stops when the content budget is used up.
func (w *costWalk) scan(s *Stream, sc *doScanner) (int64, error) {
	w.c.Streams++
	if w.lim.Streams > 0 && w.c.Streams > w.lim.Streams {
		w.c.Over = "streams"
		return 0, errOver
	}
	n, err := w.r.streamLength(s)
	if err != nil {
		return 0, nil // MuPDF repairs or skips it; nothing to count
	}
	filter, _, err := w.r.SingleFilter(s.Dict)
	if err != nil || (filter != "" && filter != "FlateDecode") {
		w.c.Opaque++
		return n, nil
	}
	var src io.Reader = io.NewSectionReader(w.r.f, s.Offset, n)
	if filter == "FlateDecode" {
		zr, err := zlib.NewReader(src)
		if err != nil {
			return 0, nil
		}
		src = zr
	}
	budget := int64(-1)
	if w.lim.Content > 0 {
		budget = w.lim.Content - w.decoded + 1
	}
	var total int64
	buf := make([]byte, 64<<10)
	for budget < 0 || total < budget {
		k, err := src.Read(buf)
		sc.feed(buf[:k])
		total += int64(k)
		if err != nil {
			break // end, or damaged data: MuPDF stops there too
		}
	}
	w.decoded += total
	if budget >= 0 && total >= budget {
		w.c.Over = "content"
		return total, errOver
	}
	return total, nil
}

// over reports errOver once a stream's cost alone passes a limit.
func (w *costWalk) over(c costOf) error {
	switch {
	case w.lim.Content > 0 && add(w.c.Content, c.content) > w.lim.Content:
		w.c.Over = "content"
	case w.lim.Pixels > 0 && add(w.c.Pixels, c.pixels) > w.lim.Pixels:
		w.c.Over = "pixels"
	default:
		return nil
	}
	return errOver
}

// check sets Over from the totals.
func (w *costWalk) check() {
	if w.c.Over == "" {
		w.over(costOf{})
	}
}

// add and mul saturate instead of overflowing.
func add(a, b int64) int64 {
	if a > 1<<62-b {
		return 1 << 62
	}
	return a + b
}

func mul(a, b int64) int64 {
	if a != 0 && b > (1<<62)/a {
		return 1 << 62
	}
	return a * b
}
