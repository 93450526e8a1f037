package evidence

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"
)

// Anchors are trusted certificates read from a PEM file: the pool chains
// end in, and the certificates themselves, so that a timestamp token that
// carries no certificate can name one of them (by issuer and serial number).
type Anchors struct {
	Pool  *x509.CertPool
	Certs []*x509.Certificate
}

// NewAnchors makes anchors of certificates.
func NewAnchors(certs ...*x509.Certificate) *Anchors {
	a := &Anchors{Pool: x509.NewCertPool()}
	for _, c := range certs {
		a.Pool.AddCert(c)
		a.Certs = append(a.Certs, c)
	}
	return a
}

// maxAnchorFile bounds a PEM file of trust anchors.
const maxAnchorFile = 16 << 20

// LoadAnchors reads the certificates of a PEM file; a file without any is
// an error.
func LoadAnchors(path string) (*Anchors, error) {
	data, err := readLimited(path, maxAnchorFile)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for len(data) > 0 {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s: keine Zertifikate / no certificates", path)
	}
	return NewAnchors(certs...), nil
}

// pool returns the anchors' pool, nil for no anchors.
func (a *Anchors) pool() *x509.CertPool {
	if a == nil {
		return nil
	}
	return a.Pool
}

// problem is why a signature or timestamp does not verify. unverifiable
// means the material may be fine but this verifier cannot tell (no trust
// anchors configured); otherwise the material is broken.
type problem struct {
	de, en       string
	unverifiable bool
}

func broken(de, en string, args ...any) *problem {
	return &problem{de: fmt.Sprintf(de, args...), en: fmt.Sprintf(en, args...)}
}

func notVerifiable(de, en string, args ...any) *problem {
	p := broken(de, en, args...)
	p.unverifiable = true
	return p
}

var (
	oidTSTInfo    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	oidSigningAt  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
)

// encapType returns the type of the content a CMS SignedData encapsulates.
func encapType(der []byte) asn1.ObjectIdentifier {
	var ci struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(der, &ci); err != nil || !ci.Type.Equal(oidSignedData) {
		return nil
	}
	var sd struct {
		Version    int
		Digests    asn1.RawValue
		Encap      struct{ Type asn1.ObjectIdentifier }
		Additional asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return nil
	}
	return sd.Encap.Type
}

// TokenInfo is a verified timestamp: the time it proves and its TSA.
type TokenInfo struct {
	Time time.Time
	TSA  *x509.Certificate
}

// VerifyToken checks an RFC 3161 timestamp token over data: exactly one
// signer over a TSTInfo, whose certificate the token carries or — when it
// carries none — one of the TSA anchors' certificates is (matched by issuer
// and serial number); the signature; the imprint equal to the hash of
// data; the certificate meant for timestamping (extended key usage
// timeStamping, RFC 3161 §2.3; key usage, if present, allowing signatures);
// and its chain to the TSA anchors at the time the token states. Without
// anchors the result is not verifiable.
func VerifyToken(der, data []byte, tsa *Anchors) (*TokenInfo, error) {
	info, p := verifyToken(der, data, tsa)
	if p != nil {
		return info, fmt.Errorf("%s", p.en)
	}
	return info, nil
}

func verifyToken(der, data []byte, tsa *Anchors) (*TokenInfo, *problem) {
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return nil, broken("Zeitstempel nicht lesbar: %v", "timestamp token unreadable: %v", err)
	}
	if !encapType(der).Equal(oidTSTInfo) {
		return nil, broken("Zeitstempel enthält kein TSTInfo", "timestamp token holds no TSTInfo")
	}
	if len(p7.Signers) != 1 {
		return nil, broken("Zeitstempel mit %d statt genau einem Unterzeichner", "timestamp token with %d signers instead of exactly one", len(p7.Signers))
	}
	si := p7.Signers[0].IssuerAndSerialNumber
	cert := findCert(p7.Certificates, si.IssuerName.FullBytes, si.SerialNumber.String())
	if cert == nil && tsa != nil {
		if cert = findCert(tsa.Certs, si.IssuerName.FullBytes, si.SerialNumber.String()); cert != nil {
			p7.Certificates = append(p7.Certificates, cert)
		}
	}
	if cert == nil {
		if tsa.pool() == nil {
			return nil, notVerifiable("Zeitstempel ohne TSA-Zertifikat und keine TSA-Vertrauensanker konfiguriert",
				"timestamp token without TSA certificate and no TSA trust anchors configured")
		}
		return nil, broken("Zeitstempel enthält kein TSA-Zertifikat und verweist auf keines der vertrauenswürdigen",
			"timestamp token carries no TSA certificate and references none of the trusted ones")
	}
	if err := p7.Verify(); err != nil {
		return nil, broken("Signatur des Zeitstempels ungültig: %v", "timestamp signature invalid: %v", err)
	}
	// The signature was checked above (with the anchor's certificate when
	// the token carries none); Parse reads the TSTInfo.
	ts, err := timestamp.Parse(der)
	if err != nil {
		return nil, broken("Zeitstempel nicht lesbar: %v", "timestamp token unreadable: %v", err)
	}
	h := ts.HashAlgorithm.New()
	h.Write(data)
	if !bytes.Equal(h.Sum(nil), ts.HashedMessage) {
		return nil, broken("Zeitstempel gehört zu anderen Daten (Hash weicht ab)", "timestamp is over other data (imprint differs)")
	}
	info := &TokenInfo{Time: ts.Time, TSA: cert}
	if p := tsaUsage(cert); p != nil {
		return info, p
	}
	if tsa.pool() == nil {
		return info, notVerifiable("Zeitstempel gültig, aber keine TSA-Vertrauensanker konfiguriert (--trust-tsa)",
			"timestamp valid, but no TSA trust anchors configured (--trust-tsa)")
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: tsa.pool(), Intermediates: certPool(p7.Certificates),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}, CurrentTime: ts.Time}); err != nil {
		return info, broken("TSA-Zertifikat %s zum Zeitpunkt %s nicht vertrauenswürdig: %v", "TSA certificate %s not trusted at %s: %v",
			cert.Subject.CommonName, ts.Time.UTC().Format(time.RFC3339), err)
	}
	return info, nil
}

// tsaUsage checks that a certificate is meant for timestamps.
func tsaUsage(c *x509.Certificate) *problem {
	ok := false
	for _, u := range c.ExtKeyUsage {
		ok = ok || u == x509.ExtKeyUsageTimeStamping
	}
	if !ok {
		return broken("TSA-Zertifikat %s ist nicht für Zeitstempel bestimmt (erweiterte Schlüsselverwendung)",
			"TSA certificate %s is not meant for timestamps (extended key usage)", c.Subject.CommonName)
	}
	if c.KeyUsage != 0 && c.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return broken("TSA-Zertifikat %s darf nicht signieren (Schlüsselverwendung)", "TSA certificate %s may not sign (key usage)", c.Subject.CommonName)
	}
	return nil
}

// signerUsage checks that a seal certificate may sign.
func signerUsage(c *x509.Certificate) *problem {
	if c.KeyUsage != 0 && c.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return broken("Zertifikat %s ist nicht zum Siegeln bestimmt (Schlüsselverwendung)", "certificate %s is not meant for sealing (key usage)",
			c.Subject.CommonName)
	}
	return nil
}

func findCert(certs []*x509.Certificate, issuer []byte, serial string) *x509.Certificate {
	for _, c := range certs {
		if c.SerialNumber.String() == serial && bytes.Equal(c.RawIssuer, issuer) {
			return c
		}
	}
	return nil
}

func certPool(certs []*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

// SealInfo is a verified seal (CMS SignedData with one signer).
type SealInfo struct {
	Signer    *x509.Certificate
	At        time.Time  // the time the certificate was checked at
	Timestamp *TokenInfo // the signature timestamp, nil if none
}

// verifySeal checks a detached CMS signature over content: exactly one
// signer whose certificate the signature carries, the signature, the
// certificate's key usage, the signature timestamp (when there is one)
// against the TSA anchors, and the chain to the seal anchors at the time
// the timestamp proves, else at the signing time the signature states,
// else now. A problem with the timestamp is returned as tsProblem (the
// seal itself may still verify).
func verifySeal(sig, content []byte, anchors, tsa *Anchors) (info *SealInfo, sealProblem, tsProblem *problem) {
	var rv asn1.RawValue
	if _, err := asn1.Unmarshal(sig, &rv); err == nil {
		sig = rv.FullBytes // drop the zero padding of /Contents
	}
	p7, err := pkcs7.Parse(sig)
	if err != nil {
		return nil, broken("Signatur nicht lesbar: %v", "signature unreadable: %v", err), nil
	}
	if len(p7.Signers) != 1 {
		return nil, broken("Siegel mit %d statt genau einem Unterzeichner", "seal with %d signers instead of exactly one", len(p7.Signers)), nil
	}
	signer := p7.GetOnlySigner()
	if signer == nil {
		return nil, broken("Siegel enthält das Zertifikat des Unterzeichners nicht", "seal does not carry the signer's certificate"), nil
	}
	info = &SealInfo{Signer: signer, At: time.Now()}
	var signedAt time.Time
	if p7.UnmarshalSignedAttribute(oidSigningAt, &signedAt) == nil {
		info.At = signedAt
	}
	// The signature timestamp covers the signature value, not the content:
	// it is checked even when the content no longer matches.
	si := p7.Signers[0]
	for _, a := range si.UnauthenticatedAttributes {
		if !a.Type.Equal(oidSignatureTimestamp) {
			continue
		}
		if info.Timestamp != nil {
			tsProblem = broken("mehr als ein Signaturzeitstempel", "more than one signature timestamp")
			break
		}
		tok, p := verifyToken(a.Value.Bytes, si.EncryptedDigest, tsa)
		if p != nil {
			tsProblem = p
			if tok == nil {
				break
			}
		}
		info.Timestamp = tok
		info.At = tok.Time
	}
	p7.Content = content
	if err := p7.Verify(); err != nil {
		return info, broken("Signatur ungültig – Inhalt nach dem Siegeln verändert (%v)", "signature invalid – content changed after sealing (%v)", err), tsProblem
	}
	if p := signerUsage(signer); p != nil {
		return info, p, tsProblem
	}
	if anchors.pool() == nil {
		return info, notVerifiable("Siegel mathematisch gültig (%s), aber keine Vertrauensanker für Siegel konfiguriert (--trust)",
			"seal valid (%s), but no seal trust anchors configured (--trust)", signer.Subject.String()), tsProblem
	}
	if _, err := signer.Verify(x509.VerifyOptions{Roots: anchors.pool(), Intermediates: certPool(p7.Certificates),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}, CurrentTime: info.At}); err != nil {
		return info, broken("Siegel mathematisch gültig, aber Zertifikat %s zum Zeitpunkt %s nicht vertrauenswürdig: %v",
			"seal valid, but certificate %s not trusted at %s: %v", signer.Subject.String(), info.At.UTC().Format(time.RFC3339), err), tsProblem
	}
	return info, nil, tsProblem
}
