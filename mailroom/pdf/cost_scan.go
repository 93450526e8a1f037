package pdf

// doScanner finds the Do operators of a content stream and the name each
// draws, fed in pieces (a stream is decoded in chunks, never held whole).
// It knows just enough syntax not to be fooled by names and "Do" inside
// strings, comments, hex strings and inline image data. Anything it cannot
// read counts as nothing; it never fails.
type doScanner struct {
	state   int
	depth   int  // nesting of a literal string
	esc     bool // after a backslash in a literal string
	name    []byte
	last    Name // the last complete name (the operand of a following Do)
	word    []byte
	long    bool // the current word is longer than any operator of interest
	ei      int  // inline image data: progress through whitespace, 'E', 'I'
	dos     map[Name]int64
	inlines int
}

const (
	stNormal = iota
	stName
	stString
	stComment
	stAngle // after '<': a dictionary or a hex string
	stHex
	stInline
)

// maxDoNames bounds the distinct names counted per stream.
const maxDoNames = 4096

func newDoScanner() *doScanner { return &doScanner{dos: map[Name]int64{}} }

func (s *doScanner) feed(b []byte) {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch s.state {
		case stNormal:
			s.normal(c)
		case stName:
			if isSpace(c) || isDelim(c) {
				s.last = Name(s.name)
				s.state = stNormal
				s.normal(c)
			} else if len(s.name) < 127 {
				s.name = append(s.name, c)
			}
		case stString:
			s.str(c)
		case stComment:
			if c == '\n' || c == '\r' {
				s.state = stNormal
			}
		case stAngle:
			s.state = stHex
			if c == '<' {
				s.state = stNormal
			} else if c == '>' {
				s.state = stNormal
			}
		case stHex:
			if c == '>' {
				s.state = stNormal
			}
		case stInline:
			s.inline(c)
		}
	}
}

func (s *doScanner) normal(c byte) {
	if !isSpace(c) && !isDelim(c) {
		if len(s.word) < 4 {
			s.word = append(s.word, c)
		} else {
			s.long = true
		}
		return
	}
	s.endWord()
	if s.state != stNormal {
		return // inline image data begin after this byte
	}
	switch c {
	case '/':
		s.state, s.name = stName, s.name[:0]
	case '(':
		s.state, s.depth = stString, 1
	case '%':
		s.state = stComment
	case '<':
		s.state = stAngle
	}
}

func (s *doScanner) str(c byte) {
	switch {
	case s.esc:
		s.esc = false
	case c == '\\':
		s.esc = true
	case c == '(':
		s.depth++
	case c == ')':
		s.depth--
		if s.depth == 0 {
			s.state = stNormal
		}
	}
}

// inline skips inline image data up to whitespace "EI" and a delimiter.
func (s *doScanner) inline(c byte) {
	switch {
	case s.ei == 3 && (isSpace(c) || isDelim(c)):
		s.state, s.ei = stNormal, 0
		s.normal(c)
	case isSpace(c):
		s.ei = 1
	case s.ei == 1 && c == 'E':
		s.ei = 2
	case s.ei == 2 && c == 'I':
		s.ei = 3
	default:
		s.ei = 0
	}
}

func (s *doScanner) endWord() {
	if len(s.word) == 0 {
		return
	}
	if !s.long {
		switch string(s.word) {
		case "Do":
			if _, ok := s.dos[s.last]; ok || len(s.dos) < maxDoNames {
				s.dos[s.last]++
			}
		case "BI":
			s.inlines++
		case "ID":
			s.state, s.ei = stInline, 0
		}
	}
	s.word, s.long = s.word[:0], false
}

// finish ends the last word at the end of the data.
func (s *doScanner) finish() {
	if s.state == stNormal {
		s.endWord()
	}
	if s.state == stInline && s.ei == 3 {
		s.state = stNormal
	}
}
