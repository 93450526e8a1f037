package evidence

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
	"github.com/digitorus/pkcs7"
	"software.sslmate.com/src/go-pkcs12"
)

// Seal levels as written into the Transfervermerk.
const (
	LevelAdvanced  = "fortgeschritten"
	LevelQualified = "qualifiziert"
	LevelNone      = "keines"
)

// Sealer applies an electronic seal. Implementations must be safe for
// concurrent use. A remote qualified seal service plugs in through
// RemoteSigner and SignerSealer.
type Sealer interface {
	// SealPDF returns pdf with a PAdES signature appended as an incremental
	// update; it must be the last change to the file. tsa, if not nil,
	// adds a signature timestamp.
	SealPDF(ctx context.Context, pdf []byte, reason string, tsa *TSAClient) ([]byte, error)
	// SealDetached returns a detached CMS (CAdES-style) signature over data.
	SealDetached(ctx context.Context, data []byte, tsa *TSAClient) ([]byte, error)
	// Level is LevelAdvanced or LevelQualified; Subject names the certificate.
	Level() string
	Subject() string
}

// RemoteSigner is the seam for a remote (qualified) seal service: it signs a
// digest (as the Cloud Signature Consortium API's signatures/signHash does)
// and names its certificate chain, signer first.
type RemoteSigner interface {
	SignDigest(ctx context.Context, digest []byte, h crypto.Hash) ([]byte, error)
	Chain(ctx context.Context) ([]*x509.Certificate, error)
	Qualified() bool
}

// SignerSealer seals with a crypto.Signer and its certificate chain: a
// software key from PKCS#12 (LoadPKCS12) or a RemoteSigner (NewRemoteSealer).
type SignerSealer struct {
	Key       crypto.Signer
	Chain     []*x509.Certificate // signer first
	Qualified bool
	Name      string // signer name in the signature dictionary
	Location  string
}

var _ Sealer = (*SignerSealer)(nil)

// LoadPKCS12 reads the seal key and certificate chain from a PKCS#12 file.
func LoadPKCS12(path, password string) (*SignerSealer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	key, cert, cas, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return nil, fmt.Errorf("seal %s: %w", path, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("seal %s: key type %T cannot sign", path, key)
	}
	return &SignerSealer{Key: signer, Chain: append([]*x509.Certificate{cert}, cas...), Name: cert.Subject.CommonName}, nil
}

// NewRemoteSealer makes a Sealer of a remote seal service.
func NewRemoteSealer(ctx context.Context, rs RemoteSigner) (*SignerSealer, error) {
	chain, err := rs.Chain(ctx)
	if err != nil {
		return nil, fmt.Errorf("remote seal: %w", err)
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("remote seal: no certificate")
	}
	return &SignerSealer{Key: &remoteKey{ctx: ctx, rs: rs, pub: chain[0].PublicKey}, Chain: chain,
		Qualified: rs.Qualified(), Name: chain[0].Subject.CommonName}, nil
}

type remoteKey struct {
	ctx context.Context
	rs  RemoteSigner
	pub crypto.PublicKey
}

func (k *remoteKey) Public() crypto.PublicKey { return k.pub }
func (k *remoteKey) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.rs.SignDigest(k.ctx, digest, opts.HashFunc())
}

// Level implements Sealer.
func (s *SignerSealer) Level() string {
	if s.Qualified {
		return LevelQualified
	}
	return LevelAdvanced
}

// Subject implements Sealer.
func (s *SignerSealer) Subject() string { return s.Chain[0].Subject.String() }

// SealPDF implements Sealer with github.com/digitorus/pdfsign: an approval
// signature (SubFilter adbe.pkcs7.detached, PAdES-Basic, ETSI TS 102 778-2)
// with the signing-certificate-v2 attribute and, with a TSA, a signature
// timestamp (RFC 3161) as unsigned attribute.
func (s *SignerSealer) SealPDF(ctx context.Context, in []byte, reason string, tsa *TSAClient) ([]byte, error) {
	// pdfsign's Sign takes its own reader type (digitorus/pdf, which it
	// brings along); this is the only use of that package here. Poststelle
	// reads and writes PDF objects with mailroom/pdf.
	r, err := pdf.NewReader(bytes.NewReader(in), int64(len(in)))
	if err != nil {
		return nil, fmt.Errorf("seal: PDF: %w", err)
	}
	key := s.Key
	if rk, ok := key.(*remoteKey); ok {
		key = &remoteKey{ctx: ctx, rs: rk.rs, pub: rk.pub}
	}
	sd := sign.SignData{
		Signature: sign.SignDataSignature{CertType: sign.ApprovalSignature, DocMDPPerm: sign.AllowFillingExistingFormFieldsAndSignaturesPerms,
			Info: sign.SignDataSignatureInfo{Name: s.Name, Reason: reason, Location: s.Location, Date: time.Now()}},
		Signer: key, DigestAlgorithm: crypto.SHA256, Certificate: s.Chain[0],
		CertificateChains: [][]*x509.Certificate{s.Chain},
	}
	if tsa == nil {
		var out bytes.Buffer
		if err := sign.Sign(bytes.NewReader(in), &out, r, int64(len(in)), sd); err != nil {
			return nil, fmt.Errorf("seal: %w", err)
		}
		return out.Bytes(), nil
	}
	sd.TSA = tsa.pdfsign()
	return signWithTSA(ctx, in, r, sd, tsa.timeout())
}

// signWithTSA runs pdfsign's Sign, which asks the TSA with an HTTP client
// of its own without a timeout or context, and gives up when ctx ends or
// the TSA client's timeout has passed: the call then ends in the
// background, and its result is dropped.
func signWithTSA(ctx context.Context, in []byte, r *pdf.Reader, sd sign.SignData, timeout time.Duration) ([]byte, error) {
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		var out bytes.Buffer
		err := sign.Sign(bytes.NewReader(in), &out, r, int64(len(in)), sd)
		done <- result{out.Bytes(), err}
	}()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	select {
	case res := <-done:
		if res.err != nil {
			return nil, fmt.Errorf("seal: %w", res.err)
		}
		return res.out, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("seal: no answer from the timestamp server within %v: %w", timeout, ctx.Err())
	}
}

var (
	oidSigningCertV2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidSignatureTimestamp = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
)

// SealDetached implements Sealer: a detached CMS SignedData over data with
// SHA-256, the signing-certificate-v2 attribute (CAdES-BES) and, with a TSA,
// a signature timestamp (CAdES-T).
func (s *SignerSealer) SealDetached(ctx context.Context, data []byte, tsa *TSAClient) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(data)
	if err != nil {
		return nil, err
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	key := s.Key
	if rk, ok := key.(*remoteKey); ok {
		key = &remoteKey{ctx: ctx, rs: rk.rs, pub: rk.pub}
	}
	scv2, err := signingCertV2(s.Chain[0])
	if err != nil {
		return nil, err
	}
	if err := sd.AddSignerChain(s.Chain[0], key, s.Chain[1:], pkcs7.SignerInfoConfig{
		ExtraSignedAttributes: []pkcs7.Attribute{{Type: oidSigningCertV2, Value: asn1.RawValue{FullBytes: scv2}}}}); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	sd.Detach()
	if tsa != nil {
		si := &sd.GetSignedData().SignerInfos[0]
		tok, err := tsa.Stamp(ctx, si.EncryptedDigest)
		if err != nil {
			return nil, err
		}
		if err := si.SetUnauthenticatedAttributes([]pkcs7.Attribute{{Type: oidSignatureTimestamp,
			Value: asn1.RawValue{FullBytes: tok.DER}}}); err != nil {
			return nil, err
		}
	}
	return sd.Finish()
}

func signingCertV2(c *x509.Certificate) ([]byte, error) {
	h := crypto.SHA256.New()
	h.Write(c.Raw)
	type essCertIDv2 struct{ CertHash []byte }
	type signingCertificateV2 struct{ Certs []essCertIDv2 }
	return asn1.Marshal(signingCertificateV2{Certs: []essCertIDv2{{CertHash: h.Sum(nil)}}})
}
