package inbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/textproto"

	"poststelle/mailroom"
)

// State is what the mailbox source remembers between runs (mailroom/store).
type State interface {
	MailFolderState(ctx context.Context, account, folder string) (uidValidity, lastUID uint32, err error)
	SetMailFolderState(ctx context.Context, account, folder string, uidValidity, lastUID uint32) error
	MailKnown(ctx context.Context, messageID, sha256 string) (bool, error)
	MailRecordedAt(ctx context.Context, account, folder string, uidValidity, uid uint32) (bool, error)
	RecordMail(ctx context.Context, account, folder string, uidValidity, uid uint32, messageID, sha256 string) error
}

// IMAPSource takes mails in from one IMAP account (a mailbox or a De-Mail
// gateway). Each mail is handed to accept as its raw bytes; only after accept
// returned nil and the mail was recorded is it moved (MOVE; see ack for
// servers without it) or flagged with the keyword. Connection drops are
// retried with backoff inside Run. With tls = "none" it logs in only to a
// loopback address, with a warning (PlaintextAllowed).
type IMAPSource struct {
	Account  mailroom.MailAccount
	Password string // never logged
	State    State
	// MaxMessage: larger mails are taken in and quarantined (0 = no limit).
	MaxMessage int64
	// Reconnect is the longest wait between connection attempts (default 10 s).
	Reconnect time.Duration
	// TLS overrides the TLS configuration (tests); nil builds it from the
	// account (system roots + ca_file, verification on unless insecure_skip_verify).
	TLS     *tls.Config
	TempDir string
	Log     *slog.Logger
	// Chunk is how many mails are fetched per FETCH (default 50).
	Chunk int

	// connected is signalled after each successful login (tests, metrics).
	OnConnect func()
}

var _ mailroom.Source = (*IMAPSource)(nil)

// Name implements mailroom.Source.
func (s *IMAPSource) Name() string { return "mail:" + s.Account.Name }

func (s *IMAPSource) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default().With("source", s.Name())
	}
	return s.Log
}

// Run implements mailroom.Source: it keeps a session open, reconnecting with
// backoff (500 ms doubling up to Reconnect) until ctx ends.
func (s *IMAPSource) Run(ctx context.Context, accept func(context.Context, mailroom.Item) error) error {
	max := s.Reconnect
	if max <= 0 {
		max = 10 * time.Second
	}
	backoff := 500 * time.Millisecond
	for {
		start := time.Now()
		err := s.session(ctx, accept)
		if ctx.Err() != nil {
			return nil
		}
		if time.Since(start) > time.Minute {
			backoff = 500 * time.Millisecond
		}
		s.log().Warn("Postfach-Verbindung unterbrochen; neuer Versuch / mailbox connection lost; reconnecting",
			"host", s.Account.Host, "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		if backoff *= 2; backoff > max {
			backoff = max
		}
	}
}

func (s *IMAPSource) session(ctx context.Context, accept func(context.Context, mailroom.Item) error) error {
	wake := make(chan struct{}, 1)
	c, err := s.dial(ctx, wake)
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := c.WaitGreeting(); err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	if err := c.Login(s.Account.User, s.Password).Wait(); err != nil {
		return fmt.Errorf("login as %s: %w", s.Account.User, err)
	}
	caps, err := c.Capability().Wait()
	if err != nil {
		return fmt.Errorf("capability: %w", err)
	}
	if s.Account.MoveTo != "" {
		if err := c.Create(s.Account.MoveTo, nil).Wait(); err != nil && !alreadyExists(err) {
			return fmt.Errorf("create %s: %w", s.Account.MoveTo, err)
		}
	}
	s.log().Info("Postfach verbunden / mailbox connected", "host", s.Account.Host, "user", s.Account.User, "tls", s.Account.TLS)
	if s.OnConnect != nil {
		s.OnConnect()
	}
	poll := s.Account.Poll.Duration
	if poll <= 0 {
		poll = time.Minute
	}
	useIdle := caps.Has(imap.CapIdle) && (s.Account.Idle == nil || *s.Account.Idle)
	for {
		for _, f := range s.Account.Folders {
			if err := s.syncFolder(ctx, c, caps, f, accept); err != nil {
				return fmt.Errorf("folder %s: %w", f, err)
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(s.Account.Folders) > 1 {
			if _, err := c.Select(s.Account.Folders[0], &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
				return err
			}
		}
		if !useIdle {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-c.Closed():
				return errors.New("connection closed")
			case <-time.After(poll):
			}
			if err := c.Noop().Wait(); err != nil {
				return err
			}
			continue
		}
		if err := s.idle(ctx, c, wake, poll); err != nil {
			return err
		}
	}
}

// idle waits in IMAP IDLE until new mail, the poll interval or the end.
func (s *IMAPSource) idle(ctx context.Context, c *imapclient.Client, wake <-chan struct{}, poll time.Duration) error {
	cmd, err := c.Idle()
	if err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	if poll > 25*time.Minute {
		poll = 25 * time.Minute // RFC 2177: re-issue IDLE at least every 29 minutes
	}
	closed := false
	select {
	case <-ctx.Done():
	case <-c.Closed():
		closed = true
	case <-wake:
	case <-time.After(poll):
	}
	if closed {
		return errors.New("connection closed during IDLE")
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("idle done: %w", err)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	return ctx.Err()
}

func alreadyExists(err error) bool {
	var ie *imap.Error
	if errors.As(err, &ie) && ie.Code == imap.ResponseCodeAlreadyExists {
		return true
	}
	return strings.Contains(strings.ToLower(err.Error()), "exists")
}

type fetched struct {
	uid       imap.UID
	path      string
	sha       string
	size      int64
	header    textproto.Header
	messageID string
}

func (s *IMAPSource) syncFolder(ctx context.Context, c *imapclient.Client, caps imap.CapSet, folder string,
	accept func(context.Context, mailroom.Item) error) error {
	sel, err := c.Select(folder, nil).Wait()
	if err != nil {
		return fmt.Errorf("select: %w", err)
	}
	acct := s.Account.Name
	uv, last, err := s.State.MailFolderState(ctx, acct, folder)
	if err != nil {
		return err
	}
	if uv != sel.UIDValidity {
		if uv != 0 {
			s.log().Warn("UIDVALIDITY geändert: Ordner wird neu gelesen, bekannte Mails per Message-ID und Prüfsumme erkannt / UIDVALIDITY changed: re-reading the folder, known mails recognised by Message-ID and hash",
				"folder", folder, "old", uv, "new", sel.UIDValidity)
		}
		uv, last = sel.UIDValidity, 0
		if err := s.State.SetMailFolderState(ctx, acct, folder, uv, 0); err != nil {
			return err
		}
	}
	if sel.NumMessages == 0 {
		return nil
	}
	res, err := c.UIDSearch(s.searchCriteria(caps), nil).Wait()
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	uids := res.AllUIDs()
	sort.Slice(uids, func(i, j int) bool { return uids[i] < uids[j] })
	var fresh []imap.UID
	var reack []imap.UID
	for _, u := range uids {
		if uint32(u) > last {
			fresh = append(fresh, u)
			continue
		}
		// Handled before but still here: stored, acknowledgement lost.
		if ok, err := s.State.MailRecordedAt(ctx, acct, folder, uv, uint32(u)); err != nil {
			return err
		} else if ok {
			reack = append(reack, u)
		}
	}
	if len(reack) > 0 {
		s.log().Info("bereits gespeicherte Mails werden quittiert / acknowledging mails stored before", "folder", folder, "count", len(reack))
		if err := s.ack(c, caps, reack); err != nil {
			return err
		}
	}
	chunk := s.Chunk
	if chunk <= 0 {
		chunk = 50
	}
	for len(fresh) > 0 {
		n := min(chunk, len(fresh))
		part := fresh[:n]
		fresh = fresh[n:]
		if err := s.handleChunk(ctx, c, caps, folder, uv, part, accept); err != nil {
			return err
		}
	}
	return nil
}

func (s *IMAPSource) handleChunk(ctx context.Context, c *imapclient.Client, caps imap.CapSet, folder string, uv uint32,
	uids []imap.UID, accept func(context.Context, mailroom.Item) error) error {
	msgs, err := s.fetch(c, uids)
	defer func() {
		for _, m := range msgs {
			os.Remove(m.path)
		}
	}()
	if err != nil {
		return err
	}
	acct := s.Account.Name
	var done []imap.UID
	var maxUID uint32
	for _, m := range msgs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !s.matches(m) {
			s.log().Debug("Mail passt nicht zu den Filtern / mail does not match the filters", "folder", folder, "uid", m.uid)
			maxUID = max(maxUID, uint32(m.uid))
			continue
		}
		known, err := s.State.MailKnown(ctx, m.messageID, m.sha)
		if err != nil {
			return err
		}
		if known {
			s.log().Info("Mail bereits gespeichert; nicht doppelt übernommen / mail already stored; not taken in twice",
				"folder", folder, "uid", m.uid, "message_id", m.messageID)
		} else {
			it := mailroom.Item{Source: s.Name(), Profile: s.Account.Profile, Path: m.path,
				Name: fmt.Sprintf("%s-%d-%d.eml", safeFolder(folder), uv, m.uid),
				Metadata: map[string]string{"mail_account": acct, "mail_folder": folder,
					"mail_uid": strconv.FormatUint(uint64(m.uid), 10), "mail_uidvalidity": strconv.FormatUint(uint64(uv), 10)}}
			if m.messageID != "" {
				it.Metadata[MetaMessageID] = m.messageID
			}
			if s.MaxMessage > 0 && m.size > s.MaxMessage {
				it.Metadata[MetaTooLarge] = strconv.FormatInt(m.size, 10)
				it.Metadata[MetaLimit] = strconv.FormatInt(s.MaxMessage, 10)
			}
			if err := accept(ctx, it); err != nil {
				return fmt.Errorf("intake of uid %d: %w", m.uid, err)
			}
		}
		if err := s.State.RecordMail(ctx, acct, folder, uv, uint32(m.uid), m.messageID, m.sha); err != nil {
			return err
		}
		done = append(done, m.uid)
		maxUID = max(maxUID, uint32(m.uid))
	}
	if len(done) > 0 {
		if err := s.ack(c, caps, done); err != nil {
			return err
		}
	}
	if maxUID > 0 {
		return s.State.SetMailFolderState(ctx, acct, folder, uv, maxUID)
	}
	return nil
}

// fetch streams the raw messages into temp files, hashing them on the way.
func (s *IMAPSource) fetch(c *imapclient.Client, uids []imap.UID) ([]fetched, error) {
	section := &imap.FetchItemBodySection{Peek: true}
	cmd := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true, BodySection: []*imap.FetchItemBodySection{section}})
	var out []fetched
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		var f fetched
		var body imap.LiteralReader
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			switch it := item.(type) {
			case imapclient.FetchItemDataUID:
				f.uid = it.UID
			case imapclient.FetchItemDataBodySection:
				body = it.Literal
				if err := s.store(&f, body); err != nil {
					cmd.Close()
					return out, err
				}
			}
		}
		if f.path != "" {
			if f.uid == 0 {
				os.Remove(f.path)
				continue
			}
			out = append(out, f)
		}
	}
	if err := cmd.Close(); err != nil {
		return out, fmt.Errorf("fetch: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].uid < out[j].uid })
	return out, nil
}

func (s *IMAPSource) store(f *fetched, r io.Reader) error {
	tmp, err := os.CreateTemp(s.TempDir, "poststelle-mail-*.eml")
	if err != nil {
		return err
	}
	f.path = tmp.Name()
	h := sha256.New()
	var head bytes.Buffer
	n, err := io.Copy(io.MultiWriter(tmp, h, &limitWriter{w: &head, n: 256 << 10}), r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	f.size = n
	f.sha = hex.EncodeToString(h.Sum(nil))
	hdr := headerOf(head.Bytes())
	f.header = hdr
	f.messageID = strings.TrimSpace(hdr.Get("Message-Id"))
	return nil
}

type limitWriter struct {
	w io.Writer
	n int64
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(int64(len(p)), l.n)
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}

// matches applies the account's filters (case-insensitive substrings).
func (s *IMAPSource) matches(m fetched) bool {
	a := s.Account
	has := func(v, sub string) bool { return strings.Contains(strings.ToLower(v), strings.ToLower(sub)) }
	if a.FromContains != "" && !has(decodeText(m.header.Get("From")), a.FromContains) {
		return false
	}
	if a.SubjectContains != "" && !has(decodeText(m.header.Get("Subject")), a.SubjectContains) {
		return false
	}
	if a.AttachmentContains != "" {
		if s.MaxMessage > 0 && m.size > s.MaxMessage {
			return true // too large to inspect: take it in (it is quarantined with a reason)
		}
		raw, err := os.ReadFile(m.path)
		if err != nil {
			return true
		}
		for _, att := range (Limits{}).parseLean(raw, nil).Attachments {
			if has(att.Filename, a.AttachmentContains) {
				return true
			}
		}
		return false
	}
	return true
}

func safeFolder(f string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == '.' || r < ' ' {
			return '_'
		}
		return r
	}, f)
}
