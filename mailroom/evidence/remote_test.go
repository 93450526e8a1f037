package evidence_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/evidence/evidencetest"
)

// fakeQSeal is a test double of a remote qualified seal service: it signs
// digests with a key it holds, as a CSC signHash call would, and counts calls.
type fakeQSeal struct {
	pki   *evidencetest.PKI
	calls int
}

func (f *fakeQSeal) SignDigest(ctx context.Context, digest []byte, h crypto.Hash) ([]byte, error) {
	f.calls++
	return f.pki.SealKey.Sign(rand.Reader, digest, h)
}
func (f *fakeQSeal) Chain(ctx context.Context) ([]*x509.Certificate, error) {
	return []*x509.Certificate{f.pki.Seal, f.pki.CA}, nil
}
func (f *fakeQSeal) Qualified() bool { return true }

func TestRemoteSealerSeam(t *testing.T) {
	pki := evidencetest.NewPKI(t)
	fake := &fakeQSeal{pki: pki}
	s, err := evidence.NewRemoteSealer(context.Background(), fake)
	if err != nil {
		t.Fatal(err)
	}
	if s.Level() != evidence.LevelQualified {
		t.Fatalf("level %s", s.Level())
	}
	_, _, orig := sealPDF(t, "linn.pdf", false)
	out, err := s.SealPDF(context.Background(), orig, "remote", nil)
	if err != nil {
		t.Fatal(err)
	}
	if fake.calls != 1 {
		t.Fatalf("remote service called %d times", fake.calls)
	}
	f := filepath.Join(t.TempDir(), "r.pdf")
	os.WriteFile(f, out, 0o600)
	if o := evidencetest.Pdfsig(t, f); !strings.Contains(o, "Signature is Valid") {
		t.Fatalf("pdfsig:\n%s", o)
	}
}

func TestDestructionRelease(t *testing.T) {
	r := newRig(t, false)
	ctx := context.Background()
	d := r.intake("linn.pdf", mailroom.ProtectionHoch, "")
	r.qa(d.ID, "Petra")
	if err := approve(r.e, ctx, d.ID, "Anna"); err != nil {
		t.Fatal(err)
	}
	b, _ := r.st.Batch(ctx, d.BatchID)
	row, err := evidence.Destruction(ctx, r.st, r.st, b, 30, 0, time.Now())
	if err != nil || row.May {
		t.Fatalf("approved, not exported: may=%v err=%v", row.May, err)
	}
	for _, why := range row.Reasons {
		if strings.Contains(why, "%!") || !strings.Contains(why, " / ") {
			t.Errorf("reason not formatted in both languages: %q", why)
		}
	}
	for _, to := range []mailroom.State{mailroom.StateExporting, mailroom.StateExported} {
		if _, err := r.st.Transition(ctx, d.ID, mailroom.Change{To: to, Actor: "outbox"}); err != nil {
			t.Fatal(err)
		}
	}
	row, _ = evidence.Destruction(ctx, r.st, r.st, b, 30, 0, time.Now())
	if row.May || len(row.Reasons) != 2 { // retention and release missing
		t.Fatalf("exported just now: %+v", row)
	}
	if err := r.st.PutRelease(ctx, evidence.Release{BatchID: b.ID, Department: "FB 63", Person: "Frau Amt", Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
	row, _ = evidence.Destruction(ctx, r.st, r.st, b, 30, 0, time.Now().AddDate(0, 0, 31))
	if !row.May {
		t.Fatalf("after retention and release: %+v", row)
	}
	if j, _ := r.st.Journal(ctx, mailroom.JournalFilter{Action: "destruction-release"}); len(j) != 1 {
		t.Fatal("release not journaled")
	}
}
