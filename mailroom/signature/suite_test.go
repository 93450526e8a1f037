package signature_test

import (
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"go.mozilla.org/pkcs7"

	"poststelle/mailroom"
	"poststelle/mailroom/classifiertest"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/evidence/evidencetest"
	"poststelle/mailroom/signature"
	"poststelle/mailroom/testcorpus"
)

// TestClassifierSuite runs the shared classifier suite on a .p7m container
// with a PDF inside and on a PAdES-signed PDF, both signed with a throw-away
// PKI whose CA the verifier trusts.
func TestClassifierSuite(t *testing.T) {
	pki := evidencetest.NewPKI(t)
	dir := t.TempDir()
	pdf, err := os.ReadFile(testcorpus.Path(t, "ocrmypdf", "linn.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	sd, err := pkcs7.NewSignedData(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if err := sd.AddSigner(pki.Seal, pki.SealKey, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	p7m := filepath.Join(dir, "antrag.pdf.p7m")
	os.WriteFile(p7m, der, 0o640)

	sealer := &evidence.SignerSealer{Key: pki.SealKey, Chain: []*x509.Certificate{pki.Seal, pki.CA}, Name: "Test"}
	signed, err := sealer.SealPDF(context.Background(), pdf, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	signedPDF := filepath.Join(dir, "signed.pdf")
	os.WriteFile(signedPDF, signed, 0o640)

	roots := x509.NewCertPool()
	roots.AddCert(pki.CA)
	c := &signature.Classifier{Verifier: &signature.Verifier{Roots: roots}}
	classifiertest.Run(t, c, []classifiertest.Case{
		{Name: "p7m-with-pdf", Path: p7m, MediaType: mailroom.MediaPKCS7, WantKeep: true, WantRendition: true,
			WantFlags: []string{mailroom.FlagSigned},
			WantMeta:  map[string]string{"signature_valid": "true", "signer_trusted": "true", "signed_content": "application/pdf"}},
		{Name: "pades-pdf", Path: signedPDF, MediaType: mailroom.MediaPDF, WantKeep: true,
			WantFlags: []string{mailroom.FlagSigned},
			WantMeta:  map[string]string{"signature_valid": "true", "signer_trusted": "true"}},
	})
}
