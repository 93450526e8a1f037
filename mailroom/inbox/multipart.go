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
			if !isB64Space(c) {
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
			if isB64Alpha(c) {
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

// check gives the warnings decode would give for body without keeping the
// decoded bytes; it reports whether base64 must be read leniently.
func (p *parser) check(body []byte, cte, name string) bool {
	switch cte {
	case "base64":
		if !b64Valid(body) {
			p.warn("Base64-Daten fehlerhaft / malformed base64 in %q: ungültige Zeichen übersprungen / invalid characters skipped", name)
			return true
		}
	case "quoted-printable":
		if _, err := io.Copy(io.Discard, quotedprintable.NewReader(bytes.NewReader(body))); err != nil {
			p.warn("Quoted-Printable fehlerhaft / malformed quoted-printable in %q", name)
		}
	case "", "7bit", "8bit", "binary":
	default:
		p.warn("unbekannte Transferkodierung / unknown transfer encoding %q: Rohdaten übernommen / raw data kept", cte)
	}
	return false
}

// b64Valid reports whether body (white space removed) is base64 that
// base64.StdEncoding decodes without error, read in chunks.
func b64Valid(body []byte) bool {
	var buf [4096]byte
	var out [3072]byte
	n, padded := 0, false
	for _, c := range body {
		if isB64Space(c) {
			continue
		}
		if padded {
			return false // data after the padding
		}
		buf[n] = c
		if n++; n == len(buf) {
			if _, err := base64.StdEncoding.Decode(out[:], buf[:n]); err != nil {
				return false
			}
			padded = bytes.IndexByte(buf[:n], '=') >= 0
			n = 0
		}
	}
	if n == 0 {
		return true
	}
	_, err := base64.StdEncoding.Decode(out[:], buf[:n])
	return err == nil
}

func isB64Space(c byte) bool { return c == '\r' || c == '\n' || c == ' ' || c == '\t' }

func isB64Alpha(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

// filterReader reads the bytes of b for which keep is true.
type filterReader struct {
	b    []byte
	keep func(byte) bool
}

func (f *filterReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && len(f.b) > 0 {
		if c := f.b[0]; f.keep(c) {
			p[n] = c
			n++
		}
		f.b = f.b[1:]
	}
	if n == 0 && len(f.b) == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// reader returns the attachment's decoded content: Data, or for a lean
// parse the encoded body decoded as decode would (errors of a damaged
// encoding end the content where decode ends it).
func (a *Attachment) reader() io.Reader {
	if !a.lazy {
		return bytes.NewReader(a.Data)
	}
	switch a.cte {
	case "base64":
		if a.lenient {
			return base64.NewDecoder(base64.RawStdEncoding, &filterReader{b: a.enc, keep: isB64Alpha})
		}
		return base64.NewDecoder(base64.StdEncoding, &filterReader{b: a.enc, keep: func(c byte) bool { return !isB64Space(c) }})
	case "quoted-printable":
		return quotedprintable.NewReader(bytes.NewReader(a.enc))
	}
	return bytes.NewReader(a.enc)
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
