package inbox

import (
	"fmt"

	"poststelle/mailroom"
)

// Limits bound the work and the storage one received mail can cause. Every
// field's zero value means its default; docs/mail.md gives the reasons.
//
// A limit that makes the whole mail unreadable (its own header block) is a
// BadInput: the mail is quarantined with the reason and its original kept.
// Every other limit keeps the mail, shows what could be read and sets
// FlagAttachmentsUnreadable on its document with a warning saying what was
// left out (the .eml, the record, still holds everything).
type Limits struct {
	// HeaderBytes bounds one header block (default 256 KiB; Postfix keeps
	// 100 KiB by default, header_size_limit).
	HeaderBytes int
	// HeaderLine bounds one physical header line (default 64 KiB; RFC 5322
	// allows 998 characters, SMTP servers split longer lines).
	HeaderLine int
	// HeaderFields bounds the fields of one header block (default 1000).
	HeaderFields int
	// Parts bounds the MIME entities read from one mail (default 1000).
	Parts int
	// Depth bounds multipart nesting inside one mail (default 20).
	Depth int
	// Attachments bounds the parts taken in from one received mail, counted
	// over all its nested mails and their attachments (default 100).
	Attachments int
	// MailDepth bounds message/rfc822 nesting (a mail attached to a mail …),
	// counted from the received mail and carried across batches in the
	// parts' metadata (default 10).
	MailDepth int
	// Warnings bounds the warnings kept per mail (default 50).
	Warnings int
}

// Default limits (see Limits).
const (
	DefaultHeaderBytes  = 256 << 10
	DefaultHeaderLine   = 64 << 10
	DefaultHeaderFields = 1000
	DefaultParts        = 1000
	DefaultDepth        = 20
	DefaultAttachments  = 100
	DefaultMailDepth    = 10
	DefaultWarnings     = 50
)

// withDefaults returns l with every zero field set to its default.
func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.HeaderBytes, DefaultHeaderBytes)
	def(&l.HeaderLine, DefaultHeaderLine)
	def(&l.HeaderFields, DefaultHeaderFields)
	def(&l.Parts, DefaultParts)
	def(&l.Depth, DefaultDepth)
	def(&l.Attachments, DefaultAttachments)
	def(&l.MailDepth, DefaultMailDepth)
	def(&l.Warnings, DefaultWarnings)
	return l
}

// FlagAttachmentsUnreadable marks a mail document whose structure could not
// be read completely: attachments may be missing from the documents taken in
// (they are still in the stored .eml). The warnings (metadata mail_warnings,
// the rendition's "Hinweise") say what happened.
const FlagAttachmentsUnreadable = "attachments-unreadable"

// headerLimitError is a header block over one of the header limits.
type headerLimitError struct {
	what       string // "bytes", "line", "fields"
	got, limit int
}

func (e *headerLimitError) Error() string {
	return fmt.Sprintf("header %s over limit (%d, limit %d)", e.what, e.got, e.limit)
}

// badInput is the reason given to the clerk when the mail's own header
// block is over a limit.
func (e *headerLimitError) badInput() error {
	switch e.what {
	case "line":
		return mailroom.BadInput(
			fmt.Sprintf("Kopfzeile der Nachricht zu lang (%d Bytes, erlaubt %d); das Original ist gespeichert", e.got, e.limit),
			fmt.Sprintf("mail header line too long (%d bytes, limit %d); the original is kept", e.got, e.limit), e)
	case "fields":
		return mailroom.BadInput(
			fmt.Sprintf("Nachricht hat zu viele Kopfzeilen (mehr als %d); das Original ist gespeichert", e.limit),
			fmt.Sprintf("mail has too many header fields (over %d); the original is kept", e.limit), e)
	default:
		return mailroom.BadInput(
			fmt.Sprintf("Kopfbereich der Nachricht zu groß (über %d Bytes); das Original ist gespeichert", e.limit),
			fmt.Sprintf("mail header too large (over %d bytes); the original is kept", e.limit), e)
	}
}

// warning is the text noted for a part whose header block is over a limit.
func (e *headerLimitError) warning() string {
	switch e.what {
	case "line":
		return fmt.Sprintf("Kopfzeile eines MIME-Teils zu lang (%d Bytes, erlaubt %d): Teil nicht gelesen / MIME part header line too long (%d bytes, limit %d): part not read",
			e.got, e.limit, e.got, e.limit)
	case "fields":
		return fmt.Sprintf("MIME-Teil hat zu viele Kopfzeilen (mehr als %d): Teil nicht gelesen / MIME part has too many header fields (over %d): part not read",
			e.limit, e.limit)
	default:
		return fmt.Sprintf("Kopfbereich eines MIME-Teils zu groß (über %d Bytes): Teil nicht gelesen / MIME part header too large (over %d bytes): part not read",
			e.limit, e.limit)
	}
}
