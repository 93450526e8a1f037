package pdf

// extras counts what a page draws besides its content, once each: tiling
// patterns and Type 3 glyphs in its resources, and annotation appearances.
func (w *costWalk) extras(p Page) error {
	res := p.Resources
	var streams []*Stream
	var owners []Dict
	collect := func(o any, parent Dict) {
		if so, err := w.r.Resolve(o); err == nil {
			if s, ok := so.(*Stream); ok {
				streams, owners = append(streams, s), append(owners, parent)
			}
		}
	}
	if pats, err := w.r.Dict(res["Pattern"]); err == nil {
		for _, k := range pats.Keys() {
			collect(pats[k], res)
		}
	}
	if fonts, err := w.r.Dict(res["Font"]); err == nil {
		for _, k := range fonts.Keys() {
			f, err := w.r.Dict(fonts[k])
			if err != nil || f["Subtype"] != Name("Type3") {
				continue
			}
			fres := res
			if own, err := w.r.Dict(f["Resources"]); err == nil {
				fres = own
			}
			if procs, err := w.r.Dict(f["CharProcs"]); err == nil {
				for _, g := range procs.Keys() {
					collect(procs[g], fres)
				}
			}
		}
	}
	w.annotations(p, collect)
	for i, s := range streams {
		c, err := w.form(s, owners[i], 1)
		w.c.Content, w.c.Pixels = add(w.c.Content, c.content), add(w.c.Pixels, c.pixels)
		if err != nil {
			return err
		}
		if err := w.over(costOf{}); err != nil {
			return err
		}
	}
	return nil
}

// annotations hands every normal appearance stream of the page's
// annotations to collect (an appearance may be one stream or one per state).
func (w *costWalk) annotations(p Page, collect func(any, Dict)) {
	ao, err := w.r.Resolve(p.Dict["Annots"])
	annots, ok := ao.(Array)
	if err != nil || !ok {
		return
	}
	for i, a := range annots {
		if i >= 4096 {
			return
		}
		ad, err := w.r.Dict(a)
		if err != nil {
			continue
		}
		ap, err := w.r.Dict(ad["AP"])
		if err != nil {
			continue
		}
		n, err := w.r.Resolve(ap["N"])
		if err != nil {
			continue
		}
		if states, ok := n.(Dict); ok {
			for _, k := range states.Keys() {
				collect(states[k], p.Resources)
			}
			continue
		}
		collect(n, p.Resources)
	}
}
