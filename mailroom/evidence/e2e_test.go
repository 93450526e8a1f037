package evidence_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/evidence/evidencetest"
	"poststelle/mailroom/store"
	"poststelle/mailroom/testcorpus"
)

type rig struct {
	t     *testing.T
	st    *store.Store
	e     *engine.Engine
	pki   *evidencetest.PKI
	cfg   *mailroom.Config
	trust *x509.CertPool
	f     *evidence.Finisher
}

// newRig makes an engine with a real store, the evidence finisher and
// policy, a seal from a test PKCS#12 and (optionally) the local TSA.
func newRig(t *testing.T, withTSA bool) *rig {
	t.Helper()
	dir := t.TempDir()
	cfg, err := mailroom.Default(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Evidence.QASampleRate = 0
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pki := evidencetest.NewPKI(t)
	sealer, err := evidence.LoadPKCS12(pki.SealP12, evidencetest.Password)
	if err != nil {
		t.Fatal(err)
	}
	f := &evidence.Finisher{Config: cfg, Store: st, Records: st, Sealer: sealer, Version: "test"}
	if withTSA {
		url, _ := evidencetest.StartTSA(t, pki)
		f.TSA = &evidence.TSAClient{URL: url}
	}
	e := &engine.Engine{Config: cfg, Store: st, Finisher: f, Policy: &evidence.Policy{SampleRate: 0}, OneShot: true}
	pool := x509.NewCertPool()
	pool.AddCert(pki.CA)
	return &rig{t: t, st: st, e: e, pki: pki, cfg: cfg, trust: pool, f: f}
}

// intake takes a corpus PDF in with the given protection and scanner, runs
// the pipeline (without recognition) and places the PDF as the scan product.
func (r *rig) intake(name string, prot mailroom.Protection, scannedBy string) *mailroom.Document {
	r.t.Helper()
	return r.intakeFile(testcorpus.Path(r.t, "ocrmypdf", name), prot, scannedBy)
}

// intakeFile takes the PDF src in and, after the pipeline, places it as
// the scan product document.pdf.
func (r *rig) intakeFile(src string, prot mailroom.Protection, scannedBy string) *mailroom.Document {
	t := r.t
	t.Helper()
	ctx := context.Background()
	meta := map[string]string{}
	if scannedBy != "" {
		meta[evidence.MetaScannedBy] = scannedBy
	}
	b, _, err := r.st.Intake(ctx, mailroom.Item{Source: "folder:test", Profile: mailroom.Profile{Name: "test", Protection: prot},
		Path: src, Name: filepath.Base(src), Metadata: meta})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.e.ProcessBatch(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	docs, _ := r.st.Documents(ctx, mailroom.DocFilter{BatchID: b.ID})
	if len(docs) != 1 || docs[0].State != mailroom.StateReview {
		t.Fatalf("want one document in review, got %+v", docs)
	}
	data, _ := os.ReadFile(src)
	if err := os.WriteFile(filepath.Join(r.st.DataDir(), "out", docs[0].ID, mailroom.FileDocument), data, 0o640); err != nil {
		t.Fatal(err)
	}
	return docs[0]
}

func (r *rig) qa(id, person string) {
	r.t.Helper()
	if _, err := r.e.RecordQA(context.Background(), everyone(person), mailroom.Ref{ID: id}, mailroom.QAResult{Complete: true, Legible: true, Matches: true,
		ExpectedPages: 1, ActualPages: 1, Anomalies: []string{"Original war eine Kopie"}}); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) verify(path string) *evidence.Report {
	r.t.Helper()
	rep, err := evidence.Verify(context.Background(), path, evidence.VerifyOptions{Trust: r.trust, Records: r.st,
		Journal: func(ctx context.Context) ([]mailroom.JournalEntry, error) {
			return r.st.Journal(ctx, mailroom.JournalFilter{})
		},
		ChainCheck: store.VerifyEntries})
	if err != nil {
		r.t.Fatal(err)
	}
	return rep
}

func dump(rep *evidence.Report) string {
	b, _ := json.MarshalIndent(rep, "", " ")
	return string(b)
}

func TestEndToEndApproveSealVerifyTamper(t *testing.T) {
	r := newRig(t, true)
	ctx := context.Background()
	d := r.intake("linn.pdf", mailroom.ProtectionSehrHoch, "Sven Scanner")
	r.qa(d.ID, "Petra Prüfer")
	if err := approve(r.e, ctx, d.ID, "Anna Amt"); err != nil {
		t.Fatal(err)
	}
	nd, _ := r.st.Document(ctx, d.ID)
	if nd.State != mailroom.StateApproved {
		t.Fatalf("state %s", nd.State)
	}
	dir := filepath.Join(r.st.DataDir(), "out", d.ID)
	tvData, err := os.ReadFile(filepath.Join(dir, evidence.FileName))
	if err != nil {
		t.Fatal(err)
	}
	tv, err := evidence.ParseTransfervermerk(tvData)
	if err != nil {
		t.Fatal(err)
	}
	if tv.DocumentID != d.ID || tv.Verantwortlich.Freigabe != "Anna Amt" || tv.Verantwortlich.Erfassung != "Sven Scanner" ||
		tv.Verantwortlich.Pruefung != "Petra Prüfer" || !tv.Uebereinstimmung.Bestaetigt || tv.QS.Art != "vollstaendig" ||
		tv.Dokument.Schutzbedarf != "sehr hoch" || len(tv.Auffaellig.Eintraege) == 0 || tv.Umgebung.Verfahrensdokumentation == "" {
		t.Fatalf("Transfervermerk incomplete: %s", tvData)
	}
	pdfPath := filepath.Join(dir, mailroom.FileDocument)
	if out := evidencetest.Pdfsig(t, pdfPath); !strings.Contains(out, "Signature is Valid") {
		t.Fatalf("pdfsig:\n%s", out)
	}
	rep := r.verify(dir)
	if !rep.OK() {
		t.Fatalf("untouched material does not verify:\n%s", dump(rep))
	}
	for _, want := range []string{"document-hash", "seal", "seal-timestamp", "seal-coverage", "transfervermerk-embedded",
		"transfervermerk-file", "xmp", "journal", "journal-evidence", "batch-seal"} {
		found := false
		for _, c := range rep.Checks {
			found = found || (c.Name == want && c.Status == evidence.OK)
		}
		if !found {
			t.Errorf("check %s not ok:\n%s", want, dump(rep))
		}
	}
	pdfData, _ := os.ReadFile(pdfPath)
	flip := func(path string, data []byte, i int) func() {
		bad := append([]byte{}, data...)
		bad[i] ^= 0x01
		os.WriteFile(path, bad, 0o640)
		return func() { os.WriteFile(path, data, 0o640) }
	}
	expectFail := func(label string, want ...string) {
		t.Helper()
		rep := r.verify(dir)
		got := strings.Join(rep.Failed(), ",")
		if got != strings.Join(want, ",") {
			t.Errorf("%s: failed checks %q, want %q\n%s", label, got, strings.Join(want, ","), dump(rep))
		}
	}
	// A byte of the scan product (inside the signed range, before the evidence).
	undo := flip(pdfPath, pdfData, int(tv.Dokument.Scanprodukt.Groesse/2))
	expectFail("byte in scan product", "document-hash", "seal", "batch-seal", "journal-evidence")
	undo()
	// A byte of the Transfervermerk beside the PDF (in its text).
	i := bytes.Index(tvData, []byte("Anna Amt"))
	undo = flip(filepath.Join(dir, evidence.FileName), tvData, i)
	expectFail("byte in transfervermerk.xml", "transfervermerk-file")
	undo()
	// A journal row: change the detail of an entry in the database.
	if _, err := r.st.DB().Exec(`DROP TRIGGER journal_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.DB().Exec(`UPDATE journal SET actor = 'Mallory' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	rep = r.verify(dir)
	if got := strings.Join(rep.Failed(), ","); got != "journal" {
		t.Fatalf("journal tamper: failed %q\n%s", got, dump(rep))
	}
	for _, c := range rep.Checks {
		if c.Name == "journal" && !strings.Contains(c.EN, "journal entry 3:") {
			t.Errorf("journal check does not name entry 3: %s", c.EN)
		}
	}
}

func TestSehrHochScannerCannotApprove(t *testing.T) {
	r := newRig(t, true)
	ctx := context.Background()
	d := r.intake("linn.pdf", mailroom.ProtectionSehrHoch, "Sven Scanner")
	r.qa(d.ID, "Petra Prüfer")
	err := approve(r.e, ctx, d.ID, "sven scanner")
	if !errors.Is(err, mailroom.ErrNotAllowed) {
		t.Fatalf("scanner approved own document: err=%v", err)
	}
	if nd, _ := r.st.Document(ctx, d.ID); nd.State != mailroom.StateReview {
		t.Fatalf("state %s", nd.State)
	}
	if _, err := os.Stat(filepath.Join(r.st.DataDir(), "out", d.ID, evidence.FileName)); err == nil {
		t.Fatal("evidence written for a refused approval")
	}
	j, _ := r.st.Journal(ctx, mailroom.JournalFilter{DocumentID: d.ID, Action: "approve-refused"})
	if len(j) != 1 {
		t.Fatalf("refusal not journaled: %+v", j)
	}
	// QA by the scanner is refused too: the engine refuses to record it,
	// and the policy refuses an approval on such a check.
	if _, err := r.e.RecordQA(ctx, everyone("Sven Scanner"), mailroom.Ref{ID: d.ID}, mailroom.QAResult{Complete: true, Legible: true,
		Matches: true}); !errors.Is(err, mailroom.ErrNotAllowed) {
		t.Fatalf("QA by the scanner recorded: %v", err)
	}
	nd, _ := r.st.Document(ctx, d.ID)
	b, _ := r.st.Batch(ctx, nd.BatchID)
	scannerQA := &mailroom.QAResult{Person: "Sven Scanner", Complete: true, Legible: true, Matches: true}
	if err := r.e.Policy.CheckApproval(ctx, nd, b, mailroom.Approval{Person: "Anna Amt", QA: scannerQA}); !errors.Is(err, mailroom.ErrNotAllowed) {
		t.Fatalf("QA by the scanner accepted: %v", err)
	}
	// Another person can approve after a QA by a third.
	r.qa(d.ID, "Petra Prüfer")
	if err := approve(r.e, ctx, d.ID, "Anna Amt"); err != nil {
		t.Fatal(err)
	}
}
