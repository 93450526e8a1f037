package scan

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// A minimal, read-only PDF object reader: cross-reference tables and
// streams (with /Prev chains and hybrid files), object streams, and the raw
// bytes of stream objects. It exists to take scanned page images out of a
// PDF unchanged (see pdfpassthrough.go); anything it cannot read with
// certainty is an error, and the caller falls back to rendering the page
// with MuPDF. Objects are read on demand from the file, so memory does not
// grow with the size of the document.

// PDF object model: nil, bool, int64, float64, pdfName, pdfString,
// pdfArray, pdfDict, pdfRef; streams are *pdfStream.
type (
	pdfName   string
	pdfString string
	pdfArray  []any
	pdfDict   map[pdfName]any
	pdfRef    struct{ num, gen int }
	pdfStream struct {
		dict   pdfDict
		offset int64 // of the first data byte in the file
	}
	pdfKeyword string
)

var errPDFRaw = errors.New("pdf reader: unsupported or damaged structure")

func rawErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errPDFRaw, fmt.Sprintf(format, a...))
}

// ---- lexer ----

type pdfLexer struct {
	b   []byte
	pos int
}

func isPDFSpace(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isPDFDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func (l *pdfLexer) skipSpace() {
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		if isPDFSpace(c) {
			l.pos++
			continue
		}
		if c == '%' {
			for l.pos < len(l.b) && l.b[l.pos] != '\n' && l.b[l.pos] != '\r' {
				l.pos++
			}
			continue
		}
		break
	}
}

var errLexEOF = errors.New("pdf reader: unexpected end of data")

// token returns the next token: a delimiter string ("<<", ">>", "[", "]",
// "{", "}"), pdfName, pdfString, int64, float64 or pdfKeyword.
func (l *pdfLexer) token() (any, error) {
	l.skipSpace()
	if l.pos >= len(l.b) {
		return nil, errLexEOF
	}
	c := l.b[l.pos]
	switch c {
	case '[', ']', '{', '}':
		l.pos++
		return string(c), nil
	case '<':
		if l.pos+1 < len(l.b) && l.b[l.pos+1] == '<' {
			l.pos += 2
			return "<<", nil
		}
		return l.hexString()
	case '>':
		if l.pos+1 < len(l.b) && l.b[l.pos+1] == '>' {
			l.pos += 2
			return ">>", nil
		}
		return nil, rawErr("stray '>'")
	case '(':
		return l.litString()
	case ')':
		return nil, rawErr("stray ')'")
	case '/':
		l.pos++
		start := l.pos
		for l.pos < len(l.b) && !isPDFSpace(l.b[l.pos]) && !isPDFDelim(l.b[l.pos]) {
			l.pos++
		}
		return pdfName(unescapeName(l.b[start:l.pos])), nil
	}
	start := l.pos
	for l.pos < len(l.b) && !isPDFSpace(l.b[l.pos]) && !isPDFDelim(l.b[l.pos]) {
		l.pos++
	}
	w := string(l.b[start:l.pos])
	if w == "" {
		return nil, rawErr("unexpected byte %q", c)
	}
	if c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9') {
		if i, err := strconv.ParseInt(w, 10, 64); err == nil {
			return i, nil
		}
		if f, err := strconv.ParseFloat(w, 64); err == nil {
			return f, nil
		}
	}
	return pdfKeyword(w), nil
}

func unescapeName(b []byte) string {
	if bytes.IndexByte(b, '#') < 0 {
		return string(b)
	}
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] == '#' && i+2 < len(b) {
			if v, err := strconv.ParseUint(string(b[i+1:i+3]), 16, 8); err == nil {
				out = append(out, byte(v))
				i += 2
				continue
			}
		}
		out = append(out, b[i])
	}
	return string(out)
}

func (l *pdfLexer) hexString() (any, error) {
	l.pos++ // '<'
	var out []byte
	var hi byte
	half := false
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		if c == '>' {
			if half {
				out = append(out, hi<<4)
			}
			return pdfString(out), nil
		}
		if isPDFSpace(c) {
			continue
		}
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return nil, rawErr("bad hex string")
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	return nil, errLexEOF
}

func (l *pdfLexer) litString() (any, error) {
	l.pos++ // '('
	depth := 1
	var out []byte
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return pdfString(out), nil
			}
		case '\\':
			if l.pos >= len(l.b) {
				return nil, errLexEOF
			}
			e := l.b[l.pos]
			l.pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if l.pos < len(l.b) && l.b[l.pos] == '\n' {
					l.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && l.pos < len(l.b) && l.b[l.pos] >= '0' && l.b[l.pos] <= '7'; k++ {
						v = v*8 + int(l.b[l.pos]-'0')
						l.pos++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		out = append(out, c)
	}
	return nil, errLexEOF
}

// object parses one object; tok is its first token (already read).
func (l *pdfLexer) object(tok any, depth int) (any, error) {
	if depth > 64 {
		return nil, rawErr("objects nested too deeply")
	}
	switch t := tok.(type) {
	case string:
		switch t {
		case "[":
			var arr pdfArray
			for {
				n, err := l.token()
				if err != nil {
					return nil, err
				}
				if n == "]" {
					return arr, nil
				}
				o, err := l.object(n, depth+1)
				if err != nil {
					return nil, err
				}
				arr = append(arr, o)
			}
		case "<<":
			d := pdfDict{}
			for {
				n, err := l.token()
				if err != nil {
					return nil, err
				}
				if n == ">>" {
					return d, nil
				}
				k, ok := n.(pdfName)
				if !ok {
					return nil, rawErr("dictionary key is not a name")
				}
				v, err := l.token()
				if err != nil {
					return nil, err
				}
				o, err := l.object(v, depth+1)
				if err != nil {
					return nil, err
				}
				if o != nil {
					d[k] = o
				}
			}
		}
		return nil, rawErr("unexpected %q", t)
	case int64:
		// "num gen R"?
		save := l.pos
		t2, err := l.token()
		if g, ok := t2.(int64); err == nil && ok {
			t3, err := l.token()
			if err == nil && t3 == pdfKeyword("R") {
				return pdfRef{int(t), int(g)}, nil
			}
		}
		l.pos = save
		return t, nil
	case pdfKeyword:
		switch t {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		return nil, rawErr("unexpected keyword %q", string(t))
	}
	return tok, nil // float64, pdfName, pdfString
}

// value reads the next token and the object it starts (a top-level value:
// an indirect object's body, a trailer, an object in an object stream).
func (l *pdfLexer) value() (any, error) {
	t, err := l.token()
	if err != nil {
		return nil, err
	}
	return l.object(t, 0)
}

// ---- file reader ----

type xrefEntry struct {
	typ    byte  // 1: at offset, 2: in object stream
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

type pdfReader struct {
	f       *os.File
	size    int64
	xref    map[int]xrefEntry
	trailer pdfDict
	stms    []*objStm // small cache of decoded object streams
	cache   map[int]any
}

const maxXrefSections = 64

func openPDFRaw(path string) (*pdfReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	r := &pdfReader{f: f, size: st.Size(), xref: map[int]xrefEntry{}, cache: map[int]any{}}
	if err := r.readXref(); err != nil {
		f.Close()
		return nil, err
	}
	if _, enc := r.trailer["Encrypt"]; enc {
		f.Close()
		return nil, rawErr("encrypted")
	}
	return r, nil
}

func (r *pdfReader) Close() error { return r.f.Close() }

// readAt reads up to n bytes at off.
func (r *pdfReader) readAt(off int64, n int) ([]byte, error) {
	if off < 0 || off >= r.size {
		return nil, rawErr("offset %d outside the file", off)
	}
	n = int(min(int64(n), r.size-off))
	b := make([]byte, n)
	if _, err := r.f.ReadAt(b, off); err != nil && err != io.EOF {
		return nil, err
	}
	return b, nil
}

func (r *pdfReader) readXref() error {
	tail, err := r.readAt(max(0, r.size-2048), 2048)
	if err != nil {
		return err
	}
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return rawErr("no startxref")
	}
	l := &pdfLexer{b: tail, pos: i + len("startxref")}
	t, err := l.token()
	off, ok := t.(int64)
	if err != nil || !ok {
		return rawErr("bad startxref")
	}
	seen := map[int64]bool{}
	first := true
	for n := 0; ; n++ {
		if n > maxXrefSections || seen[off] {
			return rawErr("xref chain loops")
		}
		seen[off] = true
		trailer, err := r.readXrefSection(off)
		if err != nil {
			return err
		}
		if first {
			r.trailer = trailer
			first = false
		}
		// Hybrid file: the xref stream of a classic section.
		if xs, ok := trailer["XRefStm"].(int64); ok && !seen[xs] {
			seen[xs] = true
			if _, err := r.readXrefSection(xs); err != nil {
				return err
			}
		}
		prev, ok := trailer["Prev"].(int64)
		if !ok {
			break
		}
		off = prev
	}
	if _, ok := r.trailer["Root"].(pdfRef); !ok {
		return rawErr("trailer without /Root")
	}
	return nil
}

func (r *pdfReader) setEntry(num int, e xrefEntry) {
	if _, ok := r.xref[num]; !ok { // later sections (read first) win
		r.xref[num] = e
	}
}

// readXrefSection reads a classic xref table or an xref stream at off and
// returns its trailer dictionary.
func (r *pdfReader) readXrefSection(off int64) (pdfDict, error) {
	head, err := r.readAt(off, 64)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n\f\x00"), []byte("xref")) {
		return r.readXrefTable(off)
	}
	o, err := r.parseIndirectAt(off, -1)
	if err != nil {
		return nil, err
	}
	s, data, err := r.typedStream(o, "XRef", rawErr("xref at %d is neither table nor stream", off))
	if err != nil {
		return nil, err
	}
	w, ok := s.dict["W"].(pdfArray)
	if !ok || len(w) != 3 {
		return nil, rawErr("xref stream without /W")
	}
	var ws [3]int
	for i := range ws {
		v, ok := w[i].(int64)
		if !ok || v < 0 || v > 8 {
			return nil, rawErr("bad /W")
		}
		ws[i] = int(v)
	}
	size, _ := s.dict["Size"].(int64)
	index := pdfArray{int64(0), size}
	if ix, ok := s.dict["Index"].(pdfArray); ok {
		index = ix
	}
	rec := ws[0] + ws[1] + ws[2]
	if rec == 0 {
		return nil, rawErr("bad /W")
	}
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
		if !ok1 || !ok2 || start < 0 || count < 0 || count > 1<<24 {
			return nil, rawErr("bad /Index")
		}
		for j := int64(0); j < count; j++ {
			if p+rec > len(data) {
				return nil, rawErr("xref stream too short")
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
	return s.dict, nil
}

func (r *pdfReader) readXrefTable(off int64) (pdfDict, error) {
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
		if !errors.Is(err, errLexEOF) || int64(len(b)) < int64(n) || n > 256<<20 {
			return nil, err
		}
	}
}

func (r *pdfReader) parseXrefTable(b []byte) (pdfDict, error) {
	l := &pdfLexer{b: b}
	if t, err := l.token(); err != nil || t != pdfKeyword("xref") {
		return nil, rawErr("no xref keyword")
	}
	type ent struct {
		num int
		e   xrefEntry
	}
	var ents []ent
	for {
		t, err := l.token()
		if err != nil {
			return nil, err
		}
		if t == pdfKeyword("trailer") {
			break
		}
		start, ok := t.(int64)
		t2, err := l.token()
		count, ok2 := t2.(int64)
		if err != nil || !ok || !ok2 || start < 0 || count < 0 || count > 1<<24 {
			if err != nil {
				return nil, err
			}
			return nil, rawErr("bad xref subsection")
		}
		for j := int64(0); j < count; j++ {
			a, err1 := l.token()
			g, err2 := l.token()
			k, err3 := l.token()
			if err := errors.Join(err1, err2, err3); err != nil {
				return nil, err
			}
			o, ok1 := a.(int64)
			gen, ok2 := g.(int64)
			if !ok1 || !ok2 {
				return nil, rawErr("bad xref entry")
			}
			switch k {
			case pdfKeyword("n"):
				ents = append(ents, ent{int(start + j), xrefEntry{typ: 1, offset: o, gen: int(gen)}})
			case pdfKeyword("f"):
				ents = append(ents, ent{int(start + j), xrefEntry{typ: 0}})
			default:
				return nil, rawErr("bad xref entry type")
			}
		}
	}
	o, err := l.value()
	if err != nil {
		return nil, err
	}
	d, ok := o.(pdfDict)
	if !ok {
		return nil, rawErr("trailer is not a dictionary")
	}
	for _, e := range ents {
		r.setEntry(e.num, e.e)
	}
	return d, nil
}

// parseIndirectAt parses "num gen obj … endobj" at off; num < 0 accepts
// any object number.
func (r *pdfReader) parseIndirectAt(off int64, num int) (any, error) {
	for n := 1 << 12; ; n *= 8 {
		b, err := r.readAt(off, n)
		if err != nil {
			return nil, err
		}
		o, err := r.parseIndirect(b, off, num)
		if err == nil {
			return o, nil
		}
		if !errors.Is(err, errLexEOF) || len(b) < n || n > 64<<20 {
			return nil, err
		}
	}
}

func (r *pdfReader) parseIndirect(b []byte, off int64, num int) (any, error) {
	l := &pdfLexer{b: b}
	t1, err1 := l.token()
	t2, err2 := l.token()
	t3, err3 := l.token()
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, err
	}
	n, ok := t1.(int64)
	if _, ok2 := t2.(int64); !ok || !ok2 || t3 != pdfKeyword("obj") {
		return nil, rawErr("no object at offset %d", off)
	}
	if num >= 0 && int(n) != num {
		return nil, rawErr("object %d expected at offset %d, found %d", num, off, n)
	}
	o, err := l.value()
	if err != nil {
		return nil, err
	}
	t, err := l.token()
	if err != nil {
		return nil, err
	}
	if t == pdfKeyword("stream") {
		d, ok := o.(pdfDict)
		if !ok {
			return nil, rawErr("stream without dictionary")
		}
		p := l.pos
		if p < len(b) && b[p] == '\r' {
			p++
		}
		if p < len(b) && b[p] == '\n' {
			p++
		}
		return &pdfStream{dict: d, offset: off + int64(p)}, nil
	}
	if t != pdfKeyword("endobj") {
		return nil, rawErr("object %d not closed", n)
	}
	return o, nil
}

// resolve returns the object o refers to (o itself if it is no reference).
func (r *pdfReader) resolve(o any) (any, error) {
	for depth := 0; depth < 16; depth++ {
		ref, ok := o.(pdfRef)
		if !ok {
			return o, nil
		}
		var err error
		if o, err = r.object(ref.num); err != nil {
			return nil, err
		}
	}
	return nil, rawErr("reference chain too long")
}

func (r *pdfReader) object(num int) (any, error) {
	if o, ok := r.cache[num]; ok {
		return o, nil
	}
	e, ok := r.xref[num]
	if !ok || e.typ == 0 {
		return nil, nil // missing objects are null
	}
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
	if len(r.cache) > 4096 {
		clear(r.cache)
	}
	r.cache[num] = o
	return o, nil
}

func (r *pdfReader) fromObjStm(stmNum, num int) (any, error) {
	var os *objStm
	for _, s := range r.stms {
		if s.num == stmNum {
			os = s
		}
	}
	if os == nil {
		so, err := r.object(stmNum)
		if err != nil {
			return nil, err
		}
		s, data, err := r.typedStream(so, "ObjStm", rawErr("object %d is not an object stream", stmNum))
		if err != nil {
			return nil, err
		}
		first, _ := s.dict["First"].(int64)
		cnt, _ := s.dict["N"].(int64)
		if first <= 0 || int(first) > len(data) || cnt < 0 || cnt > 1<<20 {
			return nil, rawErr("bad object stream %d", stmNum)
		}
		os = &objStm{num: stmNum, data: data, first: int(first), offs: map[int]int{}}
		l := &pdfLexer{b: data[:first]}
		for i := int64(0); i < cnt; i++ {
			a, err1 := l.token()
			b, err2 := l.token()
			n, ok1 := a.(int64)
			o, ok2 := b.(int64)
			if err1 != nil || err2 != nil || !ok1 || !ok2 {
				return nil, rawErr("bad object stream header %d", stmNum)
			}
			os.offs[int(n)] = int(o)
		}
		if len(r.stms) >= 4 {
			r.stms = r.stms[1:]
		}
		r.stms = append(r.stms, os)
	}
	o, ok := os.offs[num]
	if !ok || os.first+o >= len(os.data) {
		return nil, rawErr("object %d not in object stream %d", num, stmNum)
	}
	l := &pdfLexer{b: os.data, pos: os.first + o}
	return l.value()
}

// streamLength returns the /Length of s and checks that "endstream"
// follows the data, so a wrong length is never taken.
func (r *pdfReader) streamLength(s *pdfStream) (int64, error) {
	lo, err := r.resolve(s.dict["Length"])
	if err != nil {
		return 0, err
	}
	n, ok := lo.(int64)
	if !ok || n < 0 || s.offset+n > r.size {
		return 0, rawErr("bad stream length")
	}
	after, err := r.readAt(s.offset+n, 32)
	if err != nil {
		return 0, err
	}
	if !bytes.HasPrefix(bytes.TrimLeft(after, " \t\r\n\f\x00"), []byte("endstream")) {
		return 0, rawErr("stream length does not end at endstream")
	}
	return n, nil
}

// rawStream returns the encoded bytes of s (at most limit).
func (r *pdfReader) rawStream(s *pdfStream, limit int64) ([]byte, error) {
	n, err := r.streamLength(s)
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, rawErr("stream too large (%d bytes)", n)
	}
	b := make([]byte, n)
	if _, err := r.f.ReadAt(b, s.offset); err != nil && !(err == io.EOF && n == 0) {
		return nil, err
	}
	return b, nil
}

// typedStream returns o as a stream of /Type typ with its decoded data (at
// most 64 MiB, for cross-reference and object streams); if o is not such a
// stream, the error notTyped.
func (r *pdfReader) typedStream(o any, typ pdfName, notTyped error) (*pdfStream, []byte, error) {
	s, ok := o.(*pdfStream)
	if !ok || s.dict["Type"] != typ {
		return nil, nil, notTyped
	}
	data, err := r.decodeStream(s, 64<<20)
	if err != nil {
		return nil, nil, err
	}
	return s, data, nil
}

// decodeStream returns the data of a stream that has no filter or only
// FlateDecode (with PNG predictors); at most limit decoded bytes.
func (r *pdfReader) decodeStream(s *pdfStream, limit int64) ([]byte, error) {
	raw, err := r.rawStream(s, limit)
	if err != nil {
		return nil, err
	}
	filter, parms, err := r.singleFilter(s.dict)
	if err != nil {
		return nil, err
	}
	switch filter {
	case "":
		return raw, nil
	case "FlateDecode":
		return inflate(raw, parms, limit)
	}
	return nil, rawErr("filter %s not supported here", filter)
}

// singleFilter returns the stream's only filter ("" for none) and its
// parameters (resolved, may be nil).
func (r *pdfReader) singleFilter(d pdfDict) (pdfName, pdfDict, error) {
	fo, err := r.resolve(d["Filter"])
	if err != nil {
		return "", nil, err
	}
	po, err := r.resolve(d["DecodeParms"])
	if err != nil {
		return "", nil, err
	}
	if a, ok := fo.(pdfArray); ok {
		if len(a) > 1 {
			return "", nil, rawErr("filter chain")
		}
		if len(a) == 0 {
			fo = nil
		} else {
			fo = a[0]
		}
		if pa, ok := po.(pdfArray); ok {
			po = nil
			if len(pa) == 1 {
				if po, err = r.resolve(pa[0]); err != nil {
					return "", nil, err
				}
			}
		}
	}
	var name pdfName
	if fo != nil {
		n, ok := fo.(pdfName)
		if !ok {
			return "", nil, rawErr("bad /Filter")
		}
		name = n
	}
	var parms pdfDict
	if po != nil {
		p, ok := po.(pdfDict)
		if !ok {
			return "", nil, rawErr("bad /DecodeParms")
		}
		parms = p
	}
	return name, parms, nil
}

func intParam(d pdfDict, key pdfName, def int64) int64 {
	if v, ok := d[key].(int64); ok {
		return v
	}
	return def
}

// inflate decodes zlib data and undoes a PNG predictor (/Predictor ≥ 10).
func inflate(raw []byte, parms pdfDict, limit int64) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, rawErr("flate: %v", err)
	}
	data, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, rawErr("flate: %v", err)
	}
	if int64(len(data)) > limit {
		return nil, rawErr("flate data too large")
	}
	pred := intParam(parms, "Predictor", 1)
	if pred == 1 {
		return data, nil
	}
	if pred < 10 {
		return nil, rawErr("predictor %d not supported", pred)
	}
	colors := intParam(parms, "Colors", 1)
	bpc := intParam(parms, "BitsPerComponent", 8)
	cols := intParam(parms, "Columns", 1)
	if colors < 1 || colors > 4 || (bpc != 1 && bpc != 2 && bpc != 4 && bpc != 8 && bpc != 16) || cols < 1 || cols > 1<<20 {
		return nil, rawErr("bad predictor parameters")
	}
	return unpredictPNG(data, int((colors*bpc*cols+7)/8), int(max(1, colors*bpc/8)))
}

func unpredictPNG(data []byte, rowLen, bpp int) ([]byte, error) {
	stride := rowLen + 1
	rows := len(data) / stride
	out := make([]byte, rows*rowLen)
	prev := make([]byte, rowLen)
	for y := 0; y < rows; y++ {
		in := data[y*stride : (y+1)*stride]
		cur := out[y*rowLen : (y+1)*rowLen]
		copy(cur, in[1:])
		switch in[0] {
		case 0:
		case 1:
			for i := bpp; i < rowLen; i++ {
				cur[i] += cur[i-bpp]
			}
		case 2:
			for i := range cur {
				cur[i] += prev[i]
			}
		case 3:
			for i := range cur {
				var left byte
				if i >= bpp {
					left = cur[i-bpp]
				}
				cur[i] += byte((int(left) + int(prev[i])) / 2)
			}
		case 4:
			for i := range cur {
				var a, c byte
				if i >= bpp {
					a, c = cur[i-bpp], prev[i-bpp]
				}
				cur[i] += paeth(a, prev[i], c)
			}
		default:
			return nil, rawErr("bad PNG predictor row type %d", in[0])
		}
		prev = cur
	}
	return out, nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	if pa <= pb && pa <= pc {
		return a
	}
	if pb <= pc {
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// ---- page tree ----

// rawPage is a page with its inherited attributes.
type rawPage struct {
	dict      pdfDict
	resources pdfDict
	mediaBox  [4]float64
	cropBox   [4]float64
	rotate    int
}

func (r *pdfReader) dict(o any) (pdfDict, error) {
	o, err := r.resolve(o)
	if err != nil {
		return nil, err
	}
	d, ok := o.(pdfDict)
	if !ok {
		return nil, rawErr("dictionary expected, found %T", o)
	}
	return d, nil
}

func (r *pdfReader) box(o any) ([4]float64, bool) {
	o, err := r.resolve(o)
	a, ok := o.(pdfArray)
	if err != nil || !ok || len(a) != 4 {
		return [4]float64{}, false
	}
	var b [4]float64
	for i := range b {
		v, err := r.resolve(a[i])
		if err != nil {
			return b, false
		}
		f, ok := pdfNumber(v)
		if !ok {
			return b, false
		}
		b[i] = f
	}
	// normalise
	if b[0] > b[2] {
		b[0], b[2] = b[2], b[0]
	}
	if b[1] > b[3] {
		b[1], b[3] = b[3], b[1]
	}
	return b, true
}

func pdfNumber(o any) (float64, bool) {
	switch v := o.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// pages returns every page in order.
func (r *pdfReader) pages() ([]rawPage, error) {
	root, err := r.dict(r.trailer["Root"])
	if err != nil {
		return nil, err
	}
	var out []rawPage
	seen := map[pdfRef]bool{}
	var walk func(node any, inh rawPage, haveMedia bool, depth int) error
	walk = func(node any, inh rawPage, haveMedia bool, depth int) error {
		if depth > 64 || len(out) > 1<<20 {
			return rawErr("page tree too deep")
		}
		if ref, ok := node.(pdfRef); ok {
			if seen[ref] {
				return rawErr("page tree loops")
			}
			seen[ref] = true
		}
		d, err := r.dict(node)
		if err != nil {
			return err
		}
		if res, ok := d["Resources"]; ok {
			if inh.resources, err = r.dict(res); err != nil {
				return err
			}
		}
		if b, ok := r.box(d["MediaBox"]); ok {
			inh.mediaBox, haveMedia = b, true
			inh.cropBox = b
		}
		if b, ok := r.box(d["CropBox"]); ok {
			inh.cropBox = b
		}
		if ro, ok := d["Rotate"]; ok {
			v, err := r.resolve(ro)
			if err != nil {
				return err
			}
			n, ok := v.(int64)
			if !ok || n%90 != 0 {
				return rawErr("bad /Rotate")
			}
			inh.rotate = int(((n % 360) + 360) % 360)
		}
		typ := d["Type"]
		kids, hasKids := d["Kids"]
		if typ == pdfName("Pages") || (typ == nil && hasKids) {
			ko, err := r.resolve(kids)
			if err != nil {
				return err
			}
			ka, ok := ko.(pdfArray)
			if !ok {
				return rawErr("bad /Kids")
			}
			for _, k := range ka {
				if err := walk(k, inh, haveMedia, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		if !haveMedia {
			inh.mediaBox = [4]float64{0, 0, 612, 792}
			inh.cropBox = inh.mediaBox
		}
		inh.dict = d
		out = append(out, inh)
		return nil
	}
	if err := walk(root["Pages"], rawPage{}, false, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// contents returns the page's decoded content stream(s), joined.
func (r *pdfReader) contents(p rawPage, limit int64) ([]byte, error) {
	co, err := r.resolve(p.dict["Contents"])
	if err != nil {
		return nil, err
	}
	var parts []any
	switch c := co.(type) {
	case *pdfStream:
		parts = []any{c}
	case pdfArray:
		parts = c
	case nil:
		return nil, nil
	default:
		return nil, rawErr("bad /Contents")
	}
	var out []byte
	for _, part := range parts {
		po, err := r.resolve(part)
		if err != nil {
			return nil, err
		}
		s, ok := po.(*pdfStream)
		if !ok {
			return nil, rawErr("content is not a stream")
		}
		data, err := r.decodeStream(s, limit)
		if err != nil {
			return nil, err
		}
		out = append(out, data...)
		out = append(out, '\n')
		if int64(len(out)) > limit {
			return nil, rawErr("content too large")
		}
	}
	return out, nil
}

// writePDFObject serialises a direct object (no streams; references are
// refused, since they would point into the source file).
func writePDFObject(b *bytes.Buffer, o any) error {
	switch v := o.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		b.WriteString(num(v))
	case pdfName:
		b.WriteByte('/')
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c <= ' ' || c >= 127 || c == '#' || isPDFDelim(c) {
				fmt.Fprintf(b, "#%02X", c)
			} else {
				b.WriteByte(c)
			}
		}
	case pdfString:
		fmt.Fprintf(b, "<%X>", []byte(v))
	case pdfArray:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(' ')
			}
			if err := writePDFObject(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case pdfDict:
		b.WriteString("<<")
		for _, k := range sortedKeys(v) {
			b.WriteByte(' ')
			writePDFObject(b, k)
			b.WriteByte(' ')
			if err := writePDFObject(b, v[k]); err != nil {
				return err
			}
		}
		b.WriteString(" >>")
	default:
		return rawErr("cannot copy %T", o)
	}
	return nil
}

func sortedKeys(d pdfDict) []pdfName {
	keys := make([]pdfName, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
