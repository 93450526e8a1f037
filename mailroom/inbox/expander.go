package inbox

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/signature"
)

// Metadata keys set on mail documents and their attachments.
const (
	MetaMessageID = "mail_message_id"
	MetaSubject   = "mail_subject"
	MetaFrom      = "mail_from"
	MetaFilename  = "filename"
	// MetaTooLarge marks an item that exceeded a size limit: it is taken in
	// (the original is kept) and then quarantined with a reason.
	MetaTooLarge = "mail_too_large"
	MetaLimit    = "mail_size_limit"
)

// Expander unpacks stored mails (message/rfc822 batches) into attachment
// parts. It also quarantines items the mailbox marked as too large.
type Expander struct {
	// Mode is "separate" (attachments become documents of their own) or
	// "together" (the mail stays one document; attachments live in the .eml).
	Mode string
	// MaxAttachment: larger attachments are taken in and quarantined (0 = no limit).
	MaxAttachment int64
	Verifier      *signature.Verifier
	// TempDir holds part files until intake copied them ("" = os.TempDir()).
	TempDir string
	Log     *slog.Logger
	// Limits bound what one received mail may cause (zero = defaults).
	Limits Limits

	mu    sync.Mutex
	temps map[string]time.Time
}

var _ mailroom.Expander = (*Expander)(nil)

// MaxMailRead bounds the bytes of one mail read for unpacking.
const MaxMailRead = 1 << 30

// Expand implements mailroom.Expander.
func (x *Expander) Expand(ctx context.Context, in mailroom.ExpandInput) (mailroom.Expansion, bool, error) {
	b := in.Batch
	if v := b.Metadata[MetaTooLarge]; v != "" {
		limit := b.Metadata[MetaLimit]
		return mailroom.Expansion{}, false, mailroom.BadInput(
			fmt.Sprintf("Anhang oder Nachricht ist zu groß (%s Bytes, erlaubt %s); das Original ist gespeichert", v, limit),
			fmt.Sprintf("attachment or mail too large (%s bytes, limit %s); the original is kept", v, limit), nil)
	}
	if b.MediaType != mailroom.MediaEML {
		return mailroom.Expansion{}, false, nil
	}
	raw, err := readAll(in.Original, MaxMailRead)
	if err != nil {
		return mailroom.Expansion{}, false, err
	}
	lim := x.Limits.withDefaults()
	m := lim.parseLean(raw, x.Verifier)
	if m.Rejected != nil {
		return mailroom.Expansion{}, false, m.Rejected
	}
	if m.Encrypted {
		return mailroom.Expansion{}, false, mailroom.BadInput(
			"Verschlüsselte Nachricht (S/MIME) kann nicht entschlüsselt werden; die Nachricht ist unverändert gespeichert",
			"encrypted mail (S/MIME) cannot be decrypted; the message is kept unchanged", nil)
	}
	meta := copyMetadata(m, b.Metadata)
	exp := mailroom.Expansion{Metadata: meta}
	if x.Mode == "together" {
		meta["mail_mode"] = "together"
		exp.Flags = unreadableFlags(m, meta)
		return exp, true, nil
	}
	u, err := x.unpacker(b, lim, len(raw))
	if err != nil {
		return mailroom.Expansion{}, false, err
	}
	if depth := mailDepth(b.Metadata); depth == 0 {
		err = u.received(ctx, m, meta)
	} else {
		err = u.copyOf(ctx, m, meta, b.Metadata[MetaPartsAllowed], depth)
	}
	if err != nil {
		return mailroom.Expansion{}, false, err
	}
	exp.Parts = u.parts
	exp.Flags = unreadableFlags(m, meta)
	return exp, true, nil
}

// unpacker collects the parts of one expansion.
type unpacker struct {
	x      *Expander
	lim    Limits
	dir    string // temp directory of the part files
	source string // the parts' source: the mail's source and hash
	name   string // the mail's file name
	budget int    // parts still allowed for the received mail
	exact  int64  // bytes of nested mails that may be stored twice
	parts  []mailroom.Item
}

func (x *Expander) unpacker(b *mailroom.Batch, lim Limits, size int) (*unpacker, error) {
	x.cleanOld()
	dir, err := os.MkdirTemp(x.TempDir, "poststelle-parts-")
	if err != nil {
		return nil, err
	}
	x.mu.Lock()
	if x.temps == nil {
		x.temps = map[string]time.Time{}
	}
	x.temps[dir] = time.Now()
	x.mu.Unlock()
	// The part's source names its mail: the same attachment in two
	// different mails becomes two documents, while unpacking the same mail
	// again (after a crash) is recognised as a duplicate.
	return &unpacker{x: x, lim: lim, dir: dir, source: b.Source + "#" + short(b.SHA256), name: b.Filename,
		budget: lim.Attachments, exact: int64(size)}, nil
}

// received unpacks a mail as received: its attachments and, in one walk,
// every nested mail below it (see nested.go).
func (u *unpacker) received(ctx context.Context, m *Message, meta map[string]string) error {
	pl := u.planMail(m, 0)
	for _, i := range pl.leaves {
		if err := u.leaf(ctx, m.Attachments[i], meta, 1); err != nil {
			return err
		}
	}
	if err := u.nested(ctx, pl.children, 1, u.name); err != nil {
		return err
	}
	addNote(meta, pl.notes(u.lim.Attachments))
	return nil
}

// copyOf unpacks the stored copy of a nested mail: its attachments up to
// the allowance the walk left it, never its nested mails (the walk took
// them in already, or noted why not).
func (u *unpacker) copyOf(ctx context.Context, m *Message, meta map[string]string, allowed string, depth int) error {
	if v, err := strconv.Atoi(allowed); err == nil && v >= 0 && v < u.budget {
		u.budget = v
	}
	omitted := 0
	for _, a := range m.Attachments {
		switch {
		case a.Nested:
		case u.budget > 0:
			u.budget--
			if err := u.leaf(ctx, a, meta, depth+1); err != nil {
				return err
			}
		default:
			omitted++
		}
	}
	addNote(meta, plan{omitted: omitted}.notes(u.lim.Attachments))
	return nil
}

// nested writes the copies of nested mails at depth and walks into them.
func (u *unpacker) nested(ctx context.Context, mails []Attachment, depth int, container string) error {
	for _, a := range mails {
		if err := ctx.Err(); err != nil {
			return err
		}
		nm := u.lim.parseLean(a.Data, u.x.Verifier)
		meta := MailMetadata(nm)
		var pl plan
		if nm.Rejected == nil && !nm.Encrypted {
			// (Otherwise its own unpacking gives the reason; nothing below
			// is walked.)
			pl = u.planMail(nm, depth)
		}
		cp := shorten(a.Data, pl.stubs)
		meta[MetaMailDepth] = strconv.Itoa(depth)
		meta[MetaPartsAllowed] = strconv.Itoa(len(pl.leaves))
		meta[MetaContainer] = container
		if len(pl.stubs) > 0 {
			meta[MetaShortened] = "true"
		}
		addNote(meta, pl.notes(u.lim.Attachments))
		a.Data = cp
		if err := u.write(a, meta); err != nil {
			return err
		}
		if err := u.nested(ctx, pl.children, depth+1, a.Filename); err != nil {
			return err
		}
	}
	return nil
}

// leaf writes one attachment (not a mail) of a mail whose metadata is meta.
func (u *unpacker) leaf(ctx context.Context, a Attachment, meta map[string]string, depth int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	pm := map[string]string{MetaMailDepth: strconv.Itoa(depth)}
	for _, k := range []string{MetaMessageID, MetaSubject, MetaFrom, "mail_date"} {
		if meta[k] != "" {
			pm[k] = meta[k]
		}
	}
	for k, v := range meta {
		if strings.HasPrefix(k, "de_mail_") || isSignatureKey(k) {
			pm[k] = v
		}
	}
	return u.write(a, pm)
}

// write stores a part file (decoding it on the way) and adds it to the
// parts with metadata pm.
func (u *unpacker) write(a Attachment, pm map[string]string) error {
	n := len(u.parts) + 1
	path := filepath.Join(u.dir, fmt.Sprintf("%03d-%s", n, a.Filename))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	// A damaged encoding ends the content where decode would end it.
	size, _ := io.Copy(f, a.reader())
	if err := f.Close(); err != nil {
		return err
	}
	pm[MetaFilename] = a.Filename
	if a.RawName != "" && a.RawName != a.Filename {
		pm["filename_original"] = a.RawName
	}
	pm["mail_part"] = strconv.Itoa(n)
	pm["mail_part_type"] = a.MediaType
	if a.Inline {
		pm["mail_inline"] = "true"
	}
	if u.x.MaxAttachment > 0 && size > u.x.MaxAttachment {
		pm[MetaTooLarge] = strconv.FormatInt(size, 10)
		pm[MetaLimit] = strconv.FormatInt(u.x.MaxAttachment, 10)
	}
	u.parts = append(u.parts, mailroom.Item{Source: u.source, Path: path, Name: a.Filename, Metadata: pm})
	return nil
}

// cleanOld removes part directories older than ten minutes: intake copies
// parts before the split step returns, so they are long done with.
func (x *Expander) cleanOld() {
	x.mu.Lock()
	defer x.mu.Unlock()
	for d, t := range x.temps {
		if time.Since(t) > 10*time.Minute {
			os.RemoveAll(d)
			delete(x.temps, d)
		}
	}
}

// Close removes all part directories.
func (x *Expander) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	for d := range x.temps {
		os.RemoveAll(d)
	}
	x.temps = nil
	return nil
}

// readAll reads a whole file of at most max bytes in one allocation.
func readAll(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	n := min(st.Size(), max)
	buf := make([]byte, n)
	k, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	return buf[:k], nil
}

// mailDepth is a batch's nesting depth (0: a mail as received).
func mailDepth(meta map[string]string) int {
	d, err := strconv.Atoi(meta[MetaMailDepth])
	if err != nil || d < 0 {
		return 0
	}
	return d
}

func isSignatureKey(k string) bool {
	return strings.HasPrefix(k, "mail_signature") || strings.HasPrefix(k, "mail_signer") || k == "mail_signing_time"
}

// copyMetadata is MailMetadata of a batch's mail; for a shortened copy the
// signature keys are left out (they were set from the complete mail by the
// walk, and checking the copy would fail).
func copyMetadata(m *Message, batch map[string]string) map[string]string {
	meta := MailMetadata(m)
	if batch[MetaShortened] == "true" {
		for k := range meta {
			if isSignatureKey(k) {
				delete(meta, k)
			}
		}
		for k, v := range batch {
			if isSignatureKey(k) {
				meta[k] = v
			}
		}
	}
	if v := batch[MetaNotTakenIn]; v != "" {
		meta[MetaNotTakenIn] = v
	}
	return meta
}

// addNote appends a MetaNotTakenIn text.
func addNote(meta map[string]string, note string) {
	if note == "" {
		return
	}
	if old := meta[MetaNotTakenIn]; old != "" && !strings.Contains(old, note) {
		note = old + "; " + note
	}
	meta[MetaNotTakenIn] = note
}

// unreadableFlags is FlagAttachmentsUnreadable when m's structure could
// not be read completely or attachments were not taken in.
func unreadableFlags(m *Message, meta map[string]string) []string {
	if m.Unreadable || meta[MetaNotTakenIn] != "" {
		return []string{FlagAttachmentsUnreadable}
	}
	return nil
}

// MailMetadata is the metadata of a mail's own document.
func MailMetadata(m *Message) map[string]string {
	meta := map[string]string{}
	set := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			meta[k] = v
		}
	}
	set(MetaMessageID, m.MessageID)
	set(MetaSubject, m.Subject)
	set(MetaFrom, m.From)
	set("mail_to", m.To)
	set("mail_cc", m.Cc)
	set("mail_date", m.Date)
	var names []string
	for _, a := range m.Attachments {
		names = append(names, a.Filename)
	}
	set("mail_attachments", strings.Join(names, "; "))
	meta["mail_attachment_count"] = strconv.Itoa(len(m.Attachments))
	if len(m.Warnings) > 0 {
		set("mail_warnings", strings.Join(m.Warnings, "; "))
	}
	for k, v := range m.DeMail {
		set(k, v)
	}
	if len(m.Signatures) > 0 {
		for k, v := range m.Signatures[0].Metadata("mail_") {
			set(k, v)
		}
	}
	return meta
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}
