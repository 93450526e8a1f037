package inbox_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"poststelle/mailroom"
	"poststelle/mailroom/inbox"
)

// folderFlags returns the flags of every mail in folder by subject.
func (d *dovecot) folderFlags(t *testing.T, folder string) map[string][]imap.Flag {
	t.Helper()
	c := d.Client(t)
	defer c.Close()
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]imap.Flag{}
	if sel.NumMessages == 0 {
		return out
	}
	msgs, err := c.Fetch(imap.SeqSetNum(seqAll(sel.NumMessages)...), &imap.FetchOptions{Flags: true, Envelope: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		out[m.Envelope.Subject] = m.Flags
	}
	return out
}

func seqAll(n uint32) []uint32 {
	s := make([]uint32, n)
	for i := range s {
		s[i] = uint32(i + 1)
	}
	return s
}

func hasFlag(fs []imap.Flag, f imap.Flag) bool {
	for _, x := range fs {
		if strings.EqualFold(string(x), string(f)) {
			return true
		}
	}
	return false
}

// TestIMAPWithoutUIDPlusKeepsOthersDeleted: on a server without MOVE and
// UIDPLUS, acknowledging stored mails must not EXPUNGE (a plain EXPUNGE
// would also remove the mail another client marked \Deleted), and the
// mails copied to move_to must not be copied again on the next pass.
func TestIMAPWithoutUIDPlusKeepsOthersDeleted(t *testing.T) {
	d := startDovecotWith(t, "protocol imap {\n  imap_capability = IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE\n}\n")
	d.Append(t, "INBOX", buildMail("<theirs@example.org>", "Entwurf eines Kollegen", nil))
	// Another client marks its mail \Deleted without expunging it.
	c := d.Client(t)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	caps, _ := c.Capability().Wait()
	c.Close()
	if caps.Has(imap.CapMove) || caps.Has(imap.CapUIDPlus) {
		t.Fatalf("test server still offers MOVE or UIDPLUS: %v", caps)
	}
	d.Append(t, "INBOX", buildMail("<ours1@example.org>", "Antrag 1", nil))

	e, st := newEngine(t, "separate")
	var logs strings.Builder
	src := &inbox.IMAPSource{Account: account(d, d.imapsPort, "implicit"), Password: d.Pass, State: st, TempDir: t.TempDir(), Log: testLogger(&logs)}
	stop := runSource(t, src, e.Accept)
	waitFor(t, "first mail copied", 15*time.Second, func() bool { n, _ := d.Count(t, "Archiv", ""); return n == 1 })
	// A new mail wakes the source (IDLE): a second pass over the folder.
	d.Append(t, "INBOX", buildMail("<ours2@example.org>", "Antrag 2", nil))
	waitFor(t, "second mail copied", 15*time.Second, func() bool { n, _ := d.Count(t, "Archiv", ""); return n == 2 })
	time.Sleep(500 * time.Millisecond)
	stop()

	inboxFlags := d.folderFlags(t, "INBOX")
	if fs, ok := inboxFlags["Entwurf eines Kollegen"]; !ok || !hasFlag(fs, imap.FlagDeleted) {
		t.Errorf("the other client's \\Deleted mail was expunged or changed: %v", inboxFlags)
	}
	for _, subj := range []string{"Antrag 1", "Antrag 2"} {
		fs, ok := inboxFlags[subj]
		if !ok || !hasFlag(fs, imap.FlagDeleted) || !hasFlag(fs, inbox.StoredKeyword) {
			t.Errorf("%s in INBOX: present %v flags %v, want \\Deleted and %s", subj, ok, fs, inbox.StoredKeyword)
		}
	}
	archived := d.folderFlags(t, "Archiv")
	if n, _ := d.Count(t, "Archiv", ""); n != 2 || archived["Antrag 1"] == nil || archived["Antrag 2"] == nil {
		t.Errorf("Archiv holds %d mails %v, want Antrag 1 and 2 once each", n, archived)
	}
	if got := len(mailBatches(t, st)); got != 2 {
		t.Errorf("%d mails taken in, want 2 (the other client's deleted mail is not ours)", got)
	}
}

// TestIMAPPlaintextLoopbackWarns: tls = "none" to a server on this machine
// logs in, with a warning in the log and in the doctor's check.
func TestIMAPPlaintextLoopbackWarns(t *testing.T) {
	d := startDovecot(t)
	d.Append(t, "INBOX", buildMail("<plain@example.org>", "Klartext", nil))
	e, st := newEngine(t, "separate")
	var logs strings.Builder
	acc := account(d, d.imapPort, "none")
	src := &inbox.IMAPSource{Account: acc, Password: d.Pass, State: st, TempDir: t.TempDir(), Log: testLogger(&logs)}
	res, err := src.Check(context.Background())
	if err != nil {
		t.Fatalf("check over loopback without TLS: %v", err)
	}
	if !strings.Contains(res, "WARNUNG") || !strings.Contains(res, "plaintext") {
		t.Errorf("doctor check does not warn about plaintext: %q", res)
	}
	stop := runSource(t, src, e.Accept)
	waitFor(t, "mail over plaintext loopback", 15*time.Second, func() bool { return len(mailBatches(t, st)) == 1 })
	stop()
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "plaintext") {
		t.Errorf("no plaintext warning logged:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), d.Pass) {
		t.Error("password appears in the log")
	}
}

// TestIMAPPlaintextRefusedOffLoopback: tls = "none" to an address that is
// not loopback is refused before anything is sent.
func TestIMAPPlaintextRefusedOffLoopback(t *testing.T) {
	if err := inbox.PlaintextAllowed(&net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 143}); err == nil {
		t.Error("plaintext allowed to 192.0.2.7")
	}
	for _, ip := range []string{"127.0.0.1", "127.3.4.5", "::1"} {
		if err := inbox.PlaintextAllowed(&net.TCPAddr{IP: net.ParseIP(ip), Port: 143}); err != nil {
			t.Errorf("plaintext refused to loopback %s: %v", ip, err)
		}
	}
	ip := nonLoopbackIP(t)
	if ip == nil {
		t.Skip("no non-loopback IPv4 address on this machine to listen on (the address check above ran)")
	}
	l, err := net.Listen("tcp", net.JoinHostPort(ip.String(), "0"))
	if err != nil {
		t.Skipf("cannot listen on %s: %v", ip, err)
	}
	defer l.Close()
	var received atomic.Int64
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				fmt.Fprint(c, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake server\r\n")
				buf := make([]byte, 4096)
				c.SetReadDeadline(time.Now().Add(2 * time.Second))
				n, _ := c.Read(buf)
				received.Add(int64(n))
			}()
		}
	}()
	acc := mailroom.MailAccount{Profile: mailroom.Profile{Name: "test"}, Host: ip.String(), Port: l.Addr().(*net.TCPAddr).Port, TLS: "none",
		User: "poststelle", Folders: []string{"INBOX"}, MoveTo: "Archiv"}
	src := &inbox.IMAPSource{Account: acc, Password: "geheim", TempDir: t.TempDir()}
	_, err = src.Check(context.Background())
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("plaintext login to %s not refused: %v", ip, err)
	}
	time.Sleep(300 * time.Millisecond)
	if n := received.Load(); n != 0 {
		t.Errorf("%d bytes sent to the server before refusing", n)
	}
}

func nonLoopbackIP(t *testing.T) net.IP {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP
		}
	}
	return nil
}
