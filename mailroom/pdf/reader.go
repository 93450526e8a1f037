package pdf

import (
	"errors"
	"io"
	"os"
)

type xrefEntry struct {
	typ    byte  // 0: free, 1: at offset, 2: in object stream
	offset int64 // typ 1: file offset; typ 2: object stream number
	index  int   // typ 2: index in the object stream
	gen    int
}

type objStm struct {
	num   int
	data  []byte
	first int
	offs  map[int]int // object number → offset after first
}

// Reader reads the objects of one PDF on demand. It is not safe for
// concurrent use.
type Reader struct {
	f          io.ReaderAt
	closer     io.Closer // nil unless opened by Open
	size       int64
	xref       map[int]xrefEntry
	trailer    Dict
	startXref  int64     // offset of the newest cross-reference section
	xrefStream bool      // whether that section is a stream
	stms       []*objStm // small cache of decoded object streams
	cache      map[int]any
	nesting    int // Object calls in progress (a stream's /Length or object stream needs another object)
}

// Limits of the reader.
const (
	maxXrefSections = 64       // sections in a /Prev chain
	maxObjectWindow = 64 << 20 // bytes read to parse one indirect object
	maxRefChain     = 16       // references followed to reach an object
	maxCached       = 4096     // objects kept in the cache
	maxObjStms      = 4        // decoded object streams kept
	maxNesting      = 32       // objects needed to read one object, one inside the other
)

// Open opens the PDF file at path.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	r, err := NewReader(f, st.Size())
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// NewReader reads the cross-reference sections of the PDF of the given
// size in f. Encrypted files are refused.
func NewReader(f io.ReaderAt, size int64) (*Reader, error) {
	r := &Reader{f: f, size: size, xref: map[int]xrefEntry{}, cache: map[int]any{}}
	if err := r.readXref(); err != nil {
		return nil, err
	}
	if _, enc := r.trailer["Encrypt"]; enc {
		return nil, errorf("encrypted")
	}
	return r, nil
}

// Close closes the file opened by Open; for NewReader it does nothing.
func (r *Reader) Close() error {
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// Trailer returns the newest trailer dictionary (of an xref stream: its
// dictionary).
func (r *Reader) Trailer() Dict { return r.trailer }

// StartXref returns the offset the final startxref points at.
func (r *Reader) StartXref() int64 { return r.startXref }

// XrefStream reports whether the newest cross-reference section is a
// stream (PDF 1.5) rather than a classic table.
func (r *Reader) XrefStream() bool { return r.xrefStream }

// MaxObject returns the highest object number in the cross-reference
// sections.
func (r *Reader) MaxObject() int {
	m := 0
	for n := range r.xref {
		m = max(m, n)
	}
	return m
}

// readAt reads up to n bytes at off.
func (r *Reader) readAt(off int64, n int) ([]byte, error) {
	if off < 0 || off >= r.size {
		return nil, errorf("offset %d outside the file", off)
	}
	n = int(min(int64(n), r.size-off))
	b := make([]byte, n)
	if _, err := r.f.ReadAt(b, off); err != nil && err != io.EOF {
		return nil, err
	}
	return b, nil
}

// parseIndirectAt parses "num gen obj … endobj" at off; num < 0 accepts
// any object number.
func (r *Reader) parseIndirectAt(off int64, num int) (any, error) {
	for n := 1 << 12; ; n *= 8 {
		b, err := r.readAt(off, n)
		if err != nil {
			return nil, err
		}
		o, err := parseIndirect(b, off, num)
		if err == nil {
			return o, nil
		}
		if !errors.Is(err, ErrEOF) || len(b) < n || n > maxObjectWindow {
			return nil, err
		}
	}
}

func parseIndirect(b []byte, off int64, num int) (any, error) {
	l := &Lexer{b: b}
	t1, err1 := l.Token()
	t2, err2 := l.Token()
	t3, err3 := l.Token()
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, err
	}
	n, ok := t1.(int64)
	if _, ok2 := t2.(int64); !ok || !ok2 || t3 != Keyword("obj") {
		return nil, errorf("no object at offset %d", off)
	}
	if num >= 0 && int(n) != num {
		return nil, errorf("object %d expected at offset %d, found %d", num, off, n)
	}
	o, err := l.Value()
	if err != nil {
		return nil, err
	}
	t, err := l.Token()
	if err != nil {
		return nil, err
	}
	if t == Keyword("stream") {
		d, ok := o.(Dict)
		if !ok {
			return nil, errorf("stream without dictionary")
		}
		p := l.pos
		if p < len(b) && b[p] == '\r' {
			p++
		}
		if p < len(b) && b[p] == '\n' {
			p++
		}
		return &Stream{Dict: d, Offset: off + int64(p)}, nil
	}
	if t != Keyword("endobj") {
		return nil, errorf("object %d not closed", n)
	}
	return o, nil
}

// Resolve returns the object o refers to (o itself if it is no reference;
// nil for a missing object).
func (r *Reader) Resolve(o any) (any, error) {
	for depth := 0; depth < maxRefChain; depth++ {
		ref, ok := o.(Ref)
		if !ok {
			return o, nil
		}
		var err error
		if o, err = r.Object(ref.Num); err != nil {
			return nil, err
		}
	}
	return nil, errorf("reference chain too long")
}

// Dict resolves o and returns it as a dictionary; anything else (a stream
// too) is an error.
func (r *Reader) Dict(o any) (Dict, error) {
	o, err := r.Resolve(o)
	if err != nil {
		return nil, err
	}
	d, ok := o.(Dict)
	if !ok {
		return nil, errorf("dictionary expected, found %T", o)
	}
	return d, nil
}

// Object returns object num (nil if it is missing or free).
func (r *Reader) Object(num int) (any, error) {
	if o, ok := r.cache[num]; ok {
		return o, nil
	}
	e, ok := r.xref[num]
	if !ok || e.typ == 0 {
		return nil, nil // missing objects are null
	}
	if r.nesting >= maxNesting {
		return nil, errorf("object %d needs objects nested too deeply", num)
	}
	r.nesting++
	defer func() { r.nesting-- }()
	var o any
	var err error
	if e.typ == 1 {
		o, err = r.parseIndirectAt(e.offset, num)
	} else {
		o, err = r.fromObjStm(int(e.offset), num)
	}
	if err != nil {
		return nil, err
	}
	if len(r.cache) > maxCached {
		clear(r.cache)
	}
	r.cache[num] = o
	return o, nil
}

func (r *Reader) fromObjStm(stmNum, num int) (any, error) {
	var os *objStm
	for _, s := range r.stms {
		if s.num == stmNum {
			os = s
		}
	}
	if os == nil {
		var err error
		if os, err = r.loadObjStm(stmNum); err != nil {
			return nil, err
		}
		if len(r.stms) >= maxObjStms {
			r.stms = r.stms[1:]
		}
		r.stms = append(r.stms, os)
	}
	o, ok := os.offs[num]
	if !ok || os.first+o >= len(os.data) {
		return nil, errorf("object %d not in object stream %d", num, stmNum)
	}
	l := &Lexer{b: os.data, pos: os.first + o}
	return l.Value()
}

// loadObjStm decodes object stream stmNum and reads its header.
func (r *Reader) loadObjStm(stmNum int) (*objStm, error) {
	if e := r.xref[stmNum]; e.typ != 1 {
		return nil, errorf("object stream %d is not a plain object", stmNum)
	}
	so, err := r.Object(stmNum)
	if err != nil {
		return nil, err
	}
	s, data, err := r.typedStream(so, "ObjStm", errorf("object %d is not an object stream", stmNum))
	if err != nil {
		return nil, err
	}
	first, _ := s.Dict["First"].(int64)
	cnt, _ := s.Dict["N"].(int64)
	if first <= 0 || int(first) > len(data) || cnt < 0 || cnt > 1<<20 {
		return nil, errorf("bad object stream %d", stmNum)
	}
	os := &objStm{num: stmNum, data: data, first: int(first), offs: map[int]int{}}
	l := &Lexer{b: data[:first]}
	for i := int64(0); i < cnt; i++ {
		a, err1 := l.Token()
		b, err2 := l.Token()
		n, ok1 := a.(int64)
		o, ok2 := b.(int64)
		if err1 != nil || err2 != nil || !ok1 || !ok2 {
			return nil, errorf("bad object stream header %d", stmNum)
		}
		os.offs[int(n)] = int(o)
	}
	return os, nil
}
