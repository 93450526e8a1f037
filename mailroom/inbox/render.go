package inbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/rendition"
	"poststelle/mailroom/signature"
)

// RenditionName is the readable PDF of a mail, written beside its metadata.
const RenditionName = "mail.pdf"

// Classifier writes the readable PDF of a mail (sender, recipients, date,
// subject, body text, attachment list, signature result). The .eml stays the
// original (the evidence) and is never rewritten.
type Classifier struct {
	Verifier *signature.Verifier
	// Limits as for the Expander (zero = defaults).
	Limits Limits
}

var _ mailroom.Classifier = (*Classifier)(nil)

// Classify implements mailroom.Classifier for message/rfc822.
func (c *Classifier) Classify(ctx context.Context, in mailroom.ClassifyInput) (mailroom.Classification, error) {
	if in.MediaType != mailroom.MediaEML {
		return mailroom.Classification{}, nil
	}
	raw, err := readAll(in.Original, MaxMailRead)
	if err != nil {
		return mailroom.Classification{}, err
	}
	m := c.Limits.parseLean(raw, c.Verifier)
	if m.Rejected != nil {
		return mailroom.Classification{}, m.Rejected
	}
	meta := copyMetadata(m, in.Metadata)
	out := mailroom.Classification{Metadata: meta, KeepOriginal: true}
	if signedValid(m, in.Metadata) {
		out.Flags = append(out.Flags, mailroom.FlagSigned)
	}
	out.Flags = append(out.Flags, unreadableFlags(m, meta)...)
	if note := meta[MetaNotTakenIn]; note != "" {
		m.Warnings = append(m.Warnings, note)
	}
	if in.Metadata[MetaShortened] == "true" {
		// The copy's own signature check fails by construction: show the
		// result the walk found on the complete mail.
		m.Signatures = nil
		if k := in.Metadata["mail_signature"]; k != "" {
			m.Warnings = append(m.Warnings, fmt.Sprintf("Signatur (%s) an der vollständigen Nachricht geprüft: gültig=%s, %s / signature checked on the complete mail: valid=%s",
				k, in.Metadata["mail_signature_valid"], in.Metadata["mail_signer"], in.Metadata["mail_signature_valid"]))
		}
	}
	out.Flags = append(out.Flags, signature.Flags(m.Signatures)...)
	if len(m.Signatures) == 0 && in.Metadata["mail_signature_from_mismatch"] == "true" {
		out.Flags = append(out.Flags, signature.FlagSignerNotSender) // found by the walk on the complete mail
	}
	if in.OutDir == "" {
		return out, nil
	}
	if err := os.MkdirAll(in.OutDir, 0o750); err != nil {
		return out, err
	}
	path := filepath.Join(in.OutDir, RenditionName)
	if err := rendition.Write(path, MailDoc(m, in.Metadata["mail_mode"] == "together")); err != nil {
		return out, err
	}
	out.Rendition = path
	return out, nil
}

// signedValid: the mail carries a valid signature. A shortened copy's
// signature was checked on the complete mail (metadata from the walk).
func signedValid(m *Message, meta map[string]string) bool {
	if meta[MetaShortened] == "true" {
		return meta["mail_signature_valid"] == "true"
	}
	for _, s := range m.Signatures {
		if s.Valid {
			return true
		}
	}
	return false
}

// MailDoc is the rendition content of a mail.
func MailDoc(m *Message, together bool) rendition.Doc {
	subject := m.Subject
	if subject == "" {
		subject = "(ohne Betreff)"
	}
	var atts []string
	for _, a := range m.Attachments {
		atts = append(atts, a.Filename)
	}
	sig := ""
	for _, s := range m.Signatures {
		md := s.Metadata("")
		sig = s.Kind + ": gültig/valid=" + md["signature_valid"]
		if s.Signer != "" {
			sig += ", " + s.Signer
		}
		if s.Checked {
			sig += ", vertrauenswürdig/trusted=" + md["signer_trusted"]
		}
		if s.Problem != "" {
			sig += " (" + s.Problem + ")"
		}
	}
	fields := []rendition.Field{
		{Label: "Von", Value: m.From}, {Label: "An", Value: m.To}, {Label: "Cc", Value: m.Cc},
		{Label: "Datum", Value: m.Date}, {Label: "Betreff", Value: m.Subject},
		{Label: "Message-ID", Value: m.MessageID}, {Label: "Anhänge", Value: strings.Join(atts, ", ")},
		{Label: "Signatur", Value: sig},
	}
	keys := make([]string, 0, len(m.DeMail))
	for k := range m.DeMail {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fields = append(fields, rendition.Field{Label: k, Value: m.DeMail[k]})
	}
	if len(m.Warnings) > 0 {
		fields = append(fields, rendition.Field{Label: "Hinweise", Value: strings.Join(m.Warnings, "\n")})
	}
	body := m.Text
	if body == "" {
		body = "(kein Textinhalt / no text body)"
	}
	if m.FromHTML {
		body = "[aus HTML umgewandelt / converted from HTML]\n\n" + body
	}
	footer := "Lesefassung der E-Mail, von Poststelle erzeugt. Maßgeblich ist die unveränderte Nachricht (.eml). " +
		"/ Readable rendition; the unchanged message (.eml) is the record."
	if together && len(atts) > 0 {
		footer += " Die Anhänge sind Teil der gespeicherten Nachricht. / The attachments are part of the stored message."
	}
	return rendition.Doc{Title: "E-Mail: " + subject, Fields: fields, Body: body, Footer: footer, Created: time.Now()}
}
