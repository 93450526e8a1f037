package signature_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"go.mozilla.org/pkcs7"

	"poststelle/mailroom"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/evidence/evidencetest"
	"poststelle/mailroom/inbox"
	"poststelle/mailroom/pdf"
	"poststelle/mailroom/signature"
	"poststelle/mailroom/testcorpus"
)

func trusting(pki *evidencetest.PKI) *signature.Verifier {
	roots := x509.NewCertPool()
	roots.AddCert(pki.CA)
	return &signature.Verifier{Roots: roots}
}

// sealedPDF is a corpus PDF with a PAdES signature from the test PKI.
func sealedPDF(t *testing.T, pki *evidencetest.PKI) []byte {
	t.Helper()
	orig, err := os.ReadFile(testcorpus.Path(t, "ocrmypdf", "linn.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	s := &evidence.SignerSealer{Key: pki.SealKey, Chain: []*x509.Certificate{pki.Seal, pki.CA}, Name: "Test"}
	signed, err := s.SealPDF(context.Background(), orig, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// A signed PDF changed after its signature — an incremental update that
// replaces the catalog, or bytes appended — is reported as "nach der
// Signatur geändert": signature_valid false, signature_covers_file false and
// the flag changed-after-signing. A trailing newline is no change.
func TestPDFChangedAfterSigning(t *testing.T) {
	pki := evidencetest.NewPKI(t)
	v := trusting(pki)
	signed := sealedPDF(t, pki)
	r, found := v.VerifyPDF(signed)
	if !found || !r.Valid || !r.Trusted || !r.CoversFile || len(signature.Flags([]signature.Result{r})) != 0 {
		t.Fatalf("untouched signed PDF: %+v", r)
	}
	if r, _ := v.VerifyPDF(append(append([]byte{}, signed...), "\r\n"...)); !r.Valid || !r.CoversFile {
		t.Fatalf("trailing newline counted as a change: %+v", r)
	}

	u, err := pdf.NewUpdate(signed)
	if err != nil {
		t.Fatal(err)
	}
	id := u.Alloc()
	u.Put(id, []byte("<< /Title (nachträglich geändert) >>"))
	updated, err := u.Finish()
	if err != nil {
		t.Fatal(err)
	}
	appended := append(append([]byte{}, signed...), "\n% kein Teil der Signatur\n"...)
	for name, data := range map[string][]byte{"incremental update": updated, "appended bytes": appended} {
		r, found := v.VerifyPDF(data)
		md := r.Metadata("")
		if !found || r.Valid || r.CoversFile || md["signature_valid"] != "false" || md["signature_covers_file"] != "false" ||
			!strings.Contains(r.Problem, "nach der Signatur geändert") {
			t.Errorf("%s: %+v", name, r)
		}
		if f := signature.Flags([]signature.Result{r}); len(f) != 1 || f[0] != signature.FlagChangedAfterSigning {
			t.Errorf("%s: flags %v", name, f)
		}
	}

	// The classifier passes the flag on with the signed flag.
	f := t.TempDir() + "/changed.pdf"
	os.WriteFile(f, updated, 0o600)
	cl, err := (&signature.Classifier{Verifier: v}).Classify(context.Background(), classifyPDF(f))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cl.Flags, ",") != "signed,"+signature.FlagChangedAfterSigning || cl.Metadata["signature_valid"] != "false" {
		t.Fatalf("classifier: flags %v, metadata %v", cl.Flags, cl.Metadata)
	}
}

// A gap in the signed range that holds more than the signature's hex
// string leaves bytes unsigned: the signature is not valid.
func TestPDFGapHoldsOnlyTheSignature(t *testing.T) {
	pki := evidencetest.NewPKI(t)
	v := trusting(pki)
	signed := sealedPDF(t, pki)
	r, _ := pdf.NewReader(bytes.NewReader(signed), int64(len(signed)))
	sigs, err := r.Signatures()
	if err != nil || len(sigs) != 1 {
		t.Fatalf("signatures: %v %v", sigs, err)
	}
	br := sigs[0].ByteRange
	bad := append([]byte{}, signed...)
	// Replace the last padding zeros of /Contents by text: still in the gap,
	// no longer hex.
	at := int(br[2]) - 12
	if !bytes.Equal(bad[at:at+10], []byte("0000000000")) {
		t.Fatalf("no padding before the end of the gap: %q", bad[at:at+10])
	}
	copy(bad[at:], "(versteckt")
	res, _ := v.VerifyPDF(bad)
	if res.Valid || !strings.Contains(res.Problem, "Lücke") {
		t.Fatalf("text in the gap accepted: %+v", res)
	}
}

// smimeSigner issues an S/MIME certificate from the test CA.
func smimeSigner(t *testing.T, pki *evidencetest.PKI, email string, ku x509.KeyUsage, eku []x509.ExtKeyUsage) (*x509.Certificate, crypto.Signer) {
	return pki.Issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "Erika Mustermann"}, EmailAddresses: []string{email},
		KeyUsage: ku, ExtKeyUsage: eku})
}

func signedMail(t *testing.T, cert *x509.Certificate, key crypto.Signer, from string) []byte {
	t.Helper()
	body := "Content-Type: text/plain; charset=utf-8\r\n\r\nAntrag auf Akteneinsicht."
	sd, err := pkcs7.NewSignedData([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := sd.AddSigner(cert, key, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return []byte("From: " + from + "\r\nTo: poststelle@example.org\r\nSubject: Antrag\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\n" + body + "\r\n--b1\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString(der) + "\r\n--b1--\r\n")
}

// S/MIME: the signer is compared with From (a mismatch is flagged and
// named, the signature itself stays valid), and the certificate's key usage
// must allow signing e-mail.
func TestSMIMESignerAndKeyUsage(t *testing.T) {
	pki := evidencetest.NewPKI(t)
	v := trusting(pki)
	good, goodKey := smimeSigner(t, pki, "erika@example.org", x509.KeyUsageDigitalSignature, []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection})

	m := inbox.Parse(signedMail(t, good, goodKey, "Erika Mustermann <Erika@Example.org>"), v)
	if len(m.Signatures) != 1 || !m.Signatures[0].Valid || !m.Signatures[0].Trusted || m.Signatures[0].FromMismatch {
		t.Fatalf("matching sender: %+v", m.Signatures)
	}
	if f := signature.Flags(m.Signatures); len(f) != 0 {
		t.Fatalf("flags for a matching sender: %v", f)
	}

	m = inbox.Parse(signedMail(t, good, goodKey, "Max Muster <max@example.com>"), v)
	s := m.Signatures[0]
	md := s.Metadata("mail_")
	if !s.Valid || !s.Trusted || !s.FromMismatch || md["mail_signature_from_mismatch"] != "true" ||
		!strings.Contains(s.Problem, "nicht der Absender") || !strings.Contains(s.Problem, "erika@example.org") {
		t.Fatalf("other sender: %+v", s)
	}
	if f := signature.Flags(m.Signatures); len(f) != 1 || f[0] != signature.FlagSignerNotSender {
		t.Fatalf("flags: %v", f)
	}
	meta := inbox.MailMetadata(m)
	if meta["mail_signature_from_mismatch"] != "true" {
		t.Errorf("mail metadata does not carry the mismatch: %v", meta)
	}

	for name, c := range map[string]struct {
		ku  x509.KeyUsage
		eku []x509.ExtKeyUsage
	}{
		"key encipherment only": {x509.KeyUsageKeyEncipherment, []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}},
		"server auth only":      {x509.KeyUsageDigitalSignature, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}},
	} {
		cert, key := smimeSigner(t, pki, "erika@example.org", c.ku, c.eku)
		s := inbox.Parse(signedMail(t, cert, key, "erika@example.org"), v).Signatures[0]
		if !s.Valid || s.Trusted || s.Metadata("")["signer_trusted"] != "false" || s.Problem == "" {
			t.Errorf("%s: %+v", name, s)
		}
	}
}

func classifyPDF(path string) mailroom.ClassifyInput {
	return mailroom.ClassifyInput{Original: path, MediaType: mailroom.MediaPDF}
}
