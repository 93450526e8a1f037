package signature

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"os"
	"regexp"
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
	// CoversFile (PDF only): the last signature covers the whole file; false
	// means the file was changed after signing (Valid is then false too).
	CoversFile bool
	// SignerEmails are all addresses of the signer certificate (subject
	// alternative names and the subject's emailAddress).
	SignerEmails []string
	// FromMismatch (S/MIME): the mail's From names none of SignerEmails
	// (set by CheckSender).
	FromMismatch bool
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
	if r.Kind == "pdf" && r.Checked {
		m[prefix+"signature_covers_file"] = fmt.Sprint(r.CoversFile)
	}
	if r.FromMismatch {
		m[prefix+"signature_from_mismatch"] = "true"
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
	cert := p7.GetOnlySigner()
	if cert != nil {
		r.Signer = signerName(cert)
		r.SignerEmails = certEmails(cert)
		if len(r.SignerEmails) > 0 {
			r.SignerEmail = r.SignerEmails[0]
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
	if err := v.trust(p7, r.Kind, r.SigningTime); err != nil {
		r.Problem = err.Error()
		return
	}
	r.Trusted = true
}

// trust checks every signer's certificate: the key usage allows signing
// (digitalSignature or contentCommitment when the extension is present),
// S/MIME signers are allowed e-mail protection (extended key usage), and
// the chain leads to a trusted root at the signing time the signature
// states (now when it states none).
func (v *Verifier) trust(p7 *pkcs7.PKCS7, kind string, at time.Time) error {
	roots := v.Roots
	if roots == nil {
		roots, _ = x509.SystemCertPool()
	}
	if roots == nil {
		return fmt.Errorf("keine vertrauenswürdigen Zertifikate / no trusted roots")
	}
	inter := x509.NewCertPool()
	for _, c := range p7.Certificates {
		inter.AddCert(c)
	}
	if at.IsZero() {
		at = time.Now()
	}
	eku := []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
	if kind == "smime" {
		eku = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}
	}
	for _, si := range p7.Signers {
		cert := signerCert(p7, si.IssuerAndSerialNumber.SerialNumber.String(), si.IssuerAndSerialNumber.IssuerName.FullBytes)
		if cert == nil {
			return fmt.Errorf("Zertifikat des Unterzeichners fehlt / signer certificate missing")
		}
		if cert.KeyUsage != 0 && cert.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
			return fmt.Errorf("Zertifikat %s ist nicht zum Signieren bestimmt (Schlüsselverwendung) / "+
				"certificate %s is not meant for signing (key usage)", cert.Subject.CommonName, cert.Subject.CommonName)
		}
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: eku, CurrentTime: at}); err != nil {
			return fmt.Errorf("Zertifikat nicht vertrauenswürdig / certificate not trusted: %v", err)
		}
	}
	return nil
}

func signerCert(p7 *pkcs7.PKCS7, serial string, issuer []byte) *x509.Certificate {
	for _, c := range p7.Certificates {
		if c.SerialNumber.String() == serial && bytes.Equal(c.RawIssuer, issuer) {
			return c
		}
	}
	return nil
}

var oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

// certEmails returns the certificate's e-mail addresses, lower-cased:
// subject alternative names first, then the subject's emailAddress.
func certEmails(c *x509.Certificate) []string {
	var out []string
	seen := map[string]bool{}
	add := func(a string) {
		a = strings.ToLower(strings.TrimSpace(a))
		if a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, a := range c.EmailAddresses {
		add(a)
	}
	for _, n := range c.Subject.Names {
		if s, ok := n.Value.(string); ok && n.Type.Equal(oidEmailAddress) {
			add(s)
		}
	}
	return out
}

var reAddress = regexp.MustCompile(`[^\s<>(),;:"\[\]]+@[^\s<>(),;:"\[\]]+`)

// CheckSender compares an S/MIME signer with the mail's From header: when
// From names none of the signer certificate's addresses, FromMismatch is
// set and the problem says so (the signature may be valid and trusted: it
// is someone else's). Results of other kinds are returned unchanged.
func (r Result) CheckSender(from string) Result {
	if r.Kind != "smime" || !r.Checked || !r.Valid {
		return r
	}
	for _, a := range reAddress.FindAllString(from, -1) {
		for _, e := range r.SignerEmails {
			if strings.EqualFold(a, e) {
				return r
			}
		}
	}
	r.FromMismatch = true
	who := strings.Join(r.SignerEmails, ", ")
	if who == "" {
		who = "keine Adresse / no address"
	}
	msg := fmt.Sprintf("Unterzeichner (%s) ist nicht der Absender %q / signer (%s) is not the sender %q", who, from, who, from)
	if r.Problem != "" {
		msg = r.Problem + "; " + msg
	}
	r.Problem = msg
	return r
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

// Flags a document gets from its signature checks, for the desk to show.
const (
	// FlagSignerNotSender: an S/MIME signer is not the mail's sender.
	FlagSignerNotSender = "signer-not-sender"
	// FlagChangedAfterSigning: a signed PDF was changed after its last
	// signature (bytes after the signed range).
	FlagChangedAfterSigning = "changed-after-signing"
)

// Flags returns the flags for the results (each flag once).
func Flags(rs []Result) []string {
	var out []string
	add := func(f string) {
		for _, x := range out {
			if x == f {
				return
			}
		}
		out = append(out, f)
	}
	for _, r := range rs {
		if r.FromMismatch {
			add(FlagSignerNotSender)
		}
		if r.Kind == "pdf" && r.Checked && !r.CoversFile {
			add(FlagChangedAfterSigning)
		}
	}
	return out
}
