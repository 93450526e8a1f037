package evidence_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom/evidence"
	"poststelle/mailroom/evidence/evidencetest"
	"poststelle/mailroom/testcorpus"
)

func TestTSATokenVerifiesWithOpenSSL(t *testing.T) {
	pki := evidencetest.NewPKI(t)
	url, count := evidencetest.StartTSA(t, pki)
	c := &evidence.TSAClient{URL: url}
	data := []byte("journal head 42 " + time.Now().String())
	tok, err := c.Stamp(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if count() != 1 || tok.Time.IsZero() {
		t.Fatalf("requests %d, time %v", count(), tok.Time)
	}
	if out, err := evidencetest.OpenSSLVerifyToken(t, pki, tok.DER, data); err != nil || !strings.Contains(out, "Verification: OK") {
		t.Fatalf("openssl ts -verify: %v\n%s", err, out)
	}
	// The same token over other data must fail, with openssl and with our own check.
	other := append([]byte{}, data...)
	other[0] ^= 1
	if out, err := evidencetest.OpenSSLVerifyToken(t, pki, tok.DER, other); err == nil {
		t.Fatalf("openssl accepted a token over changed data:\n%s", out)
	}
	if err := evidence.CheckToken(tok.DER, other); err == nil {
		t.Fatal("CheckToken accepted changed data")
	}
}

func sealPDF(t *testing.T, name string, withTSA bool) (pki *evidencetest.PKI, sealed []byte, orig []byte) {
	t.Helper()
	orig, err := os.ReadFile(testcorpus.Path(t, "ocrmypdf", name))
	if err != nil {
		t.Fatal(err)
	}
	pki = evidencetest.NewPKI(t)
	s, err := evidence.LoadPKCS12(pki.SealP12, evidencetest.Password)
	if err != nil {
		t.Fatal(err)
	}
	tv := []byte(`<?xml version="1.0"?><Transfervermerk xmlns="urn:poststelle:transfervermerk:1" version="1" dokumentId="d1"/>`)
	emb, err := evidence.Embed(orig, tv, evidence.Summary{DocumentID: "d1", Responsible: "Erika Müller"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(emb, orig) {
		t.Fatal("embedding changed the original bytes (not an incremental update)")
	}
	got, inAF, err := evidence.Embedded(emb)
	if err != nil || !bytes.Equal(got, tv) || !inAF {
		t.Fatalf("embedded Transfervermerk not found again: inAF=%v err=%v got=%q", inAF, err, got)
	}
	var tsa *evidence.TSAClient
	if withTSA {
		url, _ := evidencetest.StartTSA(t, pki)
		tsa = &evidence.TSAClient{URL: url}
	}
	sealed, err = s.SealPDF(context.Background(), emb, "Test", tsa)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err = evidence.Embedded(sealed)
	if err != nil || !bytes.Equal(got, tv) {
		t.Fatalf("Transfervermerk lost by sealing: %v", err)
	}
	x, err := evidence.XMP(sealed)
	if err != nil || !strings.Contains(x, "<ptv:DocumentID>d1</ptv:DocumentID>") || !strings.Contains(x, "Erika Müller") {
		t.Fatalf("XMP summary missing: %v\n%s", err, x)
	}
	return pki, sealed, orig
}

func TestEmbedAndSealVerifyWithPdfsig(t *testing.T) {
	for _, name := range []string{"linn.pdf", "skew.pdf"} { // xref table, xref stream
		t.Run(name, func(t *testing.T) {
			_, sealed, _ := sealPDF(t, name, name == "skew.pdf")
			f := filepath.Join(t.TempDir(), "document.pdf")
			os.WriteFile(f, sealed, 0o600)
			out := evidencetest.Pdfsig(t, f)
			if !strings.Contains(out, "Signature is Valid") || !strings.Contains(out, "Total document signed") {
				t.Fatalf("pdfsig does not accept the seal:\n%s", out)
			}
			if q, err := exec.Command("qpdf", "--check", f).CombinedOutput(); err != nil {
				t.Fatalf("qpdf --check: %v\n%s", err, q)
			}
			if d, err := exec.Command("pdfdetach", "-list", f).CombinedOutput(); err != nil || !strings.Contains(string(d), "transfervermerk.xml") {
				t.Fatalf("pdfdetach -list: %v\n%s", err, d)
			}
			// One flipped byte inside the signed range must be caught by pdfsig.
			bad := append([]byte{}, sealed...)
			i := len(bad) / 3
			bad[i] ^= 0x01
			os.WriteFile(f, bad, 0o600)
			if out := evidencetest.Pdfsig(t, f); strings.Contains(out, "Signature is Valid") {
				t.Fatalf("pdfsig accepted a changed file:\n%s", out)
			}
		})
	}
}
