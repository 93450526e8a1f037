package pdf

import (
	"bytes"
	"errors"
)

// Limits of cross-reference reading.
const (
	maxXrefEntries = 1 << 24   // entries in one subsection
	maxXrefTable   = 256 << 20 // bytes of one classic table with its trailer
	maxXrefStream  = 64 << 20  // decoded bytes of one xref or object stream
)

// readXref reads the final startxref and every cross-reference section of
// the /Prev chain (and the /XRefStm of hybrid files); later sections win.
func (r *Reader) readXref() error {
	tail, err := r.readAt(max(0, r.size-2048), 2048)
	if err != nil {
		return err
	}
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return errorf("no startxref")
	}
	l := &Lexer{b: tail, pos: i + len("startxref")}
	t, err := l.Token()
	off, ok := t.(int64)
	if err != nil || !ok {
		return errorf("bad startxref")
	}
	r.startXref = off
	if err := r.readXrefChain(off); err != nil {
		return err
	}
	if _, ok := r.trailer["Root"].(Ref); !ok {
		return errorf("trailer without /Root")
	}
	return nil
}

func (r *Reader) readXrefChain(off int64) error {
	seen := map[int64]bool{}
	for n := 0; ; n++ {
		if n > maxXrefSections || seen[off] {
			return errorf("xref chain loops")
		}
		seen[off] = true
		trailer, stream, err := r.readXrefSection(off)
		if err != nil {
			return err
		}
		if n == 0 {
			r.trailer, r.xrefStream = trailer, stream
		}
		// Hybrid file: the xref stream of a classic section.
		if xs, ok := trailer["XRefStm"].(int64); ok && !seen[xs] {
			seen[xs] = true
			if _, _, err := r.readXrefSection(xs); err != nil {
				return err
			}
		}
		prev, ok := trailer["Prev"].(int64)
		if !ok {
			return nil
		}
		off = prev
	}
}

func (r *Reader) setEntry(num int, e xrefEntry) {
	if _, ok := r.xref[num]; !ok { // later sections (read first) win
		r.xref[num] = e
	}
}

// readXrefSection reads a classic xref table or an xref stream at off and
// returns its trailer dictionary and whether it is a stream.
func (r *Reader) readXrefSection(off int64) (Dict, bool, error) {
	head, err := r.readAt(off, 64)
	if err != nil {
		return nil, false, err
	}
	if bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n\f\x00"), []byte("xref")) {
		d, err := r.readXrefTable(off)
		return d, false, err
	}
	d, err := r.readXrefStream(off)
	return d, true, err
}

func (r *Reader) readXrefStream(off int64) (Dict, error) {
	o, err := r.parseIndirectAt(off, -1)
	if err != nil {
		return nil, err
	}
	s, data, err := r.typedStream(o, "XRef", errorf("xref at %d is neither table nor stream", off))
	if err != nil {
		return nil, err
	}
	w, ok := s.Dict["W"].(Array)
	if !ok || len(w) != 3 {
		return nil, errorf("xref stream without /W")
	}
	var ws [3]int
	for i := range ws {
		v, ok := w[i].(int64)
		if !ok || v < 0 || v > 8 {
			return nil, errorf("bad /W")
		}
		ws[i] = int(v)
	}
	if ws[0]+ws[1]+ws[2] == 0 {
		return nil, errorf("bad /W")
	}
	size, _ := s.Dict["Size"].(int64)
	index := Array{int64(0), size}
	if ix, ok := s.Dict["Index"].(Array); ok {
		index = ix
	}
	if err := r.xrefStreamEntries(data, ws, index); err != nil {
		return nil, err
	}
	return s.Dict, nil
}

// xrefStreamEntries enters the records of a decoded xref stream.
func (r *Reader) xrefStreamEntries(data []byte, ws [3]int, index Array) error {
	rec := ws[0] + ws[1] + ws[2]
	field := func(b []byte, def int64) int64 {
		if len(b) == 0 {
			return def
		}
		var v int64
		for _, c := range b {
			v = v<<8 | int64(c)
		}
		return v
	}
	p := 0
	for k := 0; k+1 < len(index); k += 2 {
		start, ok1 := index[k].(int64)
		count, ok2 := index[k+1].(int64)
		if !ok1 || !ok2 || start < 0 || count < 0 || count > maxXrefEntries {
			return errorf("bad /Index")
		}
		for j := int64(0); j < count; j++ {
			if p+rec > len(data) {
				return errorf("xref stream too short")
			}
			e := data[p : p+rec]
			p += rec
			typ := field(e[:ws[0]], 1)
			f2 := field(e[ws[0]:ws[0]+ws[1]], 0)
			f3 := field(e[ws[0]+ws[1]:], 0)
			num := int(start + j)
			switch typ {
			case 0:
				r.setEntry(num, xrefEntry{typ: 0})
			case 1:
				r.setEntry(num, xrefEntry{typ: 1, offset: f2, gen: int(f3)})
			case 2:
				r.setEntry(num, xrefEntry{typ: 2, offset: f2, index: int(f3)})
			}
		}
	}
	return nil
}

func (r *Reader) readXrefTable(off int64) (Dict, error) {
	// Read in growing windows until the trailer dictionary is complete.
	for n := 1 << 16; ; n *= 4 {
		b, err := r.readAt(off, n)
		if err != nil {
			return nil, err
		}
		trailer, err := r.parseXrefTable(b)
		if err == nil {
			return trailer, nil
		}
		if !errors.Is(err, ErrEOF) || int64(len(b)) < int64(n) || n > maxXrefTable {
			return nil, err
		}
	}
}

type numberedEntry struct {
	num int
	e   xrefEntry
}

func (r *Reader) parseXrefTable(b []byte) (Dict, error) {
	l := &Lexer{b: b}
	if t, err := l.Token(); err != nil || t != Keyword("xref") {
		return nil, errorf("no xref keyword")
	}
	var ents []numberedEntry
	for {
		t, err := l.Token()
		if err != nil {
			return nil, err
		}
		if t == Keyword("trailer") {
			break
		}
		if ents, err = l.xrefSubsection(t, ents); err != nil {
			return nil, err
		}
	}
	o, err := l.Value()
	if err != nil {
		return nil, err
	}
	d, ok := o.(Dict)
	if !ok {
		return nil, errorf("trailer is not a dictionary")
	}
	for _, e := range ents {
		r.setEntry(e.num, e.e)
	}
	return d, nil
}

// xrefSubsection reads one subsection of a classic table whose first token
// (the first object number) is t.
func (l *Lexer) xrefSubsection(t any, ents []numberedEntry) ([]numberedEntry, error) {
	start, ok := t.(int64)
	t2, err := l.Token()
	count, ok2 := t2.(int64)
	if err != nil || !ok || !ok2 || start < 0 || count < 0 || count > maxXrefEntries {
		if err != nil {
			return nil, err
		}
		return nil, errorf("bad xref subsection")
	}
	for j := int64(0); j < count; j++ {
		a, err1 := l.Token()
		g, err2 := l.Token()
		k, err3 := l.Token()
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, err
		}
		o, ok1 := a.(int64)
		gen, ok2 := g.(int64)
		if !ok1 || !ok2 {
			return nil, errorf("bad xref entry")
		}
		switch k {
		case Keyword("n"):
			ents = append(ents, numberedEntry{int(start + j), xrefEntry{typ: 1, offset: o, gen: int(gen)}})
		case Keyword("f"):
			ents = append(ents, numberedEntry{int(start + j), xrefEntry{typ: 0}})
		default:
			return nil, errorf("bad xref entry type")
		}
	}
	return ents, nil
}
