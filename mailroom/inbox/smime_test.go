package inbox_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mozilla.org/pkcs7"

	"poststelle/mailroom"
	"poststelle/mailroom/inbox"
	"poststelle/mailroom/signature"
)

type signer struct {
	ca, cert *x509.Certificate
	key      *rsa.PrivateKey
}

func newSigner(t *testing.T) signer {
	caKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	caT := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test-CA Bürgerdienste"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour * 24), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, _ := x509.CreateCertificate(rand.Reader, caT, caT, &caKey.PublicKey, caKey)
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	eeT := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Erika Mustermann"},
		EmailAddresses: []string{"erika@example.org"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}}
	der, err := x509.CreateCertificate(rand.Reader, eeT, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return signer{ca: ca, cert: cert, key: key}
}

func (s signer) sign(t *testing.T, content []byte, detached bool) []byte {
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	if err := sd.AddSigner(s.cert, s.key, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	if detached {
		sd.Detach()
	}
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func b64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	return out.String() + s + "\r\n"
}

// signedMail builds an S/MIME multipart/signed mail (RFC 8551) over a body
// with a PDF attachment.
func signedMail(t *testing.T, s signer, tamper bool) []byte {
	inner := "Content-Type: multipart/mixed; boundary=\"in\"\r\n\r\n--in\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Antrag auf Akteneinsicht, signiert.\r\n--in\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"antrag.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + b64([]byte("%PDF-1.4 antrag")) + "--in--\r\n"
	sig := s.sign(t, []byte(inner), true)
	if tamper {
		inner = strings.Replace(inner, "Akteneinsicht", "Akteneinsichx", 1)
	}
	return []byte("From: Erika Mustermann <erika@example.org>\r\nTo: poststelle@stadt.example\r\nSubject: Signiert\r\n" +
		"Message-ID: <signed@example.org>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"out\"\r\n\r\n" +
		"--out\r\n" + inner + "\r\n--out\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\n" +
		"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"smime.p7s\"\r\n\r\n" + b64(sig) + "--out--\r\n")
}

func TestSMIMESigned(t *testing.T) {
	s := newSigner(t)
	pool := x509.NewCertPool()
	pool.AddCert(s.ca)
	v := &signature.Verifier{Roots: pool}
	m := inbox.Parse(signedMail(t, s, false), v)
	if len(m.Signatures) != 1 || !m.Signatures[0].Valid || !m.Signatures[0].Trusted {
		t.Fatalf("valid signature not recognised: %+v", m.Signatures)
	}
	if !strings.Contains(m.Signatures[0].Signer, "Erika Mustermann") || len(m.Attachments) != 1 || m.Attachments[0].Filename != "antrag.pdf" {
		t.Fatalf("signer %q attachments %+v", m.Signatures[0].Signer, m.Attachments)
	}
	meta := inbox.MailMetadata(m)
	if meta["mail_signature_valid"] != "true" || meta["mail_signer_trusted"] != "true" {
		t.Errorf("metadata %v", meta)
	}
	// Untrusted CA: integrity valid, trust false.
	m = inbox.Parse(signedMail(t, s, false), &signature.Verifier{Roots: x509.NewCertPool()})
	if !m.Signatures[0].Valid || m.Signatures[0].Trusted {
		t.Errorf("unknown CA: %+v", m.Signatures[0])
	}
	// Changed content: invalid.
	m = inbox.Parse(signedMail(t, s, true), v)
	if m.Signatures[0].Valid {
		t.Error("tampered mail reported valid")
	}
	// LF line ends (a mail saved on Unix) verify too.
	lf := bytes.ReplaceAll(signedMail(t, s, false), []byte("\r\n"), []byte("\n"))
	if m = inbox.Parse(lf, v); !m.Signatures[0].Valid {
		t.Errorf("LF copy: %+v", m.Signatures[0])
	}
	// Opaque signed (application/pkcs7-mime; smime-type=signed-data).
	content := "Content-Type: text/plain; charset=utf-8\r\n\r\nUndurchsichtig signiert.\r\n"
	opaque := []byte("From: e@example.org\r\nSubject: Opaque\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		b64(s.sign(t, []byte(content), false)))
	m = inbox.Parse(opaque, v)
	if len(m.Signatures) != 1 || !m.Signatures[0].Valid || !strings.Contains(m.Text, "Undurchsichtig signiert") {
		t.Errorf("opaque: %+v text %q", m.Signatures, m.Text)
	}
}

func TestEncryptedMailQuarantined(t *testing.T) {
	s := newSigner(t)
	der, err := pkcs7.Encrypt([]byte("Content-Type: text/plain\r\n\r\ngeheim\r\n"), []*x509.Certificate{s.cert})
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte("From: e@example.org\r\nSubject: Verschlüsselt\r\nMessage-ID: <enc@example.org>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(der))
	e, st := newEngine(t, "separate")
	path := filepath.Join(t.TempDir(), "enc.eml")
	os.WriteFile(path, raw, 0o600)
	b, _, err := st.Intake(context.Background(), mailroom.Item{Source: "cli", Path: path, Name: "enc.eml"})
	if err != nil {
		t.Fatal(err)
	}
	docs := processAll(t, e, st, b.ID)
	if len(docs) != 1 || docs[0].State != mailroom.StateQuarantined || !strings.Contains(docs[0].Reason, "Verschlüsselte Nachricht") {
		t.Fatalf("encrypted mail: %+v", docs)
	}
	got, _ := os.ReadFile(st.OriginalPath(b.SHA256))
	if !bytes.Equal(got, raw) {
		t.Error("encrypted mail not kept unchanged")
	}
}

func TestSignedP7MAndPDF(t *testing.T) {
	s := newSigner(t)
	pool := x509.NewCertPool()
	pool.AddCert(s.ca)
	c := &signature.Classifier{Verifier: &signature.Verifier{Roots: pool}}
	dir := t.TempDir()
	pdf := []byte("%PDF-1.4\nsigned content\n%%EOF\n")
	p7m := filepath.Join(dir, "bescheid.pdf.p7m")
	os.WriteFile(p7m, s.sign(t, pdf, false), 0o600)
	before, _ := os.ReadFile(p7m)
	cl, err := c.Classify(context.Background(), mailroom.ClassifyInput{Original: p7m, MediaType: mailroom.MediaPKCS7, Filename: "bescheid.pdf.p7m", OutDir: filepath.Join(dir, "out")})
	if err != nil {
		t.Fatal(err)
	}
	if cl.Metadata["signature_valid"] != "true" || cl.Metadata["signer_trusted"] != "true" || !cl.KeepOriginal || cl.Rendition == "" {
		t.Fatalf("p7m: %+v", cl)
	}
	if r, _ := os.ReadFile(cl.Rendition); !bytes.Equal(r, pdf) {
		t.Error("p7m rendition is not the signed PDF content")
	}
	if after, _ := os.ReadFile(p7m); !bytes.Equal(before, after) {
		t.Error("signed original modified")
	}
	// A PDF with a /ByteRange signature (built by hand around a detached CMS).
	head := []byte("%PDF-1.4\n1 0 obj\n<< /Type /Sig /ByteRange [0 AAAAAAAAAA BBBBBBBBBB CCCCCCCCCC] /Contents <")
	tail := []byte("> >>\nendobj\ntrailer\n<< >>\n%%EOF\n")
	const hexLen = 8192
	a := len(head) - 1 // up to and excluding "<"
	bStart := a + 2 + hexLen
	fill := func(h []byte, n int, w string) []byte {
		return bytes.Replace(h, []byte(w), []byte(strings.Repeat(" ", 10-len(itoa(n)))+itoa(n)), 1)
	}
	head = fill(head, a, "AAAAAAAAAA")
	head = fill(head, bStart, "BBBBBBBBBB")
	head = fill(head, len(tail)-1, "CCCCCCCCCC")
	signed := append(append([]byte{}, head[:a]...), tail[1:]...)
	sig := s.sign(t, signed, true)
	hexSig := []byte(strings.ToUpper(bytesToHex(sig)))
	hexSig = append(hexSig, bytes.Repeat([]byte("0"), hexLen-len(hexSig))...)
	doc := append(append(append([]byte{}, head...), hexSig...), tail...)
	pdfPath := filepath.Join(dir, "signed.pdf")
	os.WriteFile(pdfPath, doc, 0o600)
	cl, err = c.Classify(context.Background(), mailroom.ClassifyInput{Original: pdfPath, MediaType: mailroom.MediaPDF})
	if err != nil {
		t.Fatal(err)
	}
	if cl.Metadata["signature"] != "pdf" || cl.Metadata["signature_valid"] != "true" || !cl.KeepOriginal {
		t.Fatalf("signed PDF: %+v", cl.Metadata)
	}
	doc[10] ^= 1 // change a signed byte ("1 0 obj" becomes "0 0 obj")
	os.WriteFile(pdfPath, doc, 0o600)
	cl, _ = c.Classify(context.Background(), mailroom.ClassifyInput{Original: pdfPath, MediaType: mailroom.MediaPDF})
	if cl.Metadata["signature_valid"] != "false" {
		t.Errorf("tampered PDF: %+v", cl.Metadata)
	}
}

func itoa(n int) string {
	return strings.TrimSpace(strings.Repeat(" ", 0) + big.NewInt(int64(n)).String())
}

func bytesToHex(b []byte) string {
	const h = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = h[c>>4], h[c&15]
	}
	return string(out)
}
