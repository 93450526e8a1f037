package pdf

import (
	"bytes"
	"strconv"
)

// maxDepth bounds the nesting of arrays and dictionaries.
const maxDepth = 64

// Lexer reads tokens and objects from a byte slice (a window of the file, a
// decoded object stream or a content stream).
type Lexer struct {
	b   []byte
	pos int
}

// NewLexer returns a Lexer at the start of b.
func NewLexer(b []byte) *Lexer { return &Lexer{b: b} }

func isSpace(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func (l *Lexer) skipSpace() {
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		if isSpace(c) {
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

// Token returns the next token: a delimiter string ("<<", ">>", "[", "]",
// "{", "}"), Name, String, int64, float64 or Keyword; ErrEOF at the end.
func (l *Lexer) Token() (any, error) {
	l.skipSpace()
	if l.pos >= len(l.b) {
		return nil, ErrEOF
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
		return nil, errorf("stray '>'")
	case '(':
		return l.litString()
	case ')':
		return nil, errorf("stray ')'")
	case '/':
		l.pos++
		return Name(unescapeName(l.word())), nil
	}
	return l.bareWord(c)
}

// word returns the regular characters from the current position on.
func (l *Lexer) word() []byte {
	start := l.pos
	for l.pos < len(l.b) && !isSpace(l.b[l.pos]) && !isDelim(l.b[l.pos]) {
		l.pos++
	}
	return l.b[start:l.pos]
}

// bareWord reads a number or keyword starting with c.
func (l *Lexer) bareWord(c byte) (any, error) {
	w := string(l.word())
	if w == "" {
		return nil, errorf("unexpected byte %q", c)
	}
	if c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9') {
		if i, err := strconv.ParseInt(w, 10, 64); err == nil {
			return i, nil
		}
		if f, err := strconv.ParseFloat(w, 64); err == nil {
			return f, nil
		}
	}
	return Keyword(w), nil
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

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func (l *Lexer) hexString() (any, error) {
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
			return String(out), nil
		}
		if isSpace(c) {
			continue
		}
		v, ok := hexDigit(c)
		if !ok {
			return nil, errorf("bad hex string")
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	return nil, ErrEOF
}

func (l *Lexer) litString() (any, error) {
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
				return String(out), nil
			}
		case '\\':
			e, skip, err := l.escape()
			if err != nil {
				return nil, err
			}
			if skip {
				continue
			}
			c = e
		}
		out = append(out, c)
	}
	return nil, ErrEOF
}

// escape reads the character after a backslash in a literal string; skip
// is true for an escaped line break, which stands for nothing.
func (l *Lexer) escape() (c byte, skip bool, err error) {
	if l.pos >= len(l.b) {
		return 0, false, ErrEOF
	}
	e := l.b[l.pos]
	l.pos++
	switch e {
	case 'n':
		return '\n', false, nil
	case 'r':
		return '\r', false, nil
	case 't':
		return '\t', false, nil
	case 'b':
		return '\b', false, nil
	case 'f':
		return '\f', false, nil
	case '\r':
		if l.pos < len(l.b) && l.b[l.pos] == '\n' {
			l.pos++
		}
		return 0, true, nil
	case '\n':
		return 0, true, nil
	}
	if e < '0' || e > '7' {
		return e, false, nil
	}
	v := int(e - '0')
	for k := 0; k < 2 && l.pos < len(l.b) && l.b[l.pos] >= '0' && l.b[l.pos] <= '7'; k++ {
		v = v*8 + int(l.b[l.pos]-'0')
		l.pos++
	}
	return byte(v), false, nil
}

// Object parses one object whose first token tok was already read.
func (l *Lexer) Object(tok any) (any, error) { return l.object(tok, 0) }

func (l *Lexer) object(tok any, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errorf("objects nested too deeply")
	}
	switch t := tok.(type) {
	case string:
		switch t {
		case "[":
			return l.array(depth)
		case "<<":
			return l.dict(depth)
		}
		return nil, errorf("unexpected %q", t)
	case int64:
		return l.intOrRef(t), nil
	case Keyword:
		switch t {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		return nil, errorf("unexpected keyword %q", string(t))
	}
	return tok, nil // float64, Name, String
}

func (l *Lexer) array(depth int) (Array, error) {
	var arr Array
	for {
		n, err := l.Token()
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
}

func (l *Lexer) dict(depth int) (Dict, error) {
	d := Dict{}
	for {
		n, err := l.Token()
		if err != nil {
			return nil, err
		}
		if n == ">>" {
			return d, nil
		}
		k, ok := n.(Name)
		if !ok {
			return nil, errorf("dictionary key is not a name")
		}
		v, err := l.Token()
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

// intOrRef returns "num gen R" as a Ref, else the integer t.
func (l *Lexer) intOrRef(t int64) any {
	save := l.pos
	t2, err := l.Token()
	if g, ok := t2.(int64); err == nil && ok {
		t3, err := l.Token()
		if err == nil && t3 == Keyword("R") {
			return Ref{int(t), int(g)}
		}
	}
	l.pos = save
	return t
}

// Value reads the next token and the object it starts (a top-level value:
// an indirect object's body, a trailer, an object in an object stream).
func (l *Lexer) Value() (any, error) {
	t, err := l.Token()
	if err != nil {
		return nil, err
	}
	return l.object(t, 0)
}
