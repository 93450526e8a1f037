package api

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/safefile"
)

// The API's certificate: [api] cert_file/key_file, or one made at the first
// start (ECDSA P-256, self-signed, 5 years, for the host name, localhost,
// 127.0.0.1, ::1, the listen address and [api] hosts) and kept in
// <data_dir>/tls/. Desks trust it with --ca <data_dir>/tls/cert.pem, or
// compare its SHA-256 fingerprint (poststelle status, doctor).

// Generated certificate and key below the data directory.
const (
	TLSDir   = "tls"
	CertName = "cert.pem"
	KeyName  = "key.pem"
)

// CertPaths returns the certificate and key files the configuration uses.
func CertPaths(cfg *mailroom.Config) (cert, key string, generated bool) {
	if cfg.API.CertFile != "" {
		return cfg.Resolve(cfg.API.CertFile), cfg.Resolve(cfg.API.KeyFile), false
	}
	dir := filepath.Join(cfg.DataDir, TLSDir)
	return filepath.Join(dir, CertName), filepath.Join(dir, KeyName), true
}

// LoadCertificate loads the configured certificate, making the generated
// one first if it does not exist yet. It returns the certificate and its
// SHA-256 fingerprint.
func LoadCertificate(cfg *mailroom.Config) (tls.Certificate, string, error) {
	certFile, keyFile, generated := CertPaths(cfg)
	if generated {
		if _, err := os.Stat(certFile); errors.Is(err, os.ErrNotExist) {
			if err := generate(certFile, keyFile, certHosts(cfg)); err != nil {
				return tls.Certificate{}, "", fmt.Errorf("api: making the certificate: %w", err)
			}
		}
	}
	c, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("api certificate %s: %w", certFile, err)
	}
	return c, fingerprint(c.Certificate[0]), nil
}

// Fingerprint reads the certificate the configuration uses and returns its
// SHA-256 fingerprint and file; "" without error when it does not exist yet.
func Fingerprint(cfg *mailroom.Config) (fp, file string, err error) {
	file, _, _ = CertPaths(cfg)
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return "", file, nil
	}
	if err != nil {
		return "", file, err
	}
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "CERTIFICATE" {
		return "", file, fmt.Errorf("%s: no PEM certificate", file)
	}
	return fingerprint(b.Bytes), file, nil
}

// fingerprint is the SHA-256 of the certificate's DER, as colon-separated
// upper-case hex (the form browsers and openssl x509 -fingerprint show).
func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

func certHosts(cfg *mailroom.Config) []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if h, err := os.Hostname(); err == nil && h != "" {
		hosts = append(hosts, h)
	}
	if h, _, err := net.SplitHostPort(cfg.API.Listen); err == nil && h != "" && h != "0.0.0.0" && h != "::" {
		hosts = append(hosts, h)
	}
	return append(hosts, cfg.API.Hosts...)
}

func generate(certFile, keyFile string, hosts []string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Poststelle API", Organization: []string{"Poststelle"}},
		NotBefore:    now.Add(-time.Hour), NotAfter: now.AddDate(5, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		// A CA for itself only, so that --ca cert.pem verifies it.
		BasicConstraintsValid: true, IsCA: true, MaxPathLenZero: true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(certFile), 0o750); err != nil {
		return err
	}
	if err := safefile.Write(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		return err
	}
	return safefile.Write(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}
