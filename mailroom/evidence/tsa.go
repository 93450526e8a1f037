package evidence

import (
	"bytes"
	"context"
	"crypto"
	_ "crypto/sha256" // SHA-256 for imprints
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/digitorus/timestamp"
)

// TSAClient is an RFC 3161 timestamp client (HTTP transport, RFC 3161 §3.4).
type TSAClient struct {
	URL  string
	HTTP *http.Client // nil = a client with a 30 s timeout
}

// Token is a timestamp token (the DER TimeStampToken, a CMS SignedData).
type Token struct {
	DER  []byte
	Time time.Time
	TSA  string // the TSA's name or certificate subject
}

// Stamp asks the TSA for a timestamp over data (SHA-256 imprint).
func (c *TSAClient) Stamp(ctx context.Context, data []byte) (*Token, error) {
	req, err := timestamp.CreateRequest(bytes.NewReader(data), &timestamp.RequestOptions{Hash: crypto.SHA256, Certificates: true})
	if err != nil {
		return nil, err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(req))
	if err != nil {
		return nil, fmt.Errorf("TSA: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/timestamp-query")
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("TSA %s: %w", c.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("TSA %s: %w", c.URL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("TSA %s: HTTP %d", c.URL, resp.StatusCode)
	}
	ts, err := timestamp.ParseResponse(body)
	if err != nil {
		return nil, fmt.Errorf("TSA %s: %w", c.URL, err)
	}
	if err := CheckToken(ts.RawToken, data); err != nil {
		return nil, fmt.Errorf("TSA %s: %w", c.URL, err)
	}
	return tokenOf(ts), nil
}

func tokenOf(ts *timestamp.Timestamp) *Token {
	t := &Token{DER: ts.RawToken, Time: ts.Time}
	if len(ts.Certificates) > 0 {
		t.TSA = ts.Certificates[0].Subject.String()
	}
	return t
}

// CheckToken parses a token, checks its signature and that its message
// imprint is the hash of data. It does not judge whether the TSA is trusted.
func CheckToken(der, data []byte) error {
	ts, err := timestamp.Parse(der)
	if err != nil {
		return fmt.Errorf("timestamp token: %w", err)
	}
	h := ts.HashAlgorithm.New()
	h.Write(data)
	if !bytes.Equal(h.Sum(nil), ts.HashedMessage) {
		return fmt.Errorf("timestamp token: imprint does not match the data")
	}
	return nil
}

// ParseToken returns the time and TSA of a token.
func ParseToken(der []byte) (*Token, error) {
	ts, err := timestamp.Parse(der)
	if err != nil {
		return nil, err
	}
	return tokenOf(ts), nil
}
