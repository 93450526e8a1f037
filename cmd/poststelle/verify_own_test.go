package main

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"poststelle/cmd/internal/wire"
	"poststelle/mailroom"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/evidence/evidencetest"
	"poststelle/mailroom/store"
	"poststelle/mailroom/testcorpus"
)

// ownOutput is a sehr-hoch document scanned, recognised, written as PDF/A,
// checked, approved with seal and timestamp and delivered, all by Poststelle.
type ownOutput struct {
	pki              *evidencetest.PKI
	tsaURL           string
	data, checkpoint string
	id               string
	out, export      string // out/<id>/ and the folder target's copy
}

// makeOwnOutput runs the real pipeline (OCR with tesseract, PDF/A, the
// evidence finisher with a PKCS#12 seal and the local openssl TSA, the
// outbox with the folder target) on a scanned page, and makes journal
// checkpoints before and after the delivery.
func makeOwnOutput(t *testing.T) *ownOutput {
	t.Helper()
	ctx := context.Background()
	o := &ownOutput{pki: evidencetest.NewPKI(t), data: t.TempDir(), checkpoint: t.TempDir()}
	o.tsaURL, _ = evidencetest.StartTSA(t, o.pki)
	cfg, err := mailroom.Default(o.data)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("TEST_SEAL_PW", evidencetest.Password)
	cfg.Evidence.SealP12, cfg.Evidence.SealPasswordEnv = o.pki.SealP12, "TEST_SEAL_PW"
	cfg.Evidence.TSA, cfg.Evidence.QASampleRate, cfg.Evidence.CheckpointDir = o.tsaURL, 0, o.checkpoint
	st, err := store.Open(o.data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w := &wiring{Cfg: cfg, Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	e, err := buildEngine(w)
	if err != nil {
		t.Fatal(err)
	}
	e.OneShot = true
	b, _, err := st.Intake(ctx, mailroom.Item{Source: "folder:scan", Profile: mailroom.Profile{Name: "scan", Protection: mailroom.ProtectionSehrHoch},
		Path: testcorpus.Path(t, "tesseract", "phototest.tif"), Name: "phototest.tif", Metadata: map[string]string{evidence.MetaScannedBy: "Sven Scanner"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.ProcessBatch(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	docs, _ := st.Documents(ctx, mailroom.DocFilter{BatchID: b.ID})
	if len(docs) != 1 || docs[0].State != mailroom.StateReview {
		t.Fatalf("want one document in review: %+v", docs)
	}
	o.id = docs[0].ID
	o.out = filepath.Join(o.data, "out", o.id)
	ourPDF, err := os.ReadFile(filepath.Join(o.out, mailroom.FileDocument))
	if err != nil || !strings.Contains(string(ourPDF), "GlyphLessFont") || !strings.Contains(string(ourPDF), "<pdfaid:part>2</pdfaid:part>") {
		t.Fatalf("document.pdf is not Poststelle's searchable PDF/A-2b: %v", err)
	}
	person := func(login string) mailroom.Actor {
		return mailroom.Actor{Principal: mailroom.Principal{Login: login, Roles: mailroom.Roles()}, Via: mailroom.ViaCLI}
	}
	if _, err := e.RecordQA(ctx, person("Petra Prüfer"), mailroom.Ref{ID: o.id}, mailroom.QAResult{Complete: true, Legible: true, Matches: true,
		ExpectedPages: 1, ActualPages: 1}); err != nil {
		t.Fatal(err)
	}
	sealer, tsa, err := wire.EvidenceParts(cfg)
	if err != nil {
		t.Fatal(err)
	}
	stamper := &evidence.JournalStamper{Journal: st, Records: st, TSA: tsa, Sealer: sealer, CheckpointDir: o.checkpoint, Interval: time.Hour}
	if err := stamper.Stamp(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := wire.ApproveAndDeliver(ctx, w, e, o.id, person("Anna Amt")); err != nil {
		t.Fatal(err)
	}
	if err := stamper.Stamp(ctx); err != nil {
		t.Fatal(err)
	}
	if d, _ := st.Document(ctx, o.id); d.State != mailroom.StateExported {
		t.Fatalf("state %s, reason %q", d.State, d.Reason)
	}
	o.export = filepath.Join(o.data, "export", o.id)
	return o
}

// verify runs `poststelle verify --json` and returns the exit code and reports.
func (o *ownOutput) verify(t *testing.T, args ...string) (int, []evidence.Report) {
	t.Helper()
	out, stderr, code := run(t, binary(t), append([]string{"verify", "--json"}, args...)...)
	var reps []evidence.Report
	if err := json.Unmarshal([]byte(out), &reps); err != nil {
		t.Fatalf("verify %v: %v\n%s\n%s", args, err, out, stderr)
	}
	return code, reps
}

// trusted are the arguments of a verify with the trust anchors and the journal.
func (o *ownOutput) trusted(paths ...string) []string {
	return append([]string{"--trust", o.pki.CAFile, "--data-dir", o.data}, paths...)
}

func failedChecks(reps []evidence.Report) map[string]bool {
	out := map[string]bool{}
	for _, r := range reps {
		for _, f := range r.Failed() {
			out[f] = true
		}
	}
	return out
}

// TestVerifyOwnOutput: Poststelle's own sealed PDF/A passes the
// independent checkers (pdfsig, qpdf --check, xmllint on the embedded
// Transfervermerk, openssl on the checkpoint token) and verify reports it
// intact (exit 0); without trust anchors it is not verifiable (exit 3);
// every tampering is broken (exit 1), naming the check.
func TestVerifyOwnOutput(t *testing.T) {
	for _, tool := range [][2]string{{"pdfsig", "poppler-utils"}, {"pdfdetach", "poppler-utils"}, {"qpdf", "qpdf"}, {"xmllint", "libxml2-utils"}} {
		evidencetest.NeedTool(t, tool[0], tool[1])
	}
	o := makeOwnOutput(t)
	pdfPath := filepath.Join(o.out, mailroom.FileDocument)
	if out := evidencetest.Pdfsig(t, pdfPath); !strings.Contains(out, "Signature is Valid") || !strings.Contains(out, "Total document signed") {
		t.Fatalf("pdfsig:\n%s", out)
	}
	if out, err := exec.Command("qpdf", "--check", pdfPath).CombinedOutput(); err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors") {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	tvFile := filepath.Join(t.TempDir(), "embedded.xml")
	if out, err := exec.Command("pdfdetach", "-savefile", evidence.FileName, "-o", tvFile, pdfPath).CombinedOutput(); err != nil {
		t.Fatalf("pdfdetach: %v\n%s", err, out)
	}
	xsd, _ := filepath.Abs("../../docs/transfervermerk.xsd")
	if out, err := exec.Command("xmllint", "--noout", "--schema", xsd, tvFile).CombinedOutput(); err != nil {
		t.Fatalf("xmllint --schema on the embedded Transfervermerk: %v\n%s", err, out)
	}
	if tv, _ := os.ReadFile(tvFile); !strings.Contains(string(tv), "<Protokoll eintrag=") || !strings.Contains(string(tv), "<Einbettung>eingebettet</Einbettung>") {
		t.Errorf("Transfervermerk lacks the journal anchor or its place:\n%s", tv)
	}
	cps, _ := filepath.Glob(filepath.Join(o.checkpoint, "journal-*.json"))
	if len(cps) != 2 {
		t.Fatalf("checkpoint copies: %v", cps)
	}
	var cp evidence.JournalStamp
	data, _ := os.ReadFile(cps[1])
	json.Unmarshal(data, &cp)
	if out, err := evidencetest.OpenSSLVerifyToken(t, o.pki, cp.Token, cp.Data); err != nil {
		t.Fatalf("openssl ts -verify of the checkpoint: %v\n%s", err, out)
	}

	code, reps := o.verify(t, o.trusted(o.out, o.export)...)
	if code != 0 || len(reps) != 3 {
		t.Fatalf("untouched: exit %d\n%+v", code, reps)
	}
	for _, r := range reps {
		if r.Result != evidence.Intact {
			t.Errorf("%s: %s: %s", r.Path, r.Result, r.EN)
		}
	}
	if code, reps = o.verify(t, "--data-dir", o.data, o.export); code != 3 || reps[0].Result != evidence.NotVerifiable {
		t.Errorf("without trust anchors: exit %d, %+v", code, reps)
	}
	o.tamperFiles(t)
	o.tamperSignature(t)
	o.tamperStore(t)
}

// tamper copies the delivered folder, changes the copy and expects verify
// to report it broken (exit 1) naming want.
func (o *ownOutput) tamper(t *testing.T, label, want string, change func(dir string)) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), o.id)
	os.MkdirAll(dir, 0o750)
	ents, _ := os.ReadDir(o.export)
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(o.export, e.Name()))
		os.WriteFile(filepath.Join(dir, e.Name()), b, 0o640)
	}
	change(dir)
	code, reps := o.verify(t, o.trusted(dir)...)
	if code != 1 || !failedChecks(reps)[want] {
		t.Errorf("%s: exit %d, failed %v, want %s", label, code, failedChecks(reps), want)
	}
}

// exportedPDF is the delivered PDF in a copy of the export folder.
func exportedPDF(t *testing.T, dir string) string {
	g, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	if len(g) != 1 {
		t.Fatalf("PDFs in %s: %v", dir, g)
	}
	return g[0]
}

func (o *ownOutput) tamperFiles(t *testing.T) {
	o.tamper(t, "qpdf --empty --pages rewrite", "transfervermerk-embedded", func(dir string) {
		p := exportedPDF(t, dir)
		if out, err := exec.Command("qpdf", "--empty", "--pages", p, "--", p+".new").CombinedOutput(); err != nil {
			t.Fatalf("qpdf: %v\n%s", err, out)
		}
		os.Rename(p+".new", p)
	})
	alone := filepath.Join(t.TempDir(), "out.pdf")
	exec.Command("qpdf", "--empty", "--pages", exportedPDF(t, o.export), "--", alone).Run()
	if code, reps := o.verify(t, o.trusted(alone)...); code != 1 || !failedChecks(reps)["transfervermerk"] {
		t.Errorf("rewritten PDF alone: exit %d, %v", code, failedChecks(reps))
	}
	o.tamper(t, "transfervermerk.xml deleted", "transfervermerk-file", func(dir string) { os.Remove(filepath.Join(dir, evidence.FileName)) })
	o.tamper(t, "bytes appended after the seal", "seal-coverage", func(dir string) {
		f, _ := os.OpenFile(exportedPDF(t, dir), os.O_APPEND|os.O_WRONLY, 0)
		f.WriteString("\n%% angehängt\n")
		f.Close()
	})
	o.tamper(t, "Transfervermerk edited", "transfervermerk-file", func(dir string) {
		p := filepath.Join(dir, evidence.FileName)
		b, _ := os.ReadFile(p)
		os.WriteFile(p, []byte(strings.Replace(string(b), "Anna Amt", "Mallory", 1)), 0o640)
	})
	// A PDF without any evidence, and a folder of document folders with a
	// foreign one among them: each is named.
	linn := testcorpus.Path(t, "ocrmypdf", "linn.pdf")
	if code, reps := o.verify(t, o.trusted(linn)...); code != 1 || !failedChecks(reps)["transfervermerk"] {
		t.Errorf("PDF without evidence: exit %d, %v", code, failedChecks(reps))
	}
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "fremd"), 0o750)
	b, _ := os.ReadFile(linn)
	os.WriteFile(filepath.Join(root, "fremd", "brief.pdf"), b, 0o640)
	os.Symlink(o.export, filepath.Join(root, o.id))
	code, reps := o.verify(t, o.trusted(root)...)
	named := map[string]evidence.Outcome{}
	for _, r := range reps {
		named[filepath.Base(r.Path)] = r.Result
	}
	if code != 1 || named["fremd"] != evidence.Broken || named[o.id] != evidence.Intact {
		t.Errorf("folder of document folders: exit %d, %v", code, named)
	}
}

// tamperSignature replaces the seal's CMS (with the seal key itself): a
// second signer, a timestamp token without certificates.
func (o *ownOutput) tamperSignature(t *testing.T) {
	other, otherKey := o.pki.Issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "Zweiter"}, KeyUsage: x509.KeyUsageDigitalSignature})
	reseal := func(extra []evidencetest.Signer, certs bool) func(dir string) {
		return func(dir string) {
			p := exportedPDF(t, dir)
			data, _ := os.ReadFile(p)
			der := o.pki.SealCMS(t, evidencetest.SignedContent(t, data), extra, func(sig []byte) []byte {
				return evidencetest.Token(t, o.tsaURL, sig, certs)
			})
			os.WriteFile(p, evidencetest.ReplaceSignature(t, data, der), 0o640)
		}
	}
	o.tamper(t, "a second signer", "seal", reseal([]evidencetest.Signer{{Cert: other, Key: otherKey}}, true))
	o.tamper(t, "a TSA token without certificates", "seal-timestamp", reseal(nil, false))
}

// tamperStore changes the data directory: a checkpoint deleted, then the
// journal rewritten with a recomputed chain.
func (o *ownOutput) tamperStore(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(o.data)
	if err != nil {
		t.Fatal(err)
	}
	stamps, _ := st.JournalStamps(ctx)
	if _, err := st.DB().Exec(`DELETE FROM journal_stamps WHERE seq = ?`, stamps[0].Seq); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if code, reps := o.verify(t, o.trusted()...); code != 1 || !failedChecks(reps)["journal-checkpoint-"+itoa(stamps[0].Seq)] {
		t.Errorf("checkpoint deleted: exit %d, %v", code, failedChecks(reps))
	}
	st, _ = store.Open(o.data)
	st.PutJournalStamp(ctx, stamps[0])
	entries, _ := st.Journal(ctx, mailroom.JournalFilter{})
	if _, err := st.DB().Exec(`DROP TRIGGER journal_no_update`); err != nil {
		t.Fatal(err)
	}
	entries[0].Actor = "Mallory"
	prev := mailroom.GenesisHash
	for i := range entries {
		entries[i].PrevHash = prev
		entries[i].Hash = entries[i].ComputeHash()
		prev = entries[i].Hash
		if _, err := st.DB().Exec(`UPDATE journal SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?`,
			entries[i].Actor, entries[i].PrevHash, entries[i].Hash, entries[i].Seq); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	code, reps := o.verify(t, o.trusted(o.export)...)
	f := failedChecks(reps)
	if code != 1 || f["journal"] || !f["journal-anchor"] || !f["journal-anchor-export"] || !f["journal-stamp-"+itoa(stamps[0].Seq)] {
		t.Errorf("journal rewritten with a recomputed chain: exit %d, failed %v", code, f)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
