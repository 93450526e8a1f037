package inbox

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime/quotedprintable"
)

// decode undoes the transfer encoding, leniently: a damaged base64 or
// quoted-printable part is decoded as far as possible, with a warning.
func (p *parser) decode(body []byte, cte, name string) []byte {
	switch cte {
	case "base64":
		clean := make([]byte, 0, len(body))
		for _, c := range body {
			if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
				clean = append(clean, c)
			}
		}
		out := make([]byte, len(clean)/4*3+3)
		if n, err := base64.StdEncoding.Decode(out, clean); err == nil {
			return out[:n]
		}
		p.warn("Base64-Daten fehlerhaft / malformed base64 in %q: ungültige Zeichen übersprungen / invalid characters skipped", name)
		alpha := clean[:0]
		for _, c := range clean {
			if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' {
				alpha = append(alpha, c)
			}
		}
		alpha = alpha[:len(alpha)/4*4+lastGroup(len(alpha))]
		n, _ := base64.RawStdEncoding.Decode(out, alpha)
		return out[:n]
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err != nil {
			p.warn("Quoted-Printable fehlerhaft / malformed quoted-printable in %q", name)
		}
		return out
	case "", "7bit", "8bit", "binary":
		return body
	default:
		p.warn("unbekannte Transferkodierung / unknown transfer encoding %q: Rohdaten übernommen / raw data kept", cte)
		return body
	}
}

func lastGroup(n int) int {
	if r := n % 4; r >= 2 {
		return r
	}
	return 0
}

// mpart is one part of a multipart body and where it starts in the body.
type mpart struct {
	b   []byte
	off int
}

// splitMultipart cuts a multipart body at its boundary lines. It returns the
// raw parts (header and body, line break before the next boundary removed)
// and whether the closing boundary was found. It reads the body once.
func splitMultipart(body []byte, boundary string) ([]mpart, bool) {
	if boundary == "" {
		return nil, false
	}
	delim := []byte("--" + boundary)
	var parts []mpart
	start := -1
	pos := 0
	for pos <= len(body) {
		end := bytes.IndexByte(body[pos:], '\n')
		lineEnd := len(body)
		next := len(body) + 1
		if end >= 0 {
			lineEnd, next = pos+end, pos+end+1
		}
		line := bytes.TrimRight(body[pos:lineEnd], "\r \t")
		if bytes.HasPrefix(line, delim) {
			rest := line[len(delim):]
			if len(rest) == 0 || bytes.Equal(rest, []byte("--")) {
				if start >= 0 {
					parts = append(parts, mpart{trimLineBreak(body[start:pos]), start})
				}
				if len(rest) == 2 {
					return parts, true
				}
				start = next
				if start > len(body) {
					start = len(body)
				}
			}
		}
		pos = next
	}
	if start >= 0 && start < len(body) && len(bytes.TrimSpace(body[start:])) > 0 {
		parts = append(parts, mpart{body[start:], start})
	}
	return parts, false
}

func trimLineBreak(b []byte) []byte {
	if bytes.HasSuffix(b, []byte("\r\n")) {
		return b[:len(b)-2]
	}
	return bytes.TrimSuffix(b, []byte("\n"))
}
