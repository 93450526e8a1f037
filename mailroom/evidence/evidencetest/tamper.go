package evidencetest

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"io"
	"net/http"
	"testing"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"

	"poststelle/mailroom/pdf"
)

// lastSignature returns the /ByteRange of a PDF's last signature.
func lastSignature(t testing.TB, data []byte) [4]int64 {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	must(t, err)
	sigs, err := r.Signatures()
	must(t, err)
	if len(sigs) == 0 {
		t.Fatal("PDF has no signature")
	}
	return sigs[len(sigs)-1].ByteRange
}

// SignedContent returns the bytes the PDF's last signature covers.
func SignedContent(t testing.TB, data []byte) []byte {
	t.Helper()
	br := lastSignature(t, data)
	return append(append([]byte{}, data[br[0]:br[0]+br[1]]...), data[br[2]:br[2]+br[3]]...)
}

// ReplaceSignature writes der into the /Contents of the PDF's last
// signature (hex, padded with zeros, as PDF writers do) and returns the
// new file; the byte range stays the same, so the file is otherwise
// unchanged. The test fails when der does not fit.
func ReplaceSignature(t testing.TB, data, der []byte) []byte {
	t.Helper()
	br := lastSignature(t, data)
	start, end := br[0]+br[1], br[2] // the gap: <hex>
	room := int(end-start) - 2
	h := []byte(hex.EncodeToString(der))
	if len(h) > room {
		t.Fatalf("new signature (%d hex digits) does not fit the placeholder (%d)", len(h), room)
	}
	out := append([]byte{}, data...)
	copy(out[start+1:], h)
	for i := start + 1 + int64(len(h)); i < end-1; i++ {
		out[i] = '0'
	}
	return out
}

var oidSignatureTimestamp = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}

// Signer is a further signer of a CMS signature.
type Signer struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// SealCMS makes a detached CMS signature over content with the PKI's seal
// key and chain, then each extra signer. tokenFor, if set, is called with
// the first signer's signature value and returns the token that becomes its
// signature timestamp (unsigned attribute).
func (p *PKI) SealCMS(t testing.TB, content []byte, extra []Signer, tokenFor func(sig []byte) []byte) []byte {
	t.Helper()
	return p.CMS(t, Signer{Cert: p.Seal, Key: p.SealKey}, content, extra, tokenFor)
}

// CMS is SealCMS with another first signer (issued by the PKI's CA).
func (p *PKI) CMS(t testing.TB, first Signer, content []byte, extra []Signer, tokenFor func(sig []byte) []byte) []byte {
	t.Helper()
	sd, err := pkcs7.NewSignedData(content)
	must(t, err)
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	must(t, sd.AddSignerChain(first.Cert, first.Key, []*x509.Certificate{p.CA}, pkcs7.SignerInfoConfig{}))
	for _, s := range extra {
		must(t, sd.AddSigner(s.Cert, s.Key, pkcs7.SignerInfoConfig{}))
	}
	sd.Detach()
	if tokenFor != nil {
		si := &sd.GetSignedData().SignerInfos[0]
		tok := tokenFor(si.EncryptedDigest)
		must(t, si.SetUnauthenticatedAttributes([]pkcs7.Attribute{{Type: oidSignatureTimestamp, Value: asn1.RawValue{FullBytes: tok}}}))
	}
	der, err := sd.Finish()
	must(t, err)
	return der
}

// Token asks the TSA at url for a token over data; withCerts says whether
// the token shall carry the TSA certificate (RFC 3161 certReq).
func Token(t testing.TB, url string, data []byte, withCerts bool) []byte {
	t.Helper()
	req, err := timestamp.CreateRequest(bytes.NewReader(data), &timestamp.RequestOptions{Hash: crypto.SHA256, Certificates: withCerts})
	must(t, err)
	resp, err := http.Post(url, "application/timestamp-query", bytes.NewReader(req))
	must(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	must(t, err)
	ts, err := timestamp.ParseResponse(body)
	must(t, err)
	if withCerts != (len(ts.Certificates) > 0) {
		t.Fatalf("token carries %d certificates, asked for certificates: %v", len(ts.Certificates), withCerts)
	}
	return ts.RawToken
}
