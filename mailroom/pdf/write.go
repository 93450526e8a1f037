package pdf

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// Write serialises a direct object in PDF syntax: dictionaries with sorted
// keys, strings as hex strings, references as "num gen R". Streams cannot
// be written this way.
func Write(b *bytes.Buffer, o any) error { return write(b, o, true) }

// WriteDirect is Write for objects copied into another file, where a
// reference would point into the wrong file: references are refused.
func WriteDirect(b *bytes.Buffer, o any) error { return write(b, o, false) }

func write(b *bytes.Buffer, o any, refs bool) error {
	switch v := o.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'f', -1, 64))
	case Name:
		b.WriteString(NameString(string(v)))
	case String:
		b.WriteString("<" + hex.EncodeToString([]byte(v)) + ">")
	case Ref:
		if !refs {
			return errorf("cannot copy reference %d %d R", v.Num, v.Gen)
		}
		fmt.Fprintf(b, "%d %d R", v.Num, v.Gen)
	case Array:
		return writeArray(b, v, refs)
	case Dict:
		return writeDict(b, v, refs)
	default:
		return errorf("cannot copy %T", o)
	}
	return nil
}

func writeArray(b *bytes.Buffer, a Array, refs bool) error {
	b.WriteByte('[')
	for i, e := range a {
		if i > 0 {
			b.WriteByte(' ')
		}
		if err := write(b, e, refs); err != nil {
			return err
		}
	}
	b.WriteByte(']')
	return nil
}

func writeDict(b *bytes.Buffer, d Dict, refs bool) error {
	b.WriteString("<<")
	for _, k := range d.Keys() {
		b.WriteString(" " + NameString(string(k)) + " ")
		if err := write(b, d[k], refs); err != nil {
			return err
		}
	}
	b.WriteString(" >>")
	return nil
}

// Keys returns the keys of d in sorted order.
func (d Dict) Keys() []Name {
	keys := make([]Name, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

// NameString returns n as a PDF name: a slash, then n with #xx escapes
// for delimiters and bytes outside the printable ASCII range.
func NameString(n string) string {
	var b strings.Builder
	b.WriteByte('/')
	for i := 0; i < len(n); i++ {
		c := n[i]
		if c < 0x21 || c > 0x7e || c == '#' || isDelim(c) {
			fmt.Fprintf(&b, "#%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// TextString encodes s as a PDF text string: a hex string of its bytes when
// it is printable ASCII, else UTF-16BE with byte order mark.
func TextString(s string) string {
	ascii := true
	for _, r := range s {
		if r > 0x7e || r < 0x20 {
			ascii = false
			break
		}
	}
	if ascii {
		return "<" + hex.EncodeToString([]byte(s)) + ">"
	}
	var b bytes.Buffer
	b.Write([]byte{0xfe, 0xff})
	for _, u := range utf16.Encode([]rune(s)) {
		b.Write([]byte{byte(u >> 8), byte(u)})
	}
	return "<" + hex.EncodeToString(b.Bytes()) + ">"
}

// UTF16TextString encodes s as a PDF text string in UTF-16BE with byte
// order mark, whatever its characters.
func UTF16TextString(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

// Date formats t as a PDF date in UTC (D:YYYYMMDDHHmmSSZ).
func Date(t time.Time) string { return t.UTC().Format("D:20060102150405Z") }

// Text decodes a text string: UTF-16BE with byte order mark, else the
// bytes as PDFDocEncoding, read as Latin-1 (which it matches for printable
// ASCII and most of the upper half).
func Text(s String) string {
	b := []byte(s)
	if len(b) >= 2 && b[0] == 0xfe && b[1] == 0xff {
		u := make([]uint16, 0, len(b)/2)
		for i := 2; i+1 < len(b); i += 2 {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		}
		return string(utf16.Decode(u))
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
