package inbox

import (
	"bytes"
	"fmt"
	"strings"
)

// HostileMail is one generated hostile input (nothing is copied from real
// mail): what it is, its bytes and what must become of it.
type HostileMail struct {
	Name string
	Raw  []byte
	// Want is what the mail document must end as: "review" (kept and shown)
	// or a substring of the quarantine reason.
	Want string
	// Flag: the mail document must carry FlagAttachmentsUnreadable.
	Flag bool
	// Attachments is the number of parts taken in below the mail (-1: not checked).
	Attachments int
	// Nested: stored bytes must stay within a small multiple of the size.
	Nested bool
}

const hostileHead = "From: Absender <absender@example.org>\r\nTo: poststelle@stadt.example\r\n" +
	"Date: Mon, 02 Jun 2025 10:00:00 +0200\r\nMIME-Version: 1.0\r\n"

// b64 is base64 in 76-character lines.
func b64(data []byte) string { return base64Lines(data) }

// filler is deterministic binary-looking content of n bytes.
func filler(n int, seed byte) []byte {
	b := make([]byte, n)
	x := uint32(seed) + 1
	for i := range b {
		x = x*1664525 + 1013904223
		b[i] = byte(x >> 24)
	}
	return b
}

// mixed is a multipart/mixed mail with a text part and the given parts
// (each a complete MIME part: header, blank line, body).
// The boundary is made from the subject: nested mails need their own.
func mixed(subject, extraHead string, parts ...string) []byte {
	var b bytes.Buffer
	id := strings.ReplaceAll(subject, " ", "-")
	bd := "=_" + id
	fmt.Fprintf(&b, "%sSubject: %s\r\nMessage-ID: <%s@hostile.example>\r\n%sContent-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n",
		hostileHead, subject, id, extraHead, bd)
	b.WriteString("--" + bd + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSehr geehrte Damen und Herren,\r\nanbei.\r\n")
	for _, p := range parts {
		b.WriteString("--" + bd + "\r\n" + p)
	}
	b.WriteString("--" + bd + "--\r\n")
	return b.Bytes()
}

func attachment(name string, data []byte) string {
	return "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n" +
		"Content-Disposition: attachment; filename=\"" + name + "\"\r\n\r\n" + b64(data)
}

// nestedChain is a mail nested depth levels deep as message/rfc822 (as an
// .eml sent as application/octet-stream if octet), the innermost carrying
// an attachment of size bytes.
func nestedChain(depth, size int, octet bool) []byte {
	inner := mixed("Ebene 0", "", attachment("bescheid.bin", filler(size, 7)))
	for i := 1; i <= depth; i++ {
		var part string
		if octet {
			part = "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"weiter.eml\"\r\n\r\n" + string(inner)
		} else {
			part = "Content-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n" + string(inner)
		}
		inner = mixed(fmt.Sprintf("Ebene %d", i), "", part)
	}
	return inner
}

// deepMultipart nests multipart/mixed depth levels deep.
func deepMultipart(depth int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%sSubject: tief\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n", hostileHead)
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n", i, i+1)
	}
	fmt.Fprintf(&b, "--b%d\r\nContent-Type: text/plain\r\n\r\ninnen\r\n--b%d--\r\n", depth, depth)
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return b.Bytes()
}

func foldedSubject(lines int) []byte {
	var b bytes.Buffer
	b.WriteString(hostileHead + "Subject: lang")
	for i := 0; i < lines; i++ {
		b.WriteString("\r\n wort")
	}
	b.WriteString("\r\nContent-Type: text/plain\r\n\r\nText\r\n")
	return b.Bytes()
}

// HostileMails generates the hostile corpus. big adds the large inputs
// (tens of MB) that measure memory.
func HostileMails(big bool) []HostileMail {
	var hs []HostileMail
	add := func(h HostileMail) { hs = append(hs, h) }

	add(HostileMail{Name: "folded-header-35000-lines", Raw: foldedSubject(35000), Want: "review", Attachments: 0})
	add(HostileMail{Name: "folded-header-over-limit", Raw: foldedSubject(200000), Want: "Kopfbereich der Nachricht zu groß", Attachments: 0})
	many := hostileHead + "Subject: viele Felder\r\n" + strings.Repeat("X-Feld: wert\r\n", 5000) + "\r\nText\r\n"
	add(HostileMail{Name: "header-5000-fields", Raw: []byte(many), Want: "zu viele Kopfzeilen", Attachments: 0})
	long := hostileHead + "Subject: lange Zeile\r\nTo: " + strings.Repeat("a@example.org, ", 70000) + "\r\n\r\nText\r\n"
	add(HostileMail{Name: "header-line-1MB", Raw: []byte(long), Want: "Kopfzeile der Nachricht zu lang", Attachments: 0})

	var parts []string
	for i := 0; i < 1000; i++ {
		parts = append(parts, attachment(fmt.Sprintf("anlage-%04d.bin", i), filler(64, byte(i))))
	}
	add(HostileMail{Name: "1000-attachments", Raw: mixed("viele Anhaenge", "", parts...), Want: "review", Flag: true, Attachments: DefaultAttachments})

	parts = parts[:0]
	for i := 0; i < 30000; i++ {
		parts = append(parts, "Content-Type: text/plain\r\n\r\nx\r\n")
	}
	add(HostileMail{Name: "30000-parts", Raw: mixed("viele Teile", "", parts...), Want: "review", Flag: true, Attachments: 0})
	add(HostileMail{Name: "multipart-depth-5000", Raw: deepMultipart(5000), Want: "review", Flag: true, Attachments: 0})

	add(HostileMail{Name: "rfc822-depth-8", Raw: nestedChain(8, 256<<10, false), Want: "review", Attachments: 9, Nested: true})
	add(HostileMail{Name: "rfc822-depth-40", Raw: nestedChain(40, 64<<10, false), Want: "review", Attachments: DefaultMailDepth, Nested: true})
	add(HostileMail{Name: "eml-as-octet-stream-depth-25", Raw: nestedChain(25, 64<<10, true), Want: "review", Attachments: DefaultMailDepth, Nested: true})

	// Five forwarded mails with 50 attachments each: the limit counts for
	// the received mail as a whole (5 mails + 95 attachments).
	var fwd []string
	for i := 0; i < 5; i++ {
		var atts []string
		for j := 0; j < 50; j++ {
			atts = append(atts, attachment(fmt.Sprintf("f%d-%02d.bin", i, j), filler(32, byte(i*50+j))))
		}
		fwd = append(fwd, "Content-Type: message/rfc822\r\n\r\n"+string(mixed(fmt.Sprintf("Weiterleitung %d", i), "", atts...)))
	}
	add(HostileMail{Name: "5-forwards-50-attachments-each", Raw: mixed("fuenf Weiterleitungen", "", fwd...), Want: "review", Attachments: DefaultAttachments, Nested: true})

	names := []string{"a\x00b.pdf", "\x1b[31mrot\x1b[0m.bin", "..%2F..%2Fetc%2Fpasswd", "rechnung\u202efdp.exe", "CON.txt",
		strings.Repeat("ä", 400) + ".bin", "=?UTF-8?Q?tab=09und=0Azeile?=.bin", "\r\n.bin", "/abs/pfad/datei.bin"}
	parts = parts[:0]
	for i, n := range names {
		parts = append(parts, "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"+
			"Content-Disposition: attachment; filename*=UTF-8''"+pctEncode(n)+"\r\n\r\n"+b64(filler(32, byte(i))))
	}
	// The same boundary at every level: the received mail splits at all of
	// them (RFC 2046 forbids it); the parts stay bounded all the same.
	same := bytes.ReplaceAll(nestedChain(40, 4<<10, false), []byte("=_Ebene-"), []byte("=_gleich"))
	same = bytes.ReplaceAll(same, []byte("=_gleich"), []byte("=_g"))
	add(HostileMail{Name: "rfc822-depth-40-one-boundary", Raw: same, Want: "review", Attachments: -1, Nested: true})

	add(HostileMail{Name: "control-character-names", Raw: mixed("Namen", "", parts...), Want: "review", Attachments: len(names)})

	mbox := append([]byte("From absender@example.org Mon Jun  2 10:00:00 2025\r\n"),
		mixed("mbox", "", attachment("eins.bin", filler(100, 1)), attachment("zwei.bin", filler(100, 2)))...)
	add(HostileMail{Name: "mbox-from-line", Raw: mbox, Want: "review", Attachments: 2})

	// A stray line between two header fields is skipped (with a warning):
	// the structure is still read.
	stray := hostileHead + "Subject: Zeile dazwischen\r\nDas ist keine Kopfzeile\r\nContent-Type: multipart/mixed; boundary=\"=_b\"\r\n\r\n" +
		"--=_b\r\nContent-Type: text/plain\r\n\r\nText\r\n--=_b\r\n" + attachment("gerettet.bin", filler(100, 3)) + "--=_b--\r\n"
	add(HostileMail{Name: "header-stray-line", Raw: []byte(stray), Want: "review", Attachments: 1})
	// Two stray lines end the header: the Content-Type after them is lost,
	// the attachment cannot be read, and the document says so.
	broken := hostileHead + "Subject: kaputt\r\nDas ist keine Kopfzeile\r\nund diese auch nicht\r\nContent-Type: multipart/mixed; boundary=\"=_b\"\r\n\r\n" +
		"--=_b\r\nContent-Type: text/plain\r\n\r\nText\r\n--=_b\r\n" + attachment("verloren.bin", filler(100, 3)) + "--=_b--\r\n"
	add(HostileMail{Name: "header-cut-short", Raw: []byte(broken), Want: "review", Flag: true, Attachments: 0})

	if big {
		add(HostileMail{Name: "attachment-45MB", Raw: mixed("gross", "", attachment("gross.bin", filler(45<<20, 9))), Want: "review", Attachments: 1})
		add(HostileMail{Name: "rfc822-depth-10-with-8MB", Raw: nestedChain(10, 8<<20, false), Want: "review", Attachments: 11, Nested: true})
	}
	return hs
}

func pctEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
