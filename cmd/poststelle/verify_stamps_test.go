package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/evidence/evidencetest"
	"poststelle/mailroom/store"
)

// TestVerifyJournalStampsCommand: `poststelle verify --data-dir D` checks the
// stored journal-head timestamps (local openssl TSA): OK when untouched,
// exit 1 naming the stamp when a token byte or the stored hash is changed.
func TestVerifyJournalStampsCommand(t *testing.T) {
	ctx := context.Background()
	bin := binary(t)
	pki := evidencetest.NewPKI(t)
	url, _ := evidencetest.StartTSA(t, pki)
	data := t.TempDir()
	st, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	tsa := &evidence.TSAClient{URL: url}
	var stamps []evidence.JournalStamp
	for round := 0; round < 2; round++ {
		for i := 0; i < 3; i++ {
			if _, err := st.Append(ctx, "test", "config", "", "", map[string]int{"round": round, "i": i}); err != nil {
				t.Fatal(err)
			}
		}
		head, err := st.Journal(ctx, mailroom.JournalFilter{Newest: true, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := tsa.Stamp(ctx, []byte(head[0].Hash))
		if err != nil {
			t.Fatal(err)
		}
		js := evidence.JournalStamp{Seq: head[0].Seq, Hash: head[0].Hash, Token: tok.DER, Time: tok.Time}
		if err := st.PutJournalStamp(ctx, js); err != nil {
			t.Fatal(err)
		}
		stamps = append(stamps, js)
	}
	st.Close()

	failed := func(out string) []string {
		t.Helper()
		var reps []evidence.Report
		if err := json.Unmarshal([]byte(out), &reps); err != nil || len(reps) != 1 {
			t.Fatalf("verify --json output: %v\n%s", err, out)
		}
		return reps[0].Failed()
	}
	out, stderr, code := run(t, bin, "verify", "--json", "--trust", pki.CAFile, "--data-dir", data)
	if code != 0 || !strings.Contains(out, `"journal-stamps"`) || !strings.Contains(out, "2 timestamps over the journal head valid") {
		t.Fatalf("untouched: exit %d\n%s\n%s", code, out, stderr)
	}

	// A flipped byte in the first token's imprint.
	st, err = store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	imprint := sha256.Sum256([]byte(stamps[0].Hash))
	at := bytes.Index(stamps[0].Token, imprint[:])
	if at < 0 {
		t.Fatal("imprint not in token")
	}
	bad := append([]byte{}, stamps[0].Token...)
	bad[at] ^= 0x80
	if _, err := st.DB().Exec(`UPDATE journal_stamps SET token = ? WHERE seq = ?`, bad, stamps[0].Seq); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, _, code = run(t, bin, "verify", "--json", "--data-dir", data)
	want := fmt.Sprintf("journal-stamp-%d", stamps[0].Seq)
	if f := failed(out); code != 1 || len(f) != 1 || f[0] != want {
		t.Fatalf("token tampered: exit %d, failed %v, want [%s]\n%s", code, f, want, out)
	}
	// Plain-text report names it too.
	txt, _, code := run(t, bin, "verify", "--data-dir", data)
	if code != 1 || !strings.Contains(txt, "FEHLER  "+want) || !strings.Contains(txt, fmt.Sprintf("journal entry %d", stamps[0].Seq)) {
		t.Fatalf("text report (exit %d):\n%s", code, txt)
	}

	// Token restored, the second stamp's stored hash changed.
	st, _ = store.Open(data)
	st.DB().Exec(`UPDATE journal_stamps SET token = ? WHERE seq = ?`, stamps[0].Token, stamps[0].Seq)
	if _, err := st.DB().Exec(`UPDATE journal_stamps SET hash = ? WHERE seq = ?`, strings.Repeat("0", 64), stamps[1].Seq); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, _, code = run(t, bin, "verify", "--json", "--data-dir", data)
	want = fmt.Sprintf("journal-stamp-%d", stamps[1].Seq)
	if f := failed(out); code != 1 || len(f) != 1 || f[0] != want {
		t.Fatalf("hash tampered: exit %d, failed %v, want [%s]\n%s", code, f, want, out)
	}
}
