package inbox_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"poststelle/mailroom/inbox"
)

// TestIMAPIngestRate1000 puts 1,000 messages (each with a small attachment)
// into one folder and measures the intake rate of the IMAP source into the
// real store (fsync'ed originals, SQLite WAL): fetch, hash, store, record,
// MOVE. Unpacking and rendering are not part of intake.
func TestIMAPIngestRate1000(t *testing.T) {
	const n = 1000
	d := startDovecot(t)
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = buildMail(fmt.Sprintf("<rate%d@example.org>", i), fmt.Sprintf("Nachricht %d", i),
			[][2]string{{fmt.Sprintf("anlage-%d.txt", i), fmt.Sprintf("Anlage %d\n", i)}})
	}
	appendStart := time.Now()
	d.Append(t, "INBOX", msgs...)
	t.Logf("APPEND of %d messages: %v", n, time.Since(appendStart))
	e, st := newEngine(t, "separate")
	src := &inbox.IMAPSource{Account: account(d, d.imapsPort, "implicit"), Password: d.Pass, State: st, TempDir: t.TempDir()}
	start := time.Now()
	stop := runSource(t, src, e.Accept)
	waitFor(t, "1000 mails", 150*time.Second, func() bool {
		c, _ := st.MailCount(context.Background())
		return c == n
	})
	el := time.Since(start)
	waitFor(t, "INBOX empty", 30*time.Second, func() bool { k, _ := d.Count(t, "INBOX", ""); return k == 0 })
	stop()
	if got := len(mailBatches(t, st)); got != n {
		t.Fatalf("%d batches, want %d", got, n)
	}
	t.Logf("ingest rate: %d messages in %v = %.1f messages/s", n, el.Round(time.Millisecond), float64(n)/el.Seconds())
}
