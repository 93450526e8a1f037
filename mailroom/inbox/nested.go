package inbox

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"strings"
)

// Nested mails (a mail attached to a mail, to any depth) are unpacked by the
// expansion of the received mail alone, in one walk: every nested mail
// becomes a part of its own, and the copy stored for it has its own nested
// mails replaced by a short note (a stub) because those are parts of their
// own already. So each byte of the received mail is stored about once more
// however deep the nesting, and the nesting depth is counted from the
// received mail (metadata mail_depth), whatever batch a part becomes. The
// expansion of a nested mail's copy takes in its attachments but never its
// nested mails (the walk did). The received .eml stays the record of all.

// Metadata keys of the nested-mail walk.
const (
	// MetaMailDepth is the message/rfc822 nesting of the mail a part came
	// from, plus one (a received mail's attachments have 1).
	MetaMailDepth = "mail_depth"
	// MetaPartsAllowed is how many attachments the unpacking of a nested
	// mail's copy may still take in (the received mail's Attachments limit).
	MetaPartsAllowed = "mail_parts_allowed"
	// MetaShortened ("true") marks a nested mail's copy whose own nested
	// mails were replaced by notes; its signature (if any) was checked on
	// the complete mail during the walk and is not checked again.
	MetaShortened = "mail_shortened"
	// MetaNotTakenIn says (German / English) which attachments of a mail
	// were not taken in as documents of their own, and why.
	MetaNotTakenIn = "mail_not_taken_in"
	// MetaContainer is the file name of the mail a nested mail was attached to.
	MetaContainer = "mail_container"
)

// plan is what is taken in of one mail's attachments, decided in their order.
type plan struct {
	leaves   []int        // indexes of attachments (not mails) taken in
	children []Attachment // nested mails taken in (each a part of its own)
	stubs    []Attachment // of those, the ones replaced by a note in this mail's copy
	omitted  int          // attachments over the Attachments limit
	left     []string     // nested mails not taken in, with the reason
}

// planMail decides for the attachments of m (a mail at depth) what is
// taken in, counting against the received mail's budget u.budget (parts)
// and u.exact (bytes of nested mails that cannot be replaced by a note).
func (u *unpacker) planMail(m *Message, depth int) plan {
	var pl plan
	for i, a := range m.Attachments {
		switch {
		case !a.Nested && u.budget > 0:
			u.budget--
			pl.leaves = append(pl.leaves, i)
		case !a.Nested:
			pl.omitted++
		case depth+1 > u.lim.MailDepth:
			pl.left = append(pl.left, fmt.Sprintf("%s (tiefer als %d Ebenen verschachtelt / nested deeper than %d levels)", a.Filename, u.lim.MailDepth, u.lim.MailDepth))
		case u.budget <= 0:
			pl.left = append(pl.left, fmt.Sprintf("%s (mehr als %d Anhänge / over %d attachments)", a.Filename, u.lim.Attachments, u.lim.Attachments))
		case a.start >= 0:
			u.budget--
			pl.children = append(pl.children, a)
			pl.stubs = append(pl.stubs, a)
		case int64(len(a.Data)) <= u.exact:
			// Inside an S/MIME signed-data blob: this mail's copy keeps it,
			// so it is stored twice; bounded by the received mail's size.
			u.budget--
			u.exact -= int64(len(a.Data))
			pl.children = append(pl.children, a)
		default:
			pl.left = append(pl.left, fmt.Sprintf("%s (in S/MIME-Inhalt, Speichergrenze erreicht / inside S/MIME content, storage limit reached)", a.Filename))
		}
	}
	return pl
}

// notes is the MetaNotTakenIn text of a plan ("" if everything was taken in).
func (pl plan) notes(limit int) string {
	var s []string
	if pl.omitted > 0 {
		s = append(s, fmt.Sprintf("%d Anhänge über der Grenze von %d Anhängen je Nachricht nicht übernommen / %d attachments over the limit of %d per mail not taken in",
			pl.omitted, limit, pl.omitted, limit))
	}
	if len(pl.left) > 0 {
		s = append(s, "Weitergeleitete Nachrichten nur in der Original-.eml / forwarded mails only in the original .eml: "+strings.Join(pl.left, ", "))
	}
	return strings.Join(s, "; ")
}

// shorten returns raw with the encoded bodies of stubs (nested mails at
// known, ascending, non-overlapping places in raw) replaced by a note.
func shorten(raw []byte, stubs []Attachment) []byte {
	if len(stubs) == 0 {
		return raw
	}
	var b bytes.Buffer
	pos := 0
	for _, s := range stubs {
		if s.start < pos || s.end > len(raw) || s.end < s.start {
			continue // not where expected: keep the bytes
		}
		b.Write(raw[pos:s.start])
		b.Write(stubBody(s))
		pos = s.end
	}
	b.Write(raw[pos:])
	return b.Bytes()
}

// stubBody is the note that stands for a nested mail taken in on its own,
// encoded in the part's transfer encoding. It keeps the mail's Subject, so
// the part's derived file name stays the same.
func stubBody(a Attachment) []byte {
	var b bytes.Buffer
	if subj := subjectOf(a.Data); subj != "" {
		b.WriteString("Subject: " + mime.QEncoding.Encode("utf-8", subj) + "\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n" +
		"X-Poststelle-Stub: nested mail taken in as a document of its own\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	fmt.Fprintf(qp, "[Diese weitergeleitete Nachricht (%s, %d Bytes) ist als eigenes Dokument übernommen; vollständig ist sie in der empfangenen Nachricht (.eml) enthalten.]\r\n"+
		"[This forwarded mail (%s, %d bytes) was taken in as a document of its own; the complete mail is in the mail as received (.eml).]\r\n",
		a.Filename, len(a.Data), a.Filename, len(a.Data))
	qp.Close()
	switch a.cte {
	case "base64":
		return []byte(base64Lines(b.Bytes()))
	case "quoted-printable":
		var out bytes.Buffer
		w := quotedprintable.NewWriter(&out)
		w.Write(b.Bytes())
		w.Close()
		return out.Bytes()
	}
	return b.Bytes()
}

// base64Lines is data in base64, in lines of 76 characters (RFC 2045).
func base64Lines(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.String()
}
