package inbox_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/inbox"
	"poststelle/mailroom/sourcetest"
	"poststelle/mailroom/store"
)

// TestSourceSuite runs the shared source suite against the IMAP source and a
// real Dovecot: items are mails APPENDed to INBOX; acknowledged means moved
// out of INBOX (to Archiv).
func TestSourceSuite(t *testing.T) {
	sourcetest.Run(t, func(t *testing.T) sourcetest.Harness {
		d := startDovecot(t)
		st, err := store.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		acc := account(d, d.imapsPort, "implicit")
		acc.Poll = mailroom.Duration{Duration: time.Second}
		mail := func(data []byte) []byte {
			sum := sha256.Sum256(data)
			return buildMail("<"+hex.EncodeToString(sum[:8])+"@suite.example>", string(data[:min(len(data), 20)]),
				[][2]string{{"item.txt", string(data)}})
		}
		return sourcetest.Harness{
			New: func() mailroom.Source {
				return &inbox.IMAPSource{Account: acc, Password: d.Pass, State: st, TempDir: t.TempDir()}
			},
			Put:     func(name string, data []byte) { d.Append(t, "INBOX", mail(data)) },
			Pending: func() int { n, _ := d.Count(t, "INBOX", ""); return n },
			Content: func(data []byte) []byte { return []byte(crlf(mail(data))) },
		}
	})
}
