package evidence_test

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/evidence/evidencetest"
	"poststelle/mailroom/store"
)

// intakeOwn takes a document in whose scan product is Poststelle's own
// PDF/A (as recognition writes it) and brings it to review.
func (r *rig) intakeOwn(prot mailroom.Protection, scannedBy string) *mailroom.Document {
	r.t.Helper()
	src := filepath.Join(r.t.TempDir(), "scan.pdf")
	if err := os.WriteFile(src, evidencetest.OwnPDF(r.t), 0o640); err != nil {
		r.t.Fatal(err)
	}
	return r.intakeFile(src, prot, scannedBy)
}

// sealed approves a sehr-hoch document (QA, four eyes) and returns its folder.
func (r *rig) sealed() (dir string, d *mailroom.Document) {
	r.t.Helper()
	d = r.intakeOwn(mailroom.ProtectionSehrHoch, "Sven Scanner")
	r.qa(d.ID, "Petra Prüfer")
	if err := approve(r.e, context.Background(), d.ID, "Anna Amt"); err != nil {
		r.t.Fatal(err)
	}
	return filepath.Join(r.st.DataDir(), "out", d.ID), d
}

func (r *rig) options(seal *evidence.Anchors) evidence.VerifyOptions {
	return evidence.VerifyOptions{Seal: seal, Records: r.st, ChainCheck: store.VerifyEntries,
		Journal: func(ctx context.Context) ([]mailroom.JournalEntry, error) {
			return r.st.Journal(ctx, mailroom.JournalFilter{})
		}}
}

// sealOnly verifies with trust anchors and no journal.
func sealOnly(seal *evidence.Anchors) evidence.VerifyOptions {
	return evidence.VerifyOptions{Seal: seal}
}

func verifyWith(t *testing.T, path string, o evidence.VerifyOptions) *evidence.Report {
	t.Helper()
	rep, err := evidence.Verify(context.Background(), path, o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// copyDir copies a document folder (as a DMS would hold it).
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	os.MkdirAll(dst, 0o750)
	ents, _ := os.ReadDir(src)
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dst, e.Name()), b, 0o640)
	}
	return dst
}

func wantOutcome(t *testing.T, label string, rep *evidence.Report, want evidence.Outcome, check string) {
	t.Helper()
	rep2 := *rep
	if got := rep.Outcome(); got != want || rep.Result != want {
		t.Errorf("%s: outcome %s (report %s), want %s\n%s", label, got, rep.Result, want, dump(&rep2))
		return
	}
	if check == "" {
		return
	}
	names := rep.Failed()
	if want == evidence.NotVerifiable {
		names = rep.NotChecked()
	}
	for _, n := range names {
		if n == check {
			return
		}
	}
	t.Errorf("%s: check %s not among %v\n%s", label, check, names, dump(&rep2))
}

// The three outcomes on our own sealed PDF/A: intact with the trust
// anchors, not verifiable without them (never intact), broken with
// another CA; each with its exit code and a German/English reason.
func TestVerifyThreeOutcomes(t *testing.T) {
	r := newRig(t, true)
	dir, _ := r.sealed()
	if out := evidencetest.Pdfsig(t, filepath.Join(dir, mailroom.FileDocument)); !strings.Contains(out, "Signature is Valid") {
		t.Fatalf("pdfsig:\n%s", out)
	}
	anchors := evidence.NewAnchors(r.pki.CA)
	rep := verifyWith(t, dir, r.options(anchors))
	wantOutcome(t, "with anchors", rep, evidence.Intact, "")
	if rep.Result.ExitCode() != 0 || !strings.HasPrefix(rep.DE, "intakt") || !strings.HasPrefix(rep.EN, "intact") {
		t.Errorf("intact: exit %d, %q / %q", rep.Result.ExitCode(), rep.DE, rep.EN)
	}
	for _, name := range []string{"seal", "seal-timestamp", "seal-coverage", "transfervermerk-embedded", "transfervermerk-file",
		"document-hash", "xmp", "journal", "journal-evidence", "journal-anchor", "protection", "batch-seal"} {
		if c := check(rep, name); c == nil || c.Status != evidence.OK {
			t.Errorf("check %s: %+v", name, c)
		}
	}

	rep = verifyWith(t, dir, r.options(nil))
	wantOutcome(t, "no anchors", rep, evidence.NotVerifiable, "seal")
	if rep.Result.ExitCode() != 3 || !strings.Contains(rep.EN, "no seal trust anchors") || !strings.Contains(rep.DE, "Vertrauensanker") {
		t.Errorf("not verifiable: exit %d, %q / %q", rep.Result.ExitCode(), rep.DE, rep.EN)
	}
	// Without journal and anchors nothing authenticates the material.
	rep = verifyWith(t, dir, evidence.VerifyOptions{})
	wantOutcome(t, "nothing", rep, evidence.NotVerifiable, "seal")

	other := evidencetest.NewPKI(t)
	rep = verifyWith(t, dir, r.options(evidence.NewAnchors(other.CA)))
	wantOutcome(t, "other CA", rep, evidence.Broken, "seal")
	if rep.Result.ExitCode() != 1 || !strings.Contains(rep.EN, "not trusted") {
		t.Errorf("broken: exit %d, %q", rep.Result.ExitCode(), rep.EN)
	}
	// Seal anchors right, TSA anchors of another CA: the timestamp is broken.
	o := r.options(anchors)
	o.TSA = evidence.NewAnchors(other.CA)
	wantOutcome(t, "other TSA CA", verifyWith(t, dir, o), evidence.Broken, "seal-timestamp")
	// Batch anchors of another CA: the batch seal is broken.
	o = r.options(anchors)
	o.Batch = evidence.NewAnchors(other.CA)
	wantOutcome(t, "other batch CA", verifyWith(t, dir, o), evidence.Broken, "batch-seal")
}

// A PDF without evidence, a folder holding only it, our PDF rewritten by
// qpdf (embedded files and signature gone) and a folder whose
// transfervermerk.xml was deleted are broken.
func TestVerifyMissingEvidenceIsBroken(t *testing.T) {
	r := newRig(t, true)
	dir, _ := r.sealed()
	anchors := evidence.NewAnchors(r.pki.CA)
	plain := filepath.Join(t.TempDir(), "plain.pdf")
	os.WriteFile(plain, evidencetest.OwnPDF(t), 0o640)
	wantOutcome(t, "PDF without evidence", verifyWith(t, plain, r.options(anchors)), evidence.Broken, "transfervermerk")
	wantOutcome(t, "folder with a PDF only", verifyWith(t, filepath.Dir(plain), r.options(anchors)), evidence.Broken, "transfervermerk-file")

	qpdf := evidencetest.NeedTool(t, "qpdf", "qpdf")
	rewritten := filepath.Join(t.TempDir(), "out.pdf")
	if out, err := exec.Command(qpdf, "--empty", "--pages", filepath.Join(dir, mailroom.FileDocument), "--", rewritten).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v\n%s", err, out)
	}
	wantOutcome(t, "qpdf rewrite alone", verifyWith(t, rewritten, r.options(anchors)), evidence.Broken, "transfervermerk")
	cp := copyDir(t, dir)
	data, _ := os.ReadFile(rewritten)
	os.WriteFile(filepath.Join(cp, mailroom.FileDocument), data, 0o640)
	rep := verifyWith(t, cp, r.options(anchors))
	wantOutcome(t, "qpdf rewrite in its folder", rep, evidence.Broken, "transfervermerk-embedded")
	wantOutcome(t, "qpdf rewrite in its folder", rep, evidence.Broken, "document-hash")

	cp = copyDir(t, dir)
	os.Remove(filepath.Join(cp, evidence.FileName))
	wantOutcome(t, "transfervermerk.xml deleted", verifyWith(t, cp, r.options(anchors)), evidence.Broken, "transfervermerk-file")

	cp = copyDir(t, dir)
	f, _ := os.OpenFile(filepath.Join(cp, mailroom.FileDocument), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("\n1 0 obj (nachträglich) endobj\n")
	f.Close()
	wantOutcome(t, "bytes appended after the seal", verifyWith(t, cp, r.options(anchors)), evidence.Broken, "seal-coverage")
}

// resealed replaces the seal of the folder's PDF (in a copy) by der. The
// PDF's hash changes with it, so the copy no longer matches the journal or
// the batch seal: it is verified by its seal alone (sealOnly), without
// batchseal.json.
func resealed(t *testing.T, dir string, der func(content []byte) []byte) string {
	t.Helper()
	cp := copyDir(t, dir)
	os.Remove(filepath.Join(cp, mailroom.FileBatchSeal))
	p := filepath.Join(cp, mailroom.FileDocument)
	data, _ := os.ReadFile(p)
	os.WriteFile(p, evidencetest.ReplaceSignature(t, data, der(evidencetest.SignedContent(t, data))), 0o640)
	return cp
}

// The seal's CMS replaced, each time with the seal key itself: a second
// signer, a timestamp token without certificates, a certificate not meant
// for signing, one expired at the time the timestamp proves. The control —
// resealed properly — stays intact, so each failure is the change's.
func TestVerifySealTrustRules(t *testing.T) {
	r := newRig(t, true)
	dir, _ := r.sealed()
	url := r.f.TSA.URL
	anchors := evidence.NewAnchors(r.pki.CA)
	withToken := func(certs bool) func([]byte) []byte {
		return func(sig []byte) []byte { return evidencetest.Token(t, url, sig, certs) }
	}
	control := resealed(t, dir, func(c []byte) []byte { return r.pki.SealCMS(t, c, nil, withToken(true)) })
	wantOutcome(t, "resealed properly", verifyWith(t, control, sealOnly(anchors)), evidence.Intact, "")

	otherCert, otherKey := r.pki.Issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "Zweiter Unterzeichner"},
		KeyUsage: x509.KeyUsageDigitalSignature})
	two := resealed(t, dir, func(c []byte) []byte {
		return r.pki.SealCMS(t, c, []evidencetest.Signer{{Cert: otherCert, Key: otherKey}}, withToken(true))
	})
	rep := verifyWith(t, two, sealOnly(anchors))
	wantOutcome(t, "second signer", rep, evidence.Broken, "seal")
	if c := check(rep, "seal"); c == nil || !strings.Contains(c.EN, "exactly one") {
		t.Errorf("second signer: %+v", c)
	}

	bare := resealed(t, dir, func(c []byte) []byte { return r.pki.SealCMS(t, c, nil, withToken(false)) })
	rep = verifyWith(t, bare, sealOnly(anchors))
	wantOutcome(t, "token without certificates", rep, evidence.Broken, "seal-timestamp")
	if c := check(rep, "seal-timestamp"); c == nil || !strings.Contains(c.EN, "carries no TSA certificate") {
		t.Errorf("token without certificates: %+v", c)
	}
	// The same token references the TSA certificate: configured as a TSA
	// anchor it is found, and the material is intact.
	o := sealOnly(anchors)
	o.TSA = evidence.NewAnchors(r.pki.CA, r.pki.TSA)
	wantOutcome(t, "token referencing a configured TSA certificate", verifyWith(t, bare, o), evidence.Intact, "")
	// Without any TSA anchor (and none to default to) it cannot be checked.
	o = sealOnly(nil)
	wantOutcome(t, "token without certificates, no anchors", verifyWith(t, bare, o), evidence.NotVerifiable, "seal-timestamp")
}

// The seal certificate's key usage and validity: a certificate not meant
// for signing is broken; one expired before the time the timestamp proves
// is broken; one that expired after it is checked at that time and is
// intact.
func TestVerifySealCertificateUsageAndTime(t *testing.T) {
	r := newRig(t, true)
	dir, _ := r.sealed()
	url := r.f.TSA.URL
	anchors := evidence.NewAnchors(r.pki.CA)
	token := func(sig []byte) []byte { return evidencetest.Token(t, url, sig, true) }
	like := func(ku x509.KeyUsage, from, to time.Time) evidencetest.Signer {
		c, k := r.pki.Issue(t, &x509.Certificate{Subject: r.pki.Seal.Subject, KeyUsage: ku, NotBefore: from, NotAfter: to})
		return evidencetest.Signer{Cert: c, Key: k}
	}
	now := time.Now()
	noSign := like(x509.KeyUsageKeyEncipherment, now.Add(-time.Hour), now.Add(time.Hour))
	cp := resealed(t, dir, func(c []byte) []byte { return r.pki.CMS(t, noSign, c, nil, token) })
	rep := verifyWith(t, cp, sealOnly(anchors))
	wantOutcome(t, "key encipherment only", rep, evidence.Broken, "seal")
	if c := check(rep, "seal"); c == nil || !strings.Contains(c.EN, "key usage") {
		t.Errorf("key usage: %+v", c)
	}

	expired := like(x509.KeyUsageDigitalSignature, now.Add(-3*time.Hour), now.Add(-time.Hour))
	cp = resealed(t, dir, func(c []byte) []byte { return r.pki.CMS(t, expired, c, nil, token) })
	wantOutcome(t, "expired before the timestamp", verifyWith(t, cp, sealOnly(anchors)), evidence.Broken, "seal")

	shortLived := like(x509.KeyUsageDigitalSignature, now.Add(-time.Hour), now.Add(3*time.Second))
	cp = resealed(t, dir, func(c []byte) []byte { return r.pki.CMS(t, shortLived, c, nil, token) })
	wantOutcome(t, "valid when stamped", verifyWith(t, cp, sealOnly(anchors)), evidence.Intact, "")
	time.Sleep(time.Until(shortLived.Cert.NotAfter) + 500*time.Millisecond)
	rep = verifyWith(t, cp, sealOnly(anchors))
	wantOutcome(t, "expired after the timestamp", rep, evidence.Intact, "")
	if c := check(rep, "seal"); c == nil || !strings.Contains(c.EN, "checked at") {
		t.Errorf("seal check: %+v", c)
	}
}
