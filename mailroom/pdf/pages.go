package pdf

// Limits of the page tree.
const (
	maxTreeDepth = 64
	maxPages     = 1 << 20
)

// Page is a page with its inherited attributes.
type Page struct {
	Dict      Dict
	Resources Dict
	MediaBox  [4]float64 // normalised: lower left, upper right
	CropBox   [4]float64 // the media box unless the page says otherwise
	Rotate    int        // clockwise, 0, 90, 180 or 270
}

// box returns a rectangle, normalised.
func (r *Reader) box(o any) ([4]float64, bool) {
	o, err := r.Resolve(o)
	a, ok := o.(Array)
	if err != nil || !ok || len(a) != 4 {
		return [4]float64{}, false
	}
	var b [4]float64
	for i := range b {
		v, err := r.Resolve(a[i])
		if err != nil {
			return b, false
		}
		f, ok := Number(v)
		if !ok {
			return b, false
		}
		b[i] = f
	}
	if b[0] > b[2] {
		b[0], b[2] = b[2], b[0]
	}
	if b[1] > b[3] {
		b[1], b[3] = b[3], b[1]
	}
	return b, true
}

// pageWalk collects the pages of the page tree.
type pageWalk struct {
	r    *Reader
	out  []Page
	seen map[Ref]bool
}

// Pages returns every page in order.
func (r *Reader) Pages() ([]Page, error) {
	root, err := r.Dict(r.trailer["Root"])
	if err != nil {
		return nil, err
	}
	w := &pageWalk{r: r, seen: map[Ref]bool{}}
	if err := w.walk(root["Pages"], Page{}, false, 0); err != nil {
		return nil, err
	}
	return w.out, nil
}

func (w *pageWalk) walk(node any, inh Page, haveMedia bool, depth int) error {
	if depth > maxTreeDepth || len(w.out) > maxPages {
		return errorf("page tree too deep")
	}
	if ref, ok := node.(Ref); ok {
		if w.seen[ref] {
			return errorf("page tree loops")
		}
		w.seen[ref] = true
	}
	d, err := w.r.Dict(node)
	if err != nil {
		return err
	}
	if haveMedia, err = w.r.inherit(d, &inh, haveMedia); err != nil {
		return err
	}
	typ := d["Type"]
	kids, hasKids := d["Kids"]
	if typ == Name("Pages") || (typ == nil && hasKids) {
		ko, err := w.r.Resolve(kids)
		if err != nil {
			return err
		}
		ka, ok := ko.(Array)
		if !ok {
			return errorf("bad /Kids")
		}
		for _, k := range ka {
			if err := w.walk(k, inh, haveMedia, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if !haveMedia {
		inh.MediaBox = [4]float64{0, 0, 612, 792}
		inh.CropBox = inh.MediaBox
	}
	inh.Dict = d
	w.out = append(w.out, inh)
	return nil
}

// inherit takes the inheritable attributes of node d into inh.
func (r *Reader) inherit(d Dict, inh *Page, haveMedia bool) (bool, error) {
	if res, ok := d["Resources"]; ok {
		var err error
		if inh.Resources, err = r.Dict(res); err != nil {
			return haveMedia, err
		}
	}
	if b, ok := r.box(d["MediaBox"]); ok {
		inh.MediaBox, haveMedia = b, true
		inh.CropBox = b
	}
	if b, ok := r.box(d["CropBox"]); ok {
		inh.CropBox = b
	}
	if ro, ok := d["Rotate"]; ok {
		v, err := r.Resolve(ro)
		if err != nil {
			return haveMedia, err
		}
		n, ok := v.(int64)
		if !ok || n%90 != 0 {
			return haveMedia, errorf("bad /Rotate")
		}
		inh.Rotate = int(((n % 360) + 360) % 360)
	}
	return haveMedia, nil
}

// Contents returns the page's decoded content stream(s), joined; more than
// limit bytes is an error.
func (r *Reader) Contents(p Page, limit int64) ([]byte, error) {
	co, err := r.Resolve(p.Dict["Contents"])
	if err != nil {
		return nil, err
	}
	var parts []any
	switch c := co.(type) {
	case *Stream:
		parts = []any{c}
	case Array:
		parts = c
	case nil:
		return nil, nil
	default:
		return nil, errorf("bad /Contents")
	}
	var out []byte
	for _, part := range parts {
		po, err := r.Resolve(part)
		if err != nil {
			return nil, err
		}
		s, ok := po.(*Stream)
		if !ok {
			return nil, errorf("content is not a stream")
		}
		data, err := r.DecodeStream(s, limit)
		if err != nil {
			return nil, err
		}
		out = append(out, data...)
		out = append(out, '\n')
		if int64(len(out)) > limit {
			return nil, errorf("content too large")
		}
	}
	return out, nil
}
