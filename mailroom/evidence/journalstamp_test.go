package evidence_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"strconv"
	"strings"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/evidence/evidencetest"
	"poststelle/mailroom/store"
)

func check(rep *evidence.Report, name string) *evidence.Check {
	for i := range rep.Checks {
		if rep.Checks[i].Name == name {
			return &rep.Checks[i]
		}
	}
	return nil
}

// TestJournalStampsVerified stamps the journal head twice with the local
// openssl TSA, verifies, then breaks one stamp at a time (a token byte in
// the signed imprint, the stored hash, a journal rewritten with a fresh
// chain, an untrusted TSA) and expects exactly that stamp to be named.
func TestJournalStampsVerified(t *testing.T) {
	ctx := context.Background()
	pki := evidencetest.NewPKI(t)
	url, _ := evidencetest.StartTSA(t, pki)
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tsa := &evidence.TSAClient{URL: url}
	stamp := func() evidence.JournalStamp {
		head, err := st.Journal(ctx, mailroom.JournalFilter{Newest: true, Limit: 1})
		if err != nil || len(head) != 1 {
			t.Fatalf("head: %v %v", head, err)
		}
		tok, err := tsa.Stamp(ctx, []byte(head[0].Hash))
		if err != nil {
			t.Fatal(err)
		}
		js := evidence.JournalStamp{Seq: head[0].Seq, Hash: head[0].Hash, Token: tok.DER, Time: tok.Time}
		if err := st.PutJournalStamp(ctx, js); err != nil {
			t.Fatal(err)
		}
		return js
	}
	for i := 0; i < 3; i++ {
		if _, err := st.Append(ctx, "test", "config", "", "", map[string]int{"n": i}); err != nil {
			t.Fatal(err)
		}
	}
	first := stamp()
	for i := 0; i < 2; i++ {
		st.Append(ctx, "test", "config", "", "", map[string]int{"m": i})
	}
	second := stamp()
	st.Append(ctx, "test", "config", "", "", "after the last stamp")

	trust := x509.NewCertPool()
	trust.AddCert(pki.CA)
	journal := func(ctx context.Context) ([]mailroom.JournalEntry, error) {
		return st.Journal(ctx, mailroom.JournalFilter{})
	}
	opts := evidence.VerifyOptions{Trust: trust, Records: st, Journal: journal, ChainCheck: store.VerifyEntries}
	verify := func(o evidence.VerifyOptions) *evidence.Report {
		t.Helper()
		rep, err := evidence.VerifyJournal(ctx, "journal", o)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	rep := verify(opts)
	if !rep.OK() {
		t.Fatalf("untouched stamps: %+v", rep.Checks)
	}
	c := check(rep, "journal-stamps")
	if c == nil || c.Status != evidence.OK || !strings.Contains(c.EN, "2 timestamps") || !strings.Contains(c.EN, "TSA trusted") {
		t.Fatalf("journal-stamps: %+v", c)
	}
	// openssl agrees that the stored token covers the recorded hash.
	if out, err := evidencetest.OpenSSLVerifyToken(t, pki, second.Token, []byte(second.Hash)); err != nil {
		t.Fatalf("openssl ts -verify: %v\n%s", err, out)
	}

	wantBroken := func(rep *evidence.Report, seq int64, why string) {
		t.Helper()
		name := "journal-stamp-" + itoa(seq)
		if rep.OK() {
			t.Fatalf("%s: verify passed: %+v", why, rep.Checks)
		}
		if f := rep.Failed(); len(f) != 1 || f[0] != name {
			t.Fatalf("%s: failed checks %v, want [%s]: %+v", why, f, name, rep.Checks)
		}
	}

	// 1. One byte of the token's imprint (inside the signed TSTInfo).
	imprint := sha256.Sum256([]byte(first.Hash))
	at := bytes.Index(first.Token, imprint[:])
	if at < 0 {
		t.Fatal("imprint not found in the token")
	}
	bad := append([]byte{}, first.Token...)
	bad[at+5] ^= 1
	if err := st.PutJournalStamp(ctx, evidence.JournalStamp{Seq: first.Seq, Hash: first.Hash, Token: bad, Time: first.Time}); err != nil {
		t.Fatal(err)
	}
	wantBroken(verify(opts), first.Seq, "token byte")
	st.PutJournalStamp(ctx, first)
	if rep := verify(opts); !rep.OK() {
		t.Fatalf("restored: %+v", rep.Checks)
	}

	// 2. The stored hash (the token is then over another text).
	if _, err := st.DB().Exec(`UPDATE journal_stamps SET hash = ? WHERE seq = ?`, strings.Repeat("ab", 32), second.Seq); err != nil {
		t.Fatal(err)
	}
	rep = verify(opts)
	wantBroken(rep, second.Seq, "stored hash")
	if c := check(rep, "journal-stamp-"+itoa(second.Seq)); !strings.Contains(c.EN, "stored hash abababab") {
		t.Errorf("reason: %s", c.EN)
	}
	// 2b. Stored hash and token replaced consistently, but the hash is not
	// the entry's: the token is valid, the binding to the journal is not.
	tok, err := tsa.Stamp(ctx, []byte(strings.Repeat("ab", 32)))
	if err != nil {
		t.Fatal(err)
	}
	st.PutJournalStamp(ctx, evidence.JournalStamp{Seq: second.Seq, Hash: strings.Repeat("ab", 32), Token: tok.DER, Time: tok.Time})
	wantBroken(verify(opts), second.Seq, "consistent foreign stamp")
	st.PutJournalStamp(ctx, second)

	// 3. A journal rewritten before the first stamp with a recomputed chain:
	// the chain check passes, the stamps do not.
	entries, _ := journal(ctx)
	entries[1].Detail = `{"n":42}`
	prev := mailroom.GenesisHash
	for i := range entries {
		entries[i].PrevHash = prev
		entries[i].Hash = entries[i].ComputeHash()
		prev = entries[i].Hash
	}
	o := opts
	o.Journal = func(context.Context) ([]mailroom.JournalEntry, error) { return entries, nil }
	rep = verify(o)
	if c := check(rep, "journal"); c == nil || c.Status != evidence.OK {
		t.Fatalf("rewritten chain should be self-consistent: %+v", c)
	}
	if f := rep.Failed(); len(f) != 2 || f[0] != "journal-stamp-"+itoa(first.Seq) || f[1] != "journal-stamp-"+itoa(second.Seq) {
		t.Fatalf("rewritten journal: failed %v", f)
	}

	// 4. A TSA the verifier does not trust.
	other := evidencetest.NewPKI(t)
	o = opts
	o.Trust = x509.NewCertPool()
	o.Trust.AddCert(other.CA)
	rep = verify(o)
	if f := rep.Failed(); len(f) != 2 || !strings.Contains(check(rep, f[0]).EN, "not trusted") {
		t.Fatalf("untrusted TSA: failed %v %+v", f, rep.Checks)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
