package inbox

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// headerBlock is what readHeader found at the start of an entity.
type headerBlock struct {
	h       textproto.Header
	bodyOff int // where the body starts in the input
	// warnings for lines that did not follow RFC 5322 (read leniently).
	warnings []string
	// broken: a line that is not a header field ended the block early and
	// the rest was read as body; MIME structure may have been lost.
	broken bool
	// err: the block is over a limit; h holds the fields before it and
	// bodyOff is len(input) (nothing of the entity is read as body).
	err *headerLimitError
}

// maxSkippedLines bounds the stray lines skipped inside one header block
// before the rest is read as body.
const maxSkippedLines = 10

// readHeader parses a header block in one pass, in time linear in its size,
// within lim's HeaderBytes, HeaderLine and HeaderFields. It reads what the
// strict parser (go-message textproto) reads in the same way (keys
// canonical, folded values unfolded with single spaces) and is lenient where
// real mail is broken: a continuation line before the first field is dropped,
// a stray line between two fields is skipped, keys may have spaces before
// the colon; each with a warning. A line that is not a field and not
// followed by one ends the block: the rest is body (broken).
func readHeader(raw []byte, lim Limits) (hb headerBlock) {
	var key string
	var val []byte
	var kvs [][2]string
	have, fields, skipped := false, 0, 0
	flush := func() {
		if have {
			kvs = append(kvs, [2]string{key, string(val)})
		}
		have = false
	}
	// Header.Add inserts at the top: adding in reverse order gives the
	// order (and Get's first-field answer) of the strict parser.
	defer func() {
		for i := len(kvs) - 1; i >= 0; i-- {
			hb.h.Add(kvs[i][0], kvs[i][1])
		}
	}()
	over := func(what string, got, limit int) headerBlock {
		flush()
		hb.err = &headerLimitError{what: what, got: got, limit: limit}
		hb.bodyOff = len(raw)
		return hb
	}
	pos := 0
	for pos < len(raw) {
		if pos > lim.HeaderBytes {
			return over("bytes", pos, lim.HeaderBytes)
		}
		line, next := nextLine(raw, pos)
		if len(line) > lim.HeaderLine {
			return over("line", len(line), lim.HeaderLine)
		}
		switch {
		case len(line) == 0:
			flush()
			hb.bodyOff = next
			return hb
		case line[0] == ' ' || line[0] == '\t':
			if have {
				if v := bytes.Trim(line, " \t"); len(v) > 0 {
					if len(val) > 0 {
						val = append(val, ' ')
					}
					val = append(val, v...)
				}
			} else if fields == 0 {
				hb.warn("erste Kopfzeile ist eine Fortsetzungszeile / first header line is a continuation line: %.60q", line)
			}
		default:
			k, v, ok := fieldLine(line)
			if !ok {
				if fields > 0 && skipped < maxSkippedLines && next < len(raw) && isFieldStart(raw, next) {
					skipped++
					hb.warn("ungültige Kopfzeile übersprungen / invalid header line skipped: %.60q", line)
					break
				}
				flush()
				hb.warn("Kopfzeilen fehlerhaft / malformed header: Zeile / line %.60q", line)
				hb.broken = true
				hb.bodyOff = pos
				return hb
			}
			flush()
			if k == "" {
				break // an empty key is skipped, as the strict parser does
			}
			if fields++; fields > lim.HeaderFields {
				return over("fields", fields, lim.HeaderFields)
			}
			key, val, have = k, append(val[:0:0], v...), true
		}
		pos = next
	}
	flush()
	hb.bodyOff = len(raw)
	return hb
}

func (hb *headerBlock) warn(format string, a ...any) {
	hb.warnings = append(hb.warnings, fmt.Sprintf(format, a...))
}

// nextLine returns the line at pos without its line end ("\r\n" or "\n",
// as bufio.Reader.ReadLine) and where the next line starts.
func nextLine(raw []byte, pos int) ([]byte, int) {
	if i := bytes.IndexByte(raw[pos:], '\n'); i >= 0 {
		line := raw[pos : pos+i]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		return line, pos + i + 1
	}
	return raw[pos:], len(raw)
}

// fieldLine splits "Key: value". The key (spaces around it trimmed) must be
// printable ASCII without spaces; the value is trimmed.
func fieldLine(line []byte) (string, []byte, bool) {
	i := bytes.IndexByte(line, ':')
	if i < 0 {
		return "", nil, false
	}
	k := bytes.Trim(line[:i], " \t")
	for _, c := range k {
		if c < 33 || c > 126 {
			return "", nil, false
		}
	}
	return string(k), bytes.Trim(line[i+1:], " \t"), true
}

// isFieldStart reports whether the line at pos is a header field.
func isFieldStart(raw []byte, pos int) bool {
	line, _ := nextLine(raw, pos)
	if len(line) > DefaultHeaderLine {
		line = line[:DefaultHeaderLine]
	}
	if len(line) == 0 || line[0] == ' ' || line[0] == '\t' {
		return false
	}
	k, _, ok := fieldLine(line)
	return ok && k != ""
}

// mailStart skips what comes before a mail's header in files real systems
// write: a UTF-8 byte order mark, an mbox "From " separator line (mbox
// files, Thunderbird and mutt exports) and blank lines before a header. It
// returns the offset where the header starts.
func mailStart(raw []byte) int {
	pos := 0
	if bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) {
		pos = 3
	}
	if isMboxFrom(raw[pos:]) {
		_, pos = nextLine(raw, pos)
	}
	// Blank lines before a header block (not before a body: only if a
	// header field follows them).
	p := pos
	for p < len(raw) && (raw[p] == '\n' || raw[p] == '\r') {
		p++
	}
	if p > pos && p < len(raw) && isFieldStart(raw, p) {
		pos = p
	}
	return pos
}

// isMboxFrom reports whether raw starts with an mbox separator line
// ("From sender date"), not a "From:" header field.
func isMboxFrom(raw []byte) bool {
	if !bytes.HasPrefix(raw, []byte("From ")) {
		return false
	}
	rest := bytes.TrimLeft(raw[5:], " \t")
	return len(rest) > 0 && rest[0] != ':' && rest[0] != '\n' && rest[0] != '\r'
}

// headerOf reads the header of a raw entity with the default limits (for
// the mailbox filters and names; warnings are not needed there).
func headerOf(raw []byte) textproto.Header {
	return readHeader(raw[mailStart(raw):], Limits{}.withDefaults()).h
}

// subjectOf is the decoded Subject of a raw mail.
func subjectOf(raw []byte) string {
	h := headerOf(raw)
	return strings.TrimSpace(decodeText(h.Get("Subject")))
}
