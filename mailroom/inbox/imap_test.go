package inbox_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/inbox"
	"poststelle/mailroom/store"
	"poststelle/mailroom/testcorpus"
)

func account(d *dovecot, port int, tlsMode string) mailroom.MailAccount {
	return mailroom.MailAccount{Profile: mailroom.Profile{Name: "test", Protection: mailroom.ProtectionNormal},
		Host: "localhost", Port: port, TLS: tlsMode, User: d.User, Folders: []string{"INBOX"}, MoveTo: "Archiv",
		CAFile: d.CAFile, Poll: mailroom.Duration{Duration: time.Minute}}
}

// runSource runs src until stop is called.
func runSource(t *testing.T, src *inbox.IMAPSource, accept func(context.Context, mailroom.Item) error) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { src.Run(ctx, accept); close(done) }()
	return func() { cancel(); <-done }
}

func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < d {
		if cond() {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timeout after %v waiting for %s", d, what)
	return 0
}

func mailBatches(t *testing.T, st *store.Store) []*mailroom.Batch {
	all, err := st.Batches(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []*mailroom.Batch
	for _, b := range all {
		if b.Source == "mail:test" {
			out = append(out, b)
		}
	}
	return out
}

// corpusAttachments is what the corpus README lists per message.
var corpusAttachments = map[string][]string{
	"attachment-only-no-disposition.eml": {"favicon.jpg"},
	"bad-final-boundary.eml":             {"foo_9E5D72.zip"},
	"malformed-base64-attach.eml":        {"some.doc"},
	"mime-bad-8bit-filename.eml":         {"管理.doc"},
	"html-mime-inline.eml":               {"favicon.png"},
	"multipart-wo-boundary.eml":          nil,
	"erroneous.eml":                      nil,
	"missing-content-type.eml":           nil,
	"ctype-bug.eml":                      nil,
	"mime-signed.eml":                    nil,
}

var corpusWarns = map[string]bool{"bad-final-boundary.eml": true, "malformed-base64-attach.eml": true,
	"multipart-wo-boundary.eml": true, "erroneous.eml": true}

func TestIMAPCorpusIngest(t *testing.T) {
	d := startDovecot(t)
	files, _ := filepath.Glob(filepath.Join(testcorpus.Path(t, "eml"), "*.eml"))
	if len(files) != len(corpusAttachments) {
		t.Fatalf("corpus has %d messages, expectations for %d", len(files), len(corpusAttachments))
	}
	sort.Strings(files)
	raws := map[string]string{}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		d.Append(t, "INBOX", b)
		raws[crlf(b)] = filepath.Base(f)
	}
	e, st := newEngine(t, "separate")
	src := &inbox.IMAPSource{Account: account(d, d.imapsPort, "implicit"), Password: d.Pass, State: st, TempDir: t.TempDir()}
	stop := runSource(t, src, e.Accept)
	waitFor(t, "all corpus mails", 30*time.Second, func() bool { return len(mailBatches(t, st)) == len(files) })
	waitFor(t, "INBOX empty", 10*time.Second, func() bool { n, _ := d.Count(t, "INBOX", ""); return n == 0 })
	stop()
	if n, _ := d.Count(t, "Archiv", ""); n != len(files) {
		t.Errorf("Archiv holds %d mails, want %d", n, len(files))
	}
	for _, b := range mailBatches(t, st) {
		raw, _ := os.ReadFile(st.OriginalPath(b.SHA256))
		name, ok := raws[crlf(raw)]
		if !ok {
			t.Errorf("batch %s: stored mail differs from every APPENDed message", b.ID)
			continue
		}
		docs := processAll(t, e, st, b.ID)
		var atts []string
		var mailDoc *mailroom.Document
		for _, doc := range docs {
			if doc.BatchID == b.ID {
				mailDoc = doc
			} else {
				atts = append(atts, doc.Metadata["filename"])
			}
		}
		if fmt.Sprint(atts) != fmt.Sprint(corpusAttachments[name]) {
			t.Errorf("%s: attachments %q, want %q", name, atts, corpusAttachments[name])
		}
		if mailDoc == nil || mailDoc.State != mailroom.StateReview || mailDoc.Output == "" {
			t.Errorf("%s: mail document %+v", name, mailDoc)
			continue
		}
		if corpusWarns[name] != (mailDoc.Metadata["mail_warnings"] != "") {
			t.Errorf("%s: warnings %q", name, mailDoc.Metadata["mail_warnings"])
		}
		t.Logf("%s: %d attachments %q, warnings %q", name, len(atts), atts, mailDoc.Metadata["mail_warnings"])
	}
}

func TestIMAPStartTLSVerification(t *testing.T) {
	d := startDovecot(t)
	d.Append(t, "INBOX", buildMail("<s1@example.org>", "STARTTLS", nil))
	_, st := newEngine(t, "separate")
	// Without the test CA the server certificate must be refused.
	acc := account(d, d.imapPort, "starttls")
	acc.CAFile = ""
	var got atomic.Int32
	accept := func(ctx context.Context, it mailroom.Item) error { got.Add(1); return nil }
	src := &inbox.IMAPSource{Account: acc, Password: d.Pass, State: st, TempDir: t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	src.Run(ctx, accept)
	cancel()
	if got.Load() != 0 {
		t.Fatal("mail taken in over an unverified TLS connection")
	}
	// With the CA trusted explicitly, STARTTLS works.
	e, st := newEngine(t, "separate")
	src = &inbox.IMAPSource{Account: account(d, d.imapPort, "starttls"), Password: d.Pass, State: st, TempDir: t.TempDir()}
	stop := runSource(t, src, e.Accept)
	waitFor(t, "mail over STARTTLS", 15*time.Second, func() bool { return len(mailBatches(t, st)) == 1 })
	stop()
}

func TestIMAPResilience(t *testing.T) {
	d := startDovecot(t)
	px := newProxy(t, fmt.Sprintf("127.0.0.1:%d", d.imapsPort))
	e, st := newEngine(t, "separate")
	acc := account(d, px.Port(), "implicit")
	acc.MoveTo, acc.Keyword = "", "$Poststelle"
	var connects atomic.Int32
	var failOnce atomic.Bool
	failOnce.Store(true)
	// The first intake "crashes" after storing, before the mail is acknowledged.
	accept := func(ctx context.Context, it mailroom.Item) error {
		if err := e.Accept(ctx, it); err != nil {
			return err
		}
		if failOnce.CompareAndSwap(true, false) {
			return fmt.Errorf("simulated crash after store")
		}
		return nil
	}
	src := &inbox.IMAPSource{Account: acc, Password: d.Pass, State: st, TempDir: t.TempDir(), Reconnect: 2 * time.Second,
		OnConnect: func() { connects.Add(1) }}
	stop := runSource(t, src, accept)
	defer stop()
	n := 0
	send := func(k int) {
		var msgs [][]byte
		for i := 0; i < k; i++ {
			n++
			msgs = append(msgs, buildMail(fmt.Sprintf("<r%d@example.org>", n), fmt.Sprintf("Nachricht %d", n), nil))
		}
		d.Append(t, "INBOX", msgs...)
	}
	settled := func(want int) func() bool {
		return func() bool {
			if len(mailBatches(t, st)) != want {
				return false
			}
			total, open := d.Count(t, "INBOX", "$Poststelle")
			return total == want && open == 0
		}
	}
	waitFor(t, "first connect", 10*time.Second, func() bool { return connects.Load() >= 1 })
	send(3)
	// Poll is one minute: only IDLE (and the crash retry) can make this quick.
	took := waitFor(t, "3 mails via IDLE", 20*time.Second, settled(3))
	t.Logf("3 mails taken in %v after APPEND (IDLE, one simulated crash)", took)

	// Connection killed during IDLE.
	time.Sleep(300 * time.Millisecond)
	before := connects.Load()
	if k := px.Kill(); k == 0 {
		t.Fatal("no connection to kill")
	}
	took = waitFor(t, "reconnect after kill", 30*time.Second, func() bool { return connects.Load() > before })
	t.Logf("reconnected %v after the connection was killed during IDLE", took)
	send(2)
	waitFor(t, "5 mails", 20*time.Second, settled(5))

	// Server restart.
	before = connects.Load()
	stopAt := time.Now()
	d.Stop(t)
	time.Sleep(time.Second)
	d.Start(t)
	up := time.Now()
	waitFor(t, "reconnect after restart", 30*time.Second, func() bool { return connects.Load() > before })
	t.Logf("server restart: source back %v after the server was up again (%v after the stop began)", time.Since(up), time.Since(stopAt))
	if time.Since(up) > 30*time.Second {
		t.Errorf("not back within 30 s")
	}
	send(2)
	waitFor(t, "7 mails", 20*time.Second, settled(7))

	// UIDVALIDITY changed and the keywords lost (a server migration): every
	// mail looks new, none may be imported again.
	c := d.Client(t)
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	newUV := sel.UIDValidity + 1000
	d.Doveadm(t, "mailbox", "update", "-u", d.User, "--uid-validity", fmt.Sprint(newUV), "INBOX")
	d.Doveadm(t, "flags", "remove", "-u", d.User, "$Poststelle", "mailbox", "INBOX")
	before = connects.Load()
	d.Stop(t)
	d.Start(t)
	waitFor(t, "reconnect after migration", 30*time.Second, func() bool { return connects.Load() > before })
	waitFor(t, "re-marked after UIDVALIDITY change", 30*time.Second, settled(7))
	if v, _, _ := st.MailFolderState(context.Background(), "test", "INBOX"); v != newUV {
		t.Errorf("UIDVALIDITY recorded %d, want %d", v, newUV)
	}
	if c, _ := st.MailCount(context.Background()); c != 7 {
		t.Errorf("%d mails recorded, want 7", c)
	}
	if got := len(mailBatches(t, st)); got != 7 {
		t.Errorf("%d mail batches, want 7 (nothing lost or duplicated)", got)
	}
	js, _ := st.Journal(context.Background(), mailroom.JournalFilter{Action: "mail-uidvalidity-changed"})
	if len(js) == 0 {
		t.Error("UIDVALIDITY change not journaled")
	}
}

func TestIMAPPasswordNotLogged(t *testing.T) {
	d := startDovecot(t)
	var logs strings.Builder
	_, st := newEngine(t, "separate")
	acc := account(d, d.imapsPort, "implicit")
	src := &inbox.IMAPSource{Account: acc, Password: "falsch-" + d.Pass, State: st, TempDir: t.TempDir(), Log: testLogger(&logs)}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	src.Run(ctx, func(context.Context, mailroom.Item) error { return nil })
	cancel()
	if !strings.Contains(logs.String(), "login") {
		t.Errorf("failed login not logged: %s", logs.String())
	}
	if strings.Contains(logs.String(), d.Pass) {
		t.Error("password appears in the log")
	}
}

// crlf normalises line ends (Dovecot stores LF and serves CRLF).
func crlf(b []byte) string {
	return strings.ReplaceAll(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n", "\r\n")
}
