package inbox

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
)

var wordDecoder = mime.WordDecoder{CharsetReader: charset.Reader}

// decodeText decodes RFC 2047 encoded words; raw 8-bit text that is not
// UTF-8 is read as ISO-8859-1.
func decodeText(s string) string {
	if d, err := wordDecoder.DecodeHeader(s); err == nil {
		s = d
	}
	return toUTF8(s)
}

func toUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	r := make([]rune, 0, len(s))
	for i := 0; i < len(s); i++ {
		r = append(r, rune(s[i]))
	}
	return string(r)
}

// parseParams parses a Content-Type or Content-Disposition value: strict
// (mime.ParseMediaType, RFC 2231) first, then leniently (unquoted 8-bit values,
// stray semicolons). Values are RFC 2047 decoded.
func parseParams(v string) (string, map[string]string, bool) {
	mt, params, err := mime.ParseMediaType(v)
	if err == nil {
		for k, pv := range params {
			params[k] = decodeText(pv)
		}
		return strings.ToLower(mt), params, true
	}
	parts := strings.Split(v, ";")
	mt = strings.ToLower(strings.TrimSpace(parts[0]))
	params = map[string]string{}
	cont := map[string]map[int]string{}
	for _, p := range parts[1:] {
		k, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.Trim(strings.TrimSpace(val), `"`)
		if base, idx, ok := strings.Cut(k, "*"); ok {
			// RFC 2231: name*=charset''value, name*0=…, name*1*=…
			n := 0
			idx = strings.TrimSuffix(idx, "*")
			for _, c := range idx {
				if c >= '0' && c <= '9' {
					n = n*10 + int(c-'0')
				}
			}
			if strings.HasSuffix(k, "*") {
				val = decode2231(val, n == 0)
			}
			if cont[base] == nil {
				cont[base] = map[int]string{}
			}
			cont[base][n] = val
			continue
		}
		params[k] = decodeText(val)
	}
	for base, m := range cont {
		var b strings.Builder
		for i := 0; i < len(m); i++ {
			b.WriteString(m[i])
		}
		params[base] = toUTF8(b.String())
	}
	return mt, params, mt != ""
}

func decode2231(v string, first bool) string {
	cs := ""
	if first {
		if p := strings.SplitN(v, "'", 3); len(p) == 3 {
			cs, v = strings.ToLower(p[0]), p[2]
		}
	}
	var b []byte
	for i := 0; i < len(v); i++ {
		if v[i] == '%' && i+2 < len(v) {
			var x byte
			if _, err := fmtSscanHex(v[i+1:i+3], &x); err == nil {
				b = append(b, x)
				i += 2
				continue
			}
		}
		b = append(b, v[i])
	}
	if cs != "" && cs != "utf-8" && cs != "us-ascii" {
		if r, err := charset.Reader(cs, bytes.NewReader(b)); err == nil {
			if d, err := io.ReadAll(r); err == nil {
				return string(d)
			}
		}
	}
	return string(b)
}

func fmtSscanHex(s string, x *byte) (int, error) {
	var v byte
	for _, c := range []byte(s) {
		v <<= 4
		switch {
		case c >= '0' && c <= '9':
			v |= c - '0'
		case c >= 'a' && c <= 'f':
			v |= c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v |= c - 'A' + 10
		default:
			return 0, io.ErrUnexpectedEOF
		}
	}
	*x = v
	return 1, nil
}
