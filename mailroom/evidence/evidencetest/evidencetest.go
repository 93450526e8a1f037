// Package evidencetest gives tests of mailroom/evidence and its users a
// throw-away PKI (CA, seal certificate in PKCS#12, TSA certificate) and a
// local RFC 3161 timestamp authority: `openssl ts -reply` behind an HTTP
// handler, so the client is tested against an independent implementation.
package evidencetest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"image"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"poststelle/mailroom"
	"poststelle/mailroom/pdf/pdfa"
)

// PKI is a test CA with a seal and a TSA certificate, written to Dir.
type PKI struct {
	Dir         string
	CA          *x509.Certificate
	CAKey       crypto.Signer
	Seal        *x509.Certificate
	SealKey     crypto.Signer
	TSA         *x509.Certificate
	TSAKey      crypto.Signer
	CAFile      string // ca.pem
	SealP12     string // seal.p12 (password Password)
	TSACertFile string // tsa.pem
	TSAKeyFile  string // tsa.key
}

// Password of seal.p12.
const Password = "test-seal-password"

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// NewPKI makes a fresh PKI in a temp dir.
func NewPKI(t testing.TB) *PKI {
	t.Helper()
	p := &PKI{Dir: t.TempDir()}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	now := time.Now()
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Poststelle Test-CA", Organization: []string{"Testkommune"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, ca, ca, caKey.Public(), caKey)
	must(t, err)
	p.CA, _ = x509.ParseCertificate(der)
	p.CAKey = caKey

	sealKey, err := rsa.GenerateKey(rand.Reader, 2048)
	must(t, err)
	seal := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Poststelle Siegel Test", Organization: []string{"Testkommune"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}
	der, err = x509.CreateCertificate(rand.Reader, seal, p.CA, sealKey.Public(), caKey)
	must(t, err)
	p.Seal, _ = x509.ParseCertificate(der)
	p.SealKey = sealKey

	tsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	must(t, err)
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	tsa := &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "Poststelle Test-TSA", Organization: []string{"Testkommune"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}}}
	der, err = x509.CreateCertificate(rand.Reader, tsa, p.CA, tsaKey.Public(), caKey)
	must(t, err)
	p.TSA, _ = x509.ParseCertificate(der)
	p.TSAKey = tsaKey

	p.CAFile = filepath.Join(p.Dir, "ca.pem")
	must(t, os.WriteFile(p.CAFile, pemCert(p.CA), 0o600))
	p.TSACertFile = filepath.Join(p.Dir, "tsa.pem")
	must(t, os.WriteFile(p.TSACertFile, pemCert(p.TSA), 0o600))
	kd, err := x509.MarshalPKCS8PrivateKey(tsaKey)
	must(t, err)
	p.TSAKeyFile = filepath.Join(p.Dir, "tsa.key")
	must(t, os.WriteFile(p.TSAKeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}), 0o600))
	p12, err := pkcs12.Modern.Encode(sealKey, p.Seal, []*x509.Certificate{p.CA}, Password)
	must(t, err)
	p.SealP12 = filepath.Join(p.Dir, "seal.p12")
	must(t, os.WriteFile(p.SealP12, p12, 0o600))
	return p
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// NeedTool returns the path of a command the test needs. When it is
// missing the test is skipped, except under CI (CI=true or any CI value),
// where it fails: CI installs every tool (.ci/packages.txt).
func NeedTool(t testing.TB, name, debPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not installed (Debian package %s), required under CI", name, debPackage)
		}
		t.Skipf("%s not installed (Debian package %s)", name, debPackage)
	}
	return p
}

// NeedOpenSSL needs the openssl command (see NeedTool).
func NeedOpenSSL(t testing.TB) string {
	t.Helper()
	return NeedTool(t, "openssl", "openssl")
}

// StartTSA runs a local RFC 3161 TSA (openssl ts -reply behind HTTP) and
// returns its URL and a counter of answered requests.
func StartTSA(t testing.TB, p *PKI) (string, func() int) {
	t.Helper()
	NeedOpenSSL(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "tsa.cnf")
	must(t, os.WriteFile(filepath.Join(dir, "serial"), []byte("01\n"), 0o600))
	must(t, os.WriteFile(cfg, []byte(`[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
dir = `+dir+`
serial = $dir/serial
crypto_device = builtin
signer_cert = `+p.TSACertFile+`
certs = `+p.CAFile+`
signer_key = `+p.TSAKeyFile+`
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`), 0o600))
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/timestamp-query" {
			http.Error(w, "want POST application/timestamp-query", http.StatusBadRequest)
			return
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		mu.Lock()
		defer mu.Unlock()
		q := filepath.Join(dir, "req.tsq")
		out := filepath.Join(dir, "resp.tsr")
		os.WriteFile(q, body, 0o600)
		cmd := exec.Command("openssl", "ts", "-reply", "-config", cfg, "-queryfile", q, "-out", out)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			http.Error(w, "openssl ts -reply: "+stderr.String(), http.StatusInternalServerError)
			return
		}
		resp, _ := os.ReadFile(out)
		n++
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write(resp)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() int { mu.Lock(); defer mu.Unlock(); return n }
}

// OpenSSLVerifyToken runs `openssl ts -verify` on a token (DER
// TimeStampToken) over data and returns its output and error.
func OpenSSLVerifyToken(t testing.TB, p *PKI, token, data []byte) (string, error) {
	t.Helper()
	dir := t.TempDir()
	tf, df := filepath.Join(dir, "token.der"), filepath.Join(dir, "data")
	must(t, os.WriteFile(tf, token, 0o600))
	must(t, os.WriteFile(df, data, 0o600))
	out, err := exec.Command("openssl", "ts", "-verify", "-token_in", "-in", tf, "-data", df,
		"-CAfile", p.CAFile, "-untrusted", p.TSACertFile).CombinedOutput()
	return string(out), err
}

// Pdfsig runs poppler's pdfsig on a file and returns its output (see
// NeedTool when it is missing).
func Pdfsig(t testing.TB, file string) string {
	t.Helper()
	NeedTool(t, "pdfsig", "poppler-utils")
	out, _ := exec.Command("pdfsig", file).CombinedOutput()
	return string(out)
}

// Issue makes a further certificate from tmpl, signed by the test CA, with
// a fresh RSA key (serial number and validity are filled in when unset:
// valid from an hour ago for a day).
func (p *PKI) Issue(t testing.TB, tmpl *x509.Certificate) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	must(t, err)
	c := *tmpl
	if c.SerialNumber == nil {
		serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
		must(t, err)
		c.SerialNumber = serial
	}
	if c.NotBefore.IsZero() {
		c.NotBefore, c.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	}
	der, err := x509.CreateCertificate(rand.Reader, &c, p.CA, key.Public(), p.CAKey)
	must(t, err)
	cert, err := x509.ParseCertificate(der)
	must(t, err)
	return cert, key
}

// OwnPDF returns a one-page PDF/A-2b as Poststelle's recognition writes it
// (mailroom/pdf/pdfa: the page image and an invisible text layer), from a
// generated page: tests of the evidence chain run on Poststelle's own
// output without needing tesseract.
func OwnPDF(t testing.TB) []byte {
	t.Helper()
	g := image.NewGray(image.Rect(0, 0, 1240, 1754)) // A4 at 150 dpi
	for i := range g.Pix {
		g.Pix[i] = 0xff
	}
	var words []mailroom.Word
	for line := 0; line < 12; line++ {
		y := 200 + line*90
		for x := 150; x < 1050; x += 180 {
			for yy := y; yy < y+30; yy++ {
				for xx := x; xx < x+140; xx++ {
					g.Pix[yy*g.Stride+xx] = 0x10
				}
			}
			words = append(words, mailroom.Word{Text: "Antrag", Box: image.Rect(x, y, x+140, y+30), Confidence: 90})
		}
	}
	var b bytes.Buffer
	w, err := pdfa.NewWriter(&b, pdfa.Info{Title: "Testseite", Created: time.Now()})
	must(t, err)
	must(t, w.AddPage(pdfa.Page{Image: pdfa.EncodeGray(g, false), DPI: 150, Words: words}))
	must(t, w.Close())
	return b.Bytes()
}
