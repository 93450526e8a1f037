package evidence_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/evidence/evidencetest"
	"poststelle/mailroom/store"
)

type checkpointRig struct {
	t       *testing.T
	st      *store.Store
	pki     *evidencetest.PKI
	stamper *evidence.JournalStamper
	copies  string
}

// newCheckpointRig makes a store and a stamper that timestamps (local
// openssl TSA) and seals (test PKCS#12) its checkpoints and copies them.
func newCheckpointRig(t *testing.T) *checkpointRig {
	pki := evidencetest.NewPKI(t)
	url, _ := evidencetest.StartTSA(t, pki)
	sealer, err := evidence.LoadPKCS12(pki.SealP12, evidencetest.Password)
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t)
	copies := t.TempDir()
	return &checkpointRig{t: t, st: st, pki: pki, copies: copies, stamper: &evidence.JournalStamper{Journal: st, Records: st,
		TSA: &evidence.TSAClient{URL: url}, Sealer: sealer, CheckpointDir: copies, Interval: time.Hour}}
}

func (c *checkpointRig) stamp() {
	c.t.Helper()
	if err := c.stamper.Stamp(context.Background()); err != nil {
		c.t.Fatal(err)
	}
}

func (c *checkpointRig) verify(entries []mailroom.JournalEntry) *evidence.Report {
	c.t.Helper()
	o := evidence.VerifyOptions{Seal: evidence.NewAnchors(c.pki.CA), Records: c.st, ChainCheck: store.VerifyEntries, CheckpointDir: c.copies,
		Journal: func(ctx context.Context) ([]mailroom.JournalEntry, error) {
			if entries != nil {
				return entries, nil
			}
			return c.st.Journal(ctx, mailroom.JournalFilter{})
		}}
	rep, err := evidence.VerifyJournal(context.Background(), "journal", o)
	if err != nil {
		c.t.Fatal(err)
	}
	return rep
}

// Checkpoints over the journal head are chained, timestamped, sealed and
// copied: untouched the journal is intact; a deleted checkpoint (the middle
// one, the newest one) is broken by the chain, by its journal entry and by
// its copy; a journal rewritten with a recomputed chain is broken by the
// checkpoints and their copies; entries after the newest anchor are named.
func TestJournalCheckpointsChainedSealedCopied(t *testing.T) {
	c := newCheckpointRig(t)
	ctx := context.Background()
	for round := 0; round < 3; round++ {
		for i := 0; i < 3; i++ {
			appendEntry(t, c.st, round*10+i)
		}
		c.stamp()
		c.stamp() // head unmoved (only the checkpoint's own entry): no new checkpoint
	}
	stamps, _ := c.st.JournalStamps(ctx)
	if len(stamps) != 3 || stamps[0].Prev != "-" || stamps[1].Prev != stamps[0].Digest() || stamps[2].Seal == nil || stamps[2].Token == nil {
		t.Fatalf("checkpoints: %+v", stamps)
	}
	if files, _ := filepath.Glob(filepath.Join(c.copies, "journal-*.json")); len(files) != 3 {
		t.Fatalf("copies: %v", files)
	}
	// openssl agrees that the newest token covers the checkpoint text.
	if out, err := evidencetest.OpenSSLVerifyToken(t, c.pki, stamps[2].Token, stamps[2].Data); err != nil {
		t.Fatalf("openssl ts -verify: %v\n%s", err, out)
	}
	rep := c.verify(nil)
	wantOutcome(t, "untouched", rep, evidence.Intact, "")
	if ch := check(rep, "journal-anchors"); ch == nil || ch.Status != evidence.OK {
		t.Errorf("anchors: %+v", ch)
	}
	appendEntry(t, c.st, 99)
	appendEntry(t, c.st, 100)
	rep = c.verify(nil)
	wantOutcome(t, "entries after the newest checkpoint", rep, evidence.Intact, "")
	if ch := check(rep, "journal-anchors"); ch == nil || ch.Status != evidence.Warn || !strings.Contains(ch.EN, "2 entries") {
		t.Errorf("unanchored entries not named: %+v", ch)
	}

	// The journal rewritten before the first checkpoint, chain recomputed.
	entries, _ := c.st.Journal(ctx, mailroom.JournalFilter{})
	entries[1].Detail = `{"n":4242}`
	prev := mailroom.GenesisHash
	for i := range entries {
		entries[i].PrevHash, entries[i].Hash = prev, ""
		entries[i].Hash = entries[i].ComputeHash()
		prev = entries[i].Hash
	}
	rep = c.verify(entries)
	if ch := check(rep, "journal"); ch == nil || ch.Status != evidence.OK {
		t.Fatalf("the rewritten chain is consistent in itself: %+v", ch)
	}
	wantOutcome(t, "journal rewritten", rep, evidence.Broken, "journal-stamp-"+itoa(stamps[0].Seq))
	wantOutcome(t, "journal rewritten", rep, evidence.Broken, "journal-checkpoint-file-"+evidence.CheckpointFileName(stamps[2].Seq))

	// The middle checkpoint deleted from the store.
	if _, err := c.st.DB().Exec(`DELETE FROM journal_stamps WHERE seq = ?`, stamps[1].Seq); err != nil {
		t.Fatal(err)
	}
	rep = c.verify(nil)
	wantOutcome(t, "middle checkpoint deleted", rep, evidence.Broken, "journal-stamp-"+itoa(stamps[2].Seq))
	wantOutcome(t, "middle checkpoint deleted", rep, evidence.Broken, "journal-checkpoint-"+itoa(stamps[1].Seq))
	wantOutcome(t, "middle checkpoint deleted", rep, evidence.Broken, "journal-checkpoint-file-"+evidence.CheckpointFileName(stamps[1].Seq))
	if ch := check(rep, "journal-stamp-"+itoa(stamps[2].Seq)); ch == nil || !strings.Contains(ch.EN, "chain of checkpoints broken") {
		t.Errorf("chain: %+v", ch)
	}
	c.st.PutJournalStamp(ctx, stamps[1])
	wantOutcome(t, "restored", c.verify(nil), evidence.Intact, "")

	// The newest checkpoint deleted: no successor tells, its journal entry
	// and its copy do.
	c.st.DB().Exec(`DELETE FROM journal_stamps WHERE seq = ?`, stamps[2].Seq)
	rep = c.verify(nil)
	wantOutcome(t, "newest checkpoint deleted", rep, evidence.Broken, "journal-checkpoint-"+itoa(stamps[2].Seq))
	wantOutcome(t, "newest checkpoint deleted", rep, evidence.Broken, "journal-checkpoint-file-"+evidence.CheckpointFileName(stamps[2].Seq))
	c.st.PutJournalStamp(ctx, stamps[2])

	// A copy deleted from the checkpoint directory is named.
	os.Remove(filepath.Join(c.copies, evidence.CheckpointFileName(stamps[0].Seq)))
	wantOutcome(t, "copy deleted", c.verify(nil), evidence.Broken, "journal-checkpoint-file-"+evidence.CheckpointFileName(stamps[0].Seq))
}

// Checkpoints that are only sealed (no TSA) verify against the batch
// anchors; without any anchors they are not verifiable, and a journal
// without any checkpoint or anchor is not verifiable either.
func TestJournalCheckpointsSealedOnlyAndUnanchored(t *testing.T) {
	c := newCheckpointRig(t)
	c.stamper.TSA, c.stamper.CheckpointDir, c.copies = nil, "", ""
	appendEntry(t, c.st, 1)
	o := evidence.VerifyOptions{Records: c.st, ChainCheck: store.VerifyEntries,
		Journal: func(ctx context.Context) ([]mailroom.JournalEntry, error) {
			return c.st.Journal(ctx, mailroom.JournalFilter{})
		}}
	rep, _ := evidence.VerifyJournal(context.Background(), "journal", o)
	wantOutcome(t, "no checkpoint", rep, evidence.NotVerifiable, "journal-anchors")
	c.stamp()
	stamps, _ := c.st.JournalStamps(context.Background())
	if len(stamps) != 1 || stamps[0].Token != nil || stamps[0].Seal == nil {
		t.Fatalf("sealed checkpoint: %+v", stamps)
	}
	wantOutcome(t, "sealed checkpoint", c.verify(nil), evidence.Intact, "")
	rep, _ = evidence.VerifyJournal(context.Background(), "journal", o)
	wantOutcome(t, "sealed checkpoint without anchors", rep, evidence.NotVerifiable, "journal-stamp-"+itoa(stamps[0].Seq))
	o.Batch = evidence.NewAnchors(evidencetest.NewPKI(t).CA)
	rep, _ = evidence.VerifyJournal(context.Background(), "journal", o)
	wantOutcome(t, "sealed checkpoint, other batch CA", rep, evidence.Broken, "journal-stamp-"+itoa(stamps[0].Seq))
}
