package inbox

import (
	"bytes"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"strings"

	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/textproto"

	"poststelle/mailroom"
	"poststelle/mailroom/signature"
)

// Message is a parsed mail: what the rendition shows and what becomes
// attachment batches. Parsing never fails: what cannot be read is noted in
// Warnings (and Unreadable) and the raw .eml keeps everything.
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
	// Unreadable: part of the MIME structure could not be read (a broken
	// header, a multipart without its boundary, a limit); attachments may be
	// missing. The warnings say where. The document gets FlagAttachmentsUnreadable.
	Unreadable bool
	// Rejected is set when the mail's own header block is over a limit: a
	// mailroom.BadInput with the reason; nothing after the header was read.
	Rejected error
}

// Attachment is one part that becomes its own document.
type Attachment struct {
	Filename  string // decoded and made safe
	RawName   string // decoded, before making it safe
	MediaType string
	Data      []byte
	Inline    bool
	// Nested: a mail (message/rfc822, or content the intake would take for
	// one, e.g. an .eml sent as application/octet-stream).
	Nested bool

	// Where the part's encoded body lies in the parsed bytes (start < 0: not
	// there, e.g. inside an S/MIME signed-data blob), its transfer
	// encoding, and whether it lies inside multipart/signed content.
	start, end int
	cte        string
	signed     bool
	// lazy (lean parse): Data is nil and the content is decoded from enc
	// when read (reader); lenient: the base64 is damaged and read leniently.
	lazy, lenient bool
	enc           []byte
}

type parser struct {
	m        *Message
	verifier *signature.Verifier
	lim      Limits
	plain    []string
	htmls    []string
	names    map[string]int
	parts    int // MIME entities seen
	inSigned int // > 0 inside the content of a multipart/signed
	// lean: attachments other than mails are not decoded into Data but
	// read from the mail's bytes when needed (Attachment.reader).
	lean     bool
	warnings int // warnings dropped over lim.Warnings
}

// Parse reads a raw RFC 822 message with the default limits.
func Parse(raw []byte, v *signature.Verifier) *Message {
	return Limits{}.Parse(raw, v)
}

// Parse reads a raw RFC 822 message within the limits l.
func (l Limits) Parse(raw []byte, v *signature.Verifier) *Message {
	return l.parse(raw, v, false)
}

// parseLean is Parse without decoding attachments (other than mails) into
// memory: their Data is nil and Attachment.reader decodes them from raw.
func (l Limits) parseLean(raw []byte, v *signature.Verifier) *Message {
	return l.parse(raw, v, true)
}

func (l Limits) parse(raw []byte, v *signature.Verifier, lean bool) *Message {
	p := &parser{m: &Message{DeMail: map[string]string{}}, verifier: v, lim: l.withDefaults(), names: map[string]int{}, lean: lean}
	start := mailStart(raw)
	hb := readHeader(raw[start:], p.lim)
	p.noteHeader(hb)
	p.headers(hb.h)
	if hb.err != nil {
		p.m.Rejected = hb.err.badInput()
		return p.m
	}
	p.entity(hb.h, raw[start+hb.bodyOff:], start+hb.bodyOff, 0, true)
	switch {
	case len(p.plain) > 0:
		p.m.Text = strings.Join(p.plain, "\n\n")
	case len(p.htmls) > 0:
		p.m.Text, p.m.FromHTML = strings.Join(p.htmls, "\n\n"), true
	}
	if p.warnings > 0 {
		p.m.Warnings = append(p.m.Warnings, fmt.Sprintf("… %d weitere Hinweise / %d more warnings", p.warnings, p.warnings))
	}
	return p.m
}

func (p *parser) warn(format string, a ...any) {
	if len(p.m.Warnings) >= p.lim.Warnings {
		p.warnings++
		return
	}
	p.m.Warnings = append(p.m.Warnings, fmt.Sprintf(format, a...))
}

// unreadable notes a warning and marks the structure as not completely read.
func (p *parser) unreadable(format string, a ...any) {
	p.m.Unreadable = true
	p.warn(format, a...)
}

func (p *parser) noteHeader(hb headerBlock) {
	for _, w := range hb.warnings {
		p.warn("%s", w)
	}
	if hb.broken {
		p.m.Unreadable = true
	}
}

// part reads one MIME part (header and body) found at off in the mail's
// bytes (off < 0: not in them).
func (p *parser) part(raw []byte, off, depth int) {
	hb := readHeader(raw, p.lim)
	p.noteHeader(hb)
	if hb.err != nil {
		p.unreadable("%s", hb.err.warning())
		return
	}
	if off >= 0 {
		off += hb.bodyOff
	}
	p.entity(hb.h, raw[hb.bodyOff:], off, depth, false)
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

// entityInfo is what an entity's header says about its content.
type entityInfo struct {
	mt     string
	params map[string]string
	disp   string
	name   string
	cte    string
}

func (p *parser) info(h textproto.Header) entityInfo {
	in := entityInfo{mt: "text/plain", params: map[string]string{"charset": "us-ascii"}}
	if ctRaw := h.Get("Content-Type"); ctRaw != "" {
		mt, params, ok := parseParams(ctRaw)
		if !ok || !strings.Contains(mt, "/") {
			p.unreadable("Content-Type unlesbar / unreadable Content-Type %.80q: als Text behandelt / treated as text", ctRaw)
			mt, params = "text/plain", map[string]string{}
		}
		in.mt, in.params = mt, params
	}
	dparams := map[string]string{}
	if d := h.Get("Content-Disposition"); d != "" {
		in.disp, dparams, _ = parseParams(d)
	}
	in.name = dparams["filename"]
	if in.name == "" {
		in.name = in.params["name"]
	}
	in.cte = strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding")))
	return in
}

// entity reads one MIME entity whose body lies at off in the mail's bytes.
func (p *parser) entity(h textproto.Header, body []byte, off, depth int, top bool) {
	if depth > p.lim.Depth {
		p.unreadable("MIME zu tief verschachtelt / MIME nested too deeply (over %d levels): Teil nicht gelesen / part not read", p.lim.Depth)
		return
	}
	if p.parts++; p.parts > p.lim.Parts {
		if p.parts == p.lim.Parts+1 {
			p.unreadable("zu viele MIME-Teile / too many MIME parts (over %d): der Rest wurde nicht gelesen / the rest was not read", p.lim.Parts)
		}
		return
	}
	in := p.info(h)
	switch mt := in.mt; {
	case mt == "multipart/signed":
		p.signed(body, off, in.params, depth)
		return
	case strings.HasPrefix(mt, "multipart/"):
		p.multipart(body, off, in, depth)
		return
	case (mt == "application/pkcs7-mime" || mt == "application/x-pkcs7-mime") && (top || in.disp != "attachment"):
		p.opaque(body, in.cte, in.params, in.name, in.disp, depth)
		return
	case mt == "application/pgp-signature" || mt == "application/pkcs7-signature" || mt == "application/x-pkcs7-signature":
		return // handled with its multipart/signed
	case mt == "application/pgp-encrypted":
		return // the version part of PGP/MIME
	}
	loc := Attachment{start: off, end: off + len(body), cte: in.cte, signed: p.inSigned > 0}
	if off < 0 {
		loc.start, loc.end = -1, -1
	}
	name, mt, disp := in.name, in.mt, in.disp
	if mt == "message/rfc822" || mt == "message/global" {
		data := p.decode(body, in.cte, name)
		if name == "" {
			if name = subjectOf(data); name == "" {
				name = "weitergeleitete-nachricht"
			}
			name += ".eml"
		}
		p.attach(name, mt, data, disp == "inline", true, loc)
		return
	}
	if strings.HasPrefix(mt, "text/") && (name == "" || disp == "inline" && (mt == "text/plain" || mt == "text/html")) && disp != "attachment" {
		if reHiddenMIME.Match(body) {
			p.unreadable("Text enthält MIME-Teile, die nicht als Anhänge gelesen werden konnten / text contains MIME parts that could not be read as attachments")
		}
		p.textDecoded(p.decode(body, in.cte, name), mt, in.params["charset"])
		return
	}
	if name == "" && strings.HasPrefix(mt, "text/") && disp == "attachment" {
		name = "anhang.txt"
	}
	if p.lean {
		// Decoded when written (Attachment.reader): only checked here.
		loc.enc, loc.lazy, loc.lenient = body, true, p.check(body, in.cte, name)
		p.attach(name, mt, nil, disp == "inline", false, loc)
		return
	}
	p.attach(name, mt, p.decode(body, in.cte, name), disp == "inline", false, loc)
}

// reHiddenMIME finds a boundary line followed by a part header in text: a
// mail whose MIME structure was lost (e.g. a header cut short).
var reHiddenMIME = regexp.MustCompile(`(?m)^--[!-~]{1,200}\r?\n(?i:content-(?:type|disposition|transfer-encoding))[ \t]*:`)

func (p *parser) multipart(body []byte, off int, in entityInfo, depth int) {
	parts, closed := splitMultipart(body, in.params["boundary"])
	if len(parts) == 0 {
		p.unreadable("multipart ohne gültige Grenze / multipart without a valid boundary: als Text behandelt / treated as one text part")
		p.text(body, "text/plain", in.params["charset"], in.cte)
		return
	}
	if !closed {
		p.warn("letzte MIME-Grenze fehlt / final MIME boundary missing")
	}
	for _, part := range parts {
		p.part(part.b, at(off, part.off), depth+1)
	}
}

// at is off+rel, or -1 when off is not in the mail's bytes.
func at(off, rel int) int {
	if off < 0 {
		return -1
	}
	return off + rel
}

// sniffHead is how much of a file intake looks at to decide its media type.
const sniffHead = 4096

func (p *parser) attach(name, mt string, data []byte, inline, nested bool, loc Attachment) {
	raw := name
	safe := SafeFilename(name, mt)
	// Intake takes an .eml (by name or by content) for a mail whatever its
	// declared type: it is unpacked as a nested mail, within the same limits.
	if !nested {
		head := data[:min(len(data), sniffHead)]
		if loc.lazy {
			head = make([]byte, sniffHead)
			n, _ := io.ReadFull(loc.reader(), head)
			head = head[:n]
		}
		if mailroom.SniffMediaType(head, safe) == mailroom.MediaEML {
			nested = true
			if loc.lazy {
				data, _ = io.ReadAll(loc.reader())
				loc.lazy, loc.enc = false, nil
			}
		}
	}
	// Keep names unique within one mail.
	if n := p.names[strings.ToLower(safe)]; n > 0 {
		ext := ""
		if i := strings.LastIndex(safe, "."); i > 0 {
			safe, ext = safe[:i], safe[i:]
		}
		safe = fmt.Sprintf("%s-%d%s", safe, n+1, ext)
	}
	p.names[strings.ToLower(safe)]++
	loc.Filename, loc.RawName, loc.MediaType, loc.Data, loc.Inline, loc.Nested = safe, raw, mt, data, inline, nested
	p.m.Attachments = append(p.m.Attachments, loc)
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
