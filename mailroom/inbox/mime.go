package inbox

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"

	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/textproto"

	"poststelle/mailroom/signature"
)

// Message is a parsed mail: what the rendition shows and what becomes
// attachment batches. Parsing never fails: what cannot be read is noted in
// Warnings and the raw .eml keeps everything.
type Message struct {
	MessageID string
	Subject   string
	From      string
	To        string
	Cc        string
	Date      string
	Text      string // the plain-text body, or the HTML body as text
	FromHTML  bool
	// Attachments in order of appearance, including inline images and PDFs
	// and nested mails (message/rfc822).
	Attachments []Attachment
	Warnings    []string
	// DeMail holds the De-Mail gateway headers (X-De-Mail-*), keyed by the
	// lower-case header name without the X- prefix.
	DeMail     map[string]string
	Signatures []signature.Result
	// Encrypted: an S/MIME enveloped (encrypted) part that cannot be read.
	Encrypted bool
}

// Attachment is one part that becomes its own document.
type Attachment struct {
	Filename  string // decoded and made safe
	RawName   string // decoded, before making it safe
	MediaType string
	Data      []byte
	Inline    bool
	Nested    bool // a message/rfc822 mail
}

// maxDepth bounds MIME nesting (a denial-of-service guard).
const maxDepth = 20

type parser struct {
	m        *Message
	verifier *signature.Verifier
	plain    []string
	htmls    []string
	names    map[string]int
}

// Parse reads a raw RFC 822 message.
func Parse(raw []byte, v *signature.Verifier) *Message {
	p := &parser{m: &Message{DeMail: map[string]string{}}, verifier: v, names: map[string]int{}}
	h, body, warns := splitHeader(raw)
	p.m.Warnings = append(p.m.Warnings, warns...)
	p.headers(h)
	p.entity(h, body, 0, true)
	switch {
	case len(p.plain) > 0:
		p.m.Text = strings.Join(p.plain, "\n\n")
	case len(p.htmls) > 0:
		p.m.Text, p.m.FromHTML = strings.Join(p.htmls, "\n\n"), true
	}
	return p.m
}

func (p *parser) warn(format string, a ...any) {
	p.m.Warnings = append(p.m.Warnings, fmt.Sprintf(format, a...))
}

func (p *parser) headers(h textproto.Header) {
	m := p.m
	m.MessageID = strings.TrimSpace(h.Get("Message-Id"))
	m.Subject = decodeText(h.Get("Subject"))
	m.From = addresses(h.Get("From"))
	m.To = addresses(h.Get("To"))
	m.Cc = addresses(h.Get("Cc"))
	m.Date = strings.TrimSpace(h.Get("Date"))
	if t, err := mail.ParseDate(m.Date); err == nil {
		m.Date = t.Format("2006-01-02 15:04:05 -0700")
	}
	fields := h.Fields()
	for fields.Next() {
		k := strings.ToLower(fields.Key())
		if strings.HasPrefix(k, "x-de-mail-") || strings.HasPrefix(k, "x-demail-") {
			name := strings.ReplaceAll(strings.TrimPrefix(k, "x-"), "-", "_")
			name = strings.Replace(name, "demail_", "de_mail_", 1)
			v := decodeText(fields.Value())
			if old, ok := m.DeMail[name]; ok {
				v = old + "; " + v
			}
			m.DeMail[name] = v
		}
	}
}

func addresses(v string) string {
	if v == "" {
		return ""
	}
	dec := mail.AddressParser{WordDecoder: &wordDecoder}
	if list, err := dec.ParseList(v); err == nil {
		var s []string
		for _, a := range list {
			if a.Name != "" {
				s = append(s, fmt.Sprintf("%s <%s>", a.Name, a.Address))
			} else {
				s = append(s, a.Address)
			}
		}
		return strings.Join(s, ", ")
	}
	return strings.TrimSpace(strings.Trim(decodeText(v), ", "))
}

func (p *parser) entity(h textproto.Header, body []byte, depth int, top bool) {
	if depth > maxDepth {
		p.warn("MIME zu tief verschachtelt / MIME nested too deeply (over %d levels)", maxDepth)
		return
	}
	ctRaw := h.Get("Content-Type")
	mt, params, ok := "text/plain", map[string]string{"charset": "us-ascii"}, true
	if ctRaw != "" {
		mt, params, ok = parseParams(ctRaw)
		if !ok || !strings.Contains(mt, "/") {
			p.warn("Content-Type unlesbar / unreadable Content-Type %q: als Text behandelt / treated as text", ctRaw)
			mt, params = "text/plain", map[string]string{}
		}
	}
	disp, dparams := "", map[string]string{}
	if d := h.Get("Content-Disposition"); d != "" {
		disp, dparams, _ = parseParams(d)
	}
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	cte := strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding")))

	switch {
	case mt == "multipart/signed":
		p.signed(body, params, depth)
		return
	case strings.HasPrefix(mt, "multipart/"):
		parts, closed := splitMultipart(body, params["boundary"])
		if len(parts) == 0 {
			p.warn("multipart ohne gültige Grenze / multipart without a valid boundary: als Text behandelt / treated as one text part")
			p.text(body, "text/plain", params["charset"], cte)
			return
		}
		if !closed {
			p.warn("letzte MIME-Grenze fehlt / final MIME boundary missing")
		}
		for _, part := range parts {
			ph, pb, warns := splitHeader(part)
			p.m.Warnings = append(p.m.Warnings, warns...)
			p.entity(ph, pb, depth+1, false)
		}
		return
	case (mt == "application/pkcs7-mime" || mt == "application/x-pkcs7-mime") && (top || disp != "attachment"):
		p.opaque(body, cte, params, name, disp, depth)
		return
	case mt == "application/pgp-signature" || mt == "application/pkcs7-signature" || mt == "application/x-pkcs7-signature":
		return // handled with its multipart/signed
	case mt == "application/pgp-encrypted":
		return // the version part of PGP/MIME
	}
	data := p.decode(body, cte, name)
	if mt == "message/rfc822" || mt == "message/global" {
		if name == "" {
			nh, _, _ := splitHeader(data)
			name = decodeText(nh.Get("Subject"))
			if name == "" {
				name = "weitergeleitete-nachricht"
			}
			name += ".eml"
		}
		p.attach(name, mt, data, disp == "inline", true)
		return
	}
	if strings.HasPrefix(mt, "text/") && (name == "" || disp == "inline" && (mt == "text/plain" || mt == "text/html")) && disp != "attachment" {
		p.textDecoded(data, mt, params["charset"])
		return
	}
	if name == "" && strings.HasPrefix(mt, "text/") && disp == "attachment" {
		name = "anhang.txt"
	}
	p.attach(name, mt, data, disp == "inline", false)
}

func (p *parser) attach(name, mt string, data []byte, inline, nested bool) {
	raw := name
	safe := SafeFilename(name, mt)
	// Keep names unique within one mail.
	if n := p.names[strings.ToLower(safe)]; n > 0 {
		ext := ""
		if i := strings.LastIndex(safe, "."); i > 0 {
			safe, ext = safe[:i], safe[i:]
		}
		safe = fmt.Sprintf("%s-%d%s", safe, n+1, ext)
	}
	p.names[strings.ToLower(safe)]++
	p.m.Attachments = append(p.m.Attachments, Attachment{Filename: safe, RawName: raw, MediaType: mt, Data: data, Inline: inline, Nested: nested})
}

func (p *parser) text(body []byte, mt, cs, cte string) {
	p.textDecoded(p.decode(body, cte, ""), mt, cs)
}

func (p *parser) textDecoded(data []byte, mt, cs string) {
	s := string(data)
	if cs != "" {
		if r, err := charset.Reader(strings.ToLower(cs), bytes.NewReader(data)); err == nil {
			if b, err := io.ReadAll(r); err == nil {
				s = string(b)
			}
		} else if l := strings.ToLower(cs); l != "utf-8" && l != "us-ascii" {
			p.warn("unbekannter Zeichensatz / unknown charset %q", cs)
		}
	}
	s = toUTF8(s)
	if mt == "text/html" {
		p.htmls = append(p.htmls, HTMLToText(s))
		return
	}
	p.plain = append(p.plain, strings.TrimRight(s, "\r\n \t"))
}

// decode undoes the transfer encoding, leniently: a damaged base64 or
// quoted-printable part is decoded as far as possible, with a warning.
func (p *parser) decode(body []byte, cte, name string) []byte {
	switch cte {
	case "base64":
		clean := bytes.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, body)
		if out, err := base64.StdEncoding.DecodeString(string(clean)); err == nil {
			return out
		}
		p.warn("Base64-Daten fehlerhaft / malformed base64 in %q: ungültige Zeichen übersprungen / invalid characters skipped", name)
		alpha := bytes.Map(func(r rune) rune {
			if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/' {
				return r
			}
			return -1
		}, clean)
		out, _ := base64.RawStdEncoding.DecodeString(string(alpha[:len(alpha)/4*4+lastGroup(len(alpha))]))
		return out
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

// splitMultipart cuts a multipart body at its boundary lines. It returns the
// raw parts (header and body, line break before the next boundary removed)
// and whether the closing boundary was found.
func splitMultipart(body []byte, boundary string) ([][]byte, bool) {
	if boundary == "" {
		return nil, false
	}
	delim := []byte("--" + boundary)
	var parts [][]byte
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
					parts = append(parts, trimLineBreak(body[start:pos]))
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
		parts = append(parts, body[start:])
	}
	return parts, false
}

func trimLineBreak(b []byte) []byte {
	if bytes.HasSuffix(b, []byte("\r\n")) {
		return b[:len(b)-2]
	}
	return bytes.TrimSuffix(b, []byte("\n"))
}

// signed handles multipart/signed (RFC 1847): S/MIME signatures are checked,
// PGP signatures recorded; the signed content is parsed as usual.
func (p *parser) signed(body []byte, params map[string]string, depth int) {
	parts, _ := splitMultipart(body, params["boundary"])
	if len(parts) == 0 {
		p.warn("signierte Nachricht ohne Teile / signed message without parts")
		p.text(body, "text/plain", "", "")
		return
	}
	proto := strings.ToLower(params["protocol"])
	if proto == "" && len(parts) >= 2 {
		// No protocol parameter: go by the signature part's own type.
		sh, _, _ := splitHeader(parts[1])
		proto, _, _ = parseParams(sh.Get("Content-Type"))
	}
	switch {
	case len(parts) >= 2 && strings.Contains(proto, "pkcs7-signature"):
		sh, sb, _ := splitHeader(parts[1])
		der := signature.DecodeP7(p.decode(sb, strings.ToLower(strings.TrimSpace(sh.Get("Content-Transfer-Encoding"))), "smime.p7s"))
		if p.verifier != nil {
			p.m.Signatures = append(p.m.Signatures, p.verifier.VerifyDetached("smime", signature.Canonical(parts[0]), der).CheckSender(p.m.From))
		}
	case strings.Contains(proto, "pgp-signature"):
		p.m.Signatures = append(p.m.Signatures, signature.Result{Kind: "pgp",
			Problem: "PGP-Signatur nicht geprüft (kein Schlüsselbund) / PGP signature not checked (no keyring)"})
	default:
		p.warn("unbekanntes Signaturprotokoll / unknown signature protocol %q", proto)
	}
	ph, pb, warns := splitHeader(parts[0])
	p.m.Warnings = append(p.m.Warnings, warns...)
	p.entity(ph, pb, depth+1, false)
	for _, extra := range parts[min(2, len(parts)):] {
		eh, eb, _ := splitHeader(extra)
		p.entity(eh, eb, depth+1, false)
	}
}

// opaque handles application/pkcs7-mime: signed-data is checked and its
// content parsed; enveloped-data marks the message as encrypted.
func (p *parser) opaque(body []byte, cte string, params map[string]string, name, disp string, depth int) {
	der := signature.DecodeP7(p.decode(body, cte, name))
	switch signature.ContentType(der) {
	case "encrypted":
		p.m.Encrypted = true
		return
	case "signed":
		if p.verifier == nil {
			break
		}
		r, content := p.verifier.VerifyAttached("smime", der)
		p.m.Signatures = append(p.m.Signatures, r.CheckSender(p.m.From))
		if content != nil {
			ch, cb, warns := splitHeader(content)
			p.m.Warnings = append(p.m.Warnings, warns...)
			p.entity(ch, cb, depth+1, false)
			return
		}
	}
	if strings.ToLower(params["smime-type"]) == "enveloped-data" {
		p.m.Encrypted = true
		return
	}
	p.warn("S/MIME-Teil nicht lesbar / unreadable S/MIME part: als Anhang übernommen / kept as attachment")
	if name == "" {
		name = "smime.p7m"
	}
	p.attach(name, "application/pkcs7-mime", der, disp == "inline", false)
}

var (
	reDropBlocks = regexp.MustCompile(`(?is)<(script|style|head|title)\b.*?</(script|style|head|title)\s*>`)
	reBreaks     = regexp.MustCompile(`(?i)<\s*(br|/p|/div|/li|/tr|/h[1-6]|/table|/ul|/ol|p|div|li|tr|h[1-6])\b[^>]*>`)
	reCells      = regexp.MustCompile(`(?i)</t[dh]\s*>`)
	reTags       = regexp.MustCompile(`(?s)<[^>]*>`)
	reComments   = regexp.MustCompile(`(?s)<!--.*?-->`)
	reSpaces     = regexp.MustCompile(`[ \t\x{00a0}]+`)
	reBlank      = regexp.MustCompile(`\n\s*\n(\s*\n)+`)
)

// HTMLToText renders HTML as plain text for the rendition: scripts, styles
// and tags removed, block ends as line breaks, entities decoded.
func HTMLToText(s string) string {
	s = reComments.ReplaceAllString(s, "")
	s = reDropBlocks.ReplaceAllString(s, "")
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	s = reBreaks.ReplaceAllString(s, "\n")
	s = reCells.ReplaceAllString(s, "\t")
	s = reTags.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = reSpaces.ReplaceAllString(s, " ")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	s = strings.Join(lines, "\n")
	s = reBlank.ReplaceAllString(s, "\n\n")
	return strings.TrimSpace(s)
}

// extensionFor returns a file extension for a media type ("" if unknown).
func extensionFor(mt string) string {
	switch mt {
	case "application/pdf":
		return ".pdf"
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/tiff":
		return ".tif"
	case "message/rfc822":
		return ".eml"
	case "application/xml", "text/xml":
		return ".xml"
	case "text/plain":
		return ".txt"
	case "application/pkcs7-mime":
		return ".p7m"
	}
	if exts, _ := mime.ExtensionsByType(mt); len(exts) > 0 {
		return exts[0]
	}
	return ""
}
