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
	m := Parse(raw, x.Verifier)
	if m.Encrypted {
		return mailroom.Expansion{}, false, mailroom.BadInput(
			"Verschlüsselte Nachricht (S/MIME) kann nicht entschlüsselt werden; die Nachricht ist unverändert gespeichert",
			"encrypted mail (S/MIME) cannot be decrypted; the message is kept unchanged", nil)
	}
	meta := MailMetadata(m)
	exp := mailroom.Expansion{Metadata: meta}
	if x.Mode == "together" {
		meta["mail_mode"] = "together"
		return exp, true, nil
	}
	x.cleanOld()
	dir, err := os.MkdirTemp(x.TempDir, "poststelle-parts-")
	if err != nil {
		return mailroom.Expansion{}, false, err
	}
	x.mu.Lock()
	if x.temps == nil {
		x.temps = map[string]time.Time{}
	}
	x.temps[dir] = time.Now()
	x.mu.Unlock()
	for i, a := range m.Attachments {
		if err := ctx.Err(); err != nil {
			return mailroom.Expansion{}, false, err
		}
		path := filepath.Join(dir, fmt.Sprintf("%03d-%s", i+1, a.Filename))
		if err := os.WriteFile(path, a.Data, 0o600); err != nil {
			return mailroom.Expansion{}, false, err
		}
		pm := map[string]string{}
		for _, k := range []string{MetaMessageID, MetaSubject, MetaFrom, "mail_date"} {
			if meta[k] != "" {
				pm[k] = meta[k]
			}
		}
		for k, v := range meta {
			if strings.HasPrefix(k, "de_mail_") || strings.HasPrefix(k, "mail_signature") || k == "mail_signer" || k == "mail_signer_trusted" {
				pm[k] = v
			}
		}
		pm[MetaFilename] = a.Filename
		if a.RawName != "" && a.RawName != a.Filename {
			pm["filename_original"] = a.RawName
		}
		pm["mail_part"] = strconv.Itoa(i + 1)
		pm["mail_part_type"] = a.MediaType
		if a.Inline {
			pm["mail_inline"] = "true"
		}
		if x.MaxAttachment > 0 && int64(len(a.Data)) > x.MaxAttachment {
			pm[MetaTooLarge] = strconv.Itoa(len(a.Data))
			pm[MetaLimit] = strconv.FormatInt(x.MaxAttachment, 10)
		}
		// The part's source names its mail: the same attachment in two
		// different mails becomes two documents, while unpacking the same
		// mail again (after a crash) is recognised as a duplicate.
		exp.Parts = append(exp.Parts, mailroom.Item{Source: b.Source + "#" + short(b.SHA256), Path: path, Name: a.Filename, Metadata: pm})
	}
	return exp, true, nil
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

func readAll(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, max))
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
