package evidence

import (
	"bytes"
	"context"
	"crypto"
	_ "crypto/sha256" // SHA-256 for imprints
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/digitorus/pdfsign/sign"
	"github.com/digitorus/timestamp"
)

// TSAClient is an RFC 3161 timestamp client (HTTP transport, RFC 3161 §3.4).
// Credentials in URL (user info) are sent as HTTP basic authentication and
// never written into evidence, the journal or a log: those use Name.
type TSAClient struct {
	URL  string
	HTTP *http.Client // nil = a client with a 30 s timeout
}

// Name is the TSA's URL without credentials (see RedactURL).
func (c *TSAClient) Name() string { return RedactURL(c.URL) }

// RedactURL returns u without user info and with the values of its query
// parameters replaced by "xxxxx" (a TSA or service URL may carry a password
// or an access token in either). A URL that does not parse is not shown.
func RedactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(URL nicht lesbar / unreadable URL)"
	}
	p.User = nil
	if p.RawQuery != "" {
		q := p.Query()
		for k := range q {
			q[k] = []string{"xxxxx"}
		}
		p.RawQuery = q.Encode()
	}
	return p.String()
}

// pdfsign is the TSA as github.com/digitorus/pdfsign takes it: the URL
// without user info, the credentials apart (its errors name the URL).
func (c *TSAClient) pdfsign() sign.TSA {
	t := sign.TSA{URL: c.URL}
	if p, err := url.Parse(c.URL); err == nil && p.User != nil {
		t.Username = p.User.Username()
		t.Password, _ = p.User.Password()
		p.User = nil
		t.URL = p.String()
	}
	return t
}

// timeout is how long one request to the TSA may take: the HTTP client's
// timeout, 30 s when it has none.
func (c *TSAClient) timeout() time.Duration {
	if c.HTTP != nil && c.HTTP.Timeout > 0 {
		return c.HTTP.Timeout
	}
	return 30 * time.Second
}

// tsaError wraps an error of a request to the TSA without its URL (an
// *url.Error carries the URL with the user name).
func (c *TSAClient) tsaError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("TSA %s: %w", c.Name(), err)
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
		return nil, c.tsaError(err)
	}
	hreq.Header.Set("Content-Type", "application/timestamp-query")
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(hreq)
	if err != nil {
		return nil, c.tsaError(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, c.tsaError(err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("TSA %s: HTTP %d", c.Name(), resp.StatusCode)
	}
	ts, err := timestamp.ParseResponse(body)
	if err != nil {
		return nil, c.tsaError(err)
	}
	if err := CheckToken(ts.RawToken, data); err != nil {
		return nil, c.tsaError(err)
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
