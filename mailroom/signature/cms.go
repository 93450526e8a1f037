package signature

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"os"
	"strings"
	"time"

	"go.mozilla.org/pkcs7"
)

// Result is the outcome of one signature check.
type Result struct {
	Kind        string // smime, p7m, pdf, pgp
	Valid       bool   // the signed bytes are unchanged and the signature matches the signer's key
	Trusted     bool   // the signer certificate chains to a trusted CA
	Checked     bool   // false: present but not checkable (e.g. PGP without keyring)
	Signer      string // subject common name and e-mail address
	SignerEmail string
	Issuer      string
	SigningTime time.Time
	Problem     string // why Valid or Trusted is false
}

// Metadata returns the result as document metadata under prefix (e.g. "mail_" or "").
func (r Result) Metadata(prefix string) map[string]string {
	m := map[string]string{prefix + "signature": r.Kind}
	if !r.Checked {
		m[prefix+"signature_valid"] = "unchecked"
	} else {
		m[prefix+"signature_valid"] = fmt.Sprint(r.Valid)
		m[prefix+"signer_trusted"] = fmt.Sprint(r.Trusted)
	}
	if r.Signer != "" {
		m[prefix+"signer"] = r.Signer
	}
	if r.Issuer != "" {
		m[prefix+"signer_issuer"] = r.Issuer
	}
	if !r.SigningTime.IsZero() {
		m[prefix+"signing_time"] = r.SigningTime.UTC().Format(time.RFC3339)
	}
	if r.Problem != "" {
		m[prefix+"signature_problem"] = r.Problem
	}
	return m
}

// Verifier checks CMS signatures against a set of trusted roots.
type Verifier struct {
	Roots *x509.CertPool // nil: the system roots
}

// NewVerifier uses the system roots plus the PEM certificates in caFile (if any).
func NewVerifier(caFile string) (*Verifier, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if caFile != "" {
		b, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("trust CA file: %w", err)
		}
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("trust CA file %s: no PEM certificates", caFile)
		}
	}
	return &Verifier{Roots: pool}, nil
}

var (
	oidSignedData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidEnvelopedData     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 3}
	oidEncryptedData     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidAuthEnvelopedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 23}
	oidSigningTime       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
)

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,optional,tag:0"`
}

// ContentType reports "signed", "encrypted" or "" for a DER CMS structure.
func ContentType(der []byte) string {
	var ci contentInfo
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		return ""
	}
	switch {
	case ci.ContentType.Equal(oidSignedData):
		return "signed"
	case ci.ContentType.Equal(oidEnvelopedData), ci.ContentType.Equal(oidAuthEnvelopedData), ci.ContentType.Equal(oidEncryptedData):
		return "encrypted"
	}
	return ""
}

// VerifyDetached checks a detached signature (S/MIME multipart/signed, .p7s,
// PDF) over content.
func (v *Verifier) VerifyDetached(kind string, content, sigDER []byte) Result {
	r := Result{Kind: kind, Checked: true}
	p7, err := pkcs7.Parse(sigDER)
	if err != nil {
		r.Problem = "Signatur nicht lesbar / signature unreadable: " + err.Error()
		return r
	}
	p7.Content = content
	v.check(p7, &r)
	return r
}

// VerifyAttached checks an opaque signature (.p7m, application/pkcs7-mime
// signed-data) and returns the signed content.
func (v *Verifier) VerifyAttached(kind string, der []byte) (Result, []byte) {
	r := Result{Kind: kind, Checked: true}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		r.Problem = "Signatur nicht lesbar / signature unreadable: " + err.Error()
		return r, nil
	}
	if len(p7.Content) == 0 {
		r.Problem = "Signatur ohne Inhalt (abgesetzte Signatur) / signature without content (detached)"
		return r, nil
	}
	v.check(p7, &r)
	return r, p7.Content
}

func (v *Verifier) check(p7 *pkcs7.PKCS7, r *Result) {
	if cert := p7.GetOnlySigner(); cert != nil {
		r.Signer = signerName(cert)
		if len(cert.EmailAddresses) > 0 {
			r.SignerEmail = cert.EmailAddresses[0]
		}
		r.Issuer = cert.Issuer.CommonName
		if r.Issuer == "" {
			r.Issuer = cert.Issuer.String()
		}
	} else if len(p7.Signers) > 1 {
		r.Signer = fmt.Sprintf("%d Unterzeichner / signers", len(p7.Signers))
	}
	var st time.Time
	if err := p7.UnmarshalSignedAttribute(oidSigningTime, &st); err == nil {
		r.SigningTime = st
	}
	if err := p7.Verify(); err != nil {
		r.Problem = "Signatur ungültig / signature invalid: " + err.Error()
		return
	}
	r.Valid = true
	roots := v.Roots
	if roots == nil {
		roots, _ = x509.SystemCertPool()
	}
	if roots == nil {
		r.Problem = "keine vertrauenswürdigen Zertifikate / no trusted roots"
		return
	}
	if err := p7.VerifyWithChain(roots); err != nil {
		r.Problem = "Zertifikat nicht vertrauenswürdig / certificate not trusted: " + err.Error()
		return
	}
	r.Trusted = true
}

func signerName(c *x509.Certificate) string {
	n := c.Subject.CommonName
	if n == "" {
		n = c.Subject.String()
	}
	if len(c.EmailAddresses) > 0 && !strings.Contains(n, c.EmailAddresses[0]) {
		n += " <" + c.EmailAddresses[0] + ">"
	}
	return n
}

// Canonical converts line ends to CRLF, as S/MIME signs the canonical form.
func Canonical(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
}
