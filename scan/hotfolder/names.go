package hotfolder

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameBytes bounds a name handed on (most file systems allow 255 bytes).
const maxNameBytes = 200

// SafeName is the name of a file or sub-folder as Poststelle records and
// shows it (item name, sub-folder metadata): control characters (C0, C1,
// DEL), bidirectional overrides, invalid UTF-8 and backslashes become "_",
// the length is bounded on a character boundary, an empty name becomes
// "unbenannt". The file on disk keeps its own name; the exact original is
// kept quoted in the metadata (original_filename) when they differ.
func SafeName(name string) string {
	var b strings.Builder
	for i, r := range name {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(name[i:]); n <= 1 {
				b.WriteByte('_')
				continue
			}
		}
		switch {
		case unicode.IsControl(r), isBidi(r), r == '\\', r == '/':
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	s := b.String()
	if len(s) > maxNameBytes {
		ext := ""
		if i := strings.LastIndex(s, "."); i > 0 && len(s)-i <= 10 {
			s, ext = s[:i], s[i:]
		}
		cut := maxNameBytes - len(ext)
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + ext
	}
	if strings.TrimSpace(s) == "" {
		return "unbenannt"
	}
	return s
}

// isBidi reports the invisible direction marks and overrides that make a
// name read differently from what it is ("rechnung\u202Efdp.exe").
func isBidi(r rune) bool {
	return r == '\u200e' || r == '\u200f' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}
