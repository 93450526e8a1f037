package dms

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// HTTPClient makes the client of an HTTP connector. timeout bounds
// connecting and waiting for an answer's headers; the time to send a body is
// bounded per request with BodyDeadline, so a 200 MB upload over a slow
// line is not cut off while a hanging server is.
func HTTPClient(timeout time.Duration, insecure bool) *http.Client {
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   8,
		ExpectContinueTimeout: time.Second,
	}
	if insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // configured for tests only
	}
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// BodyDeadline returns a context for one request that sends size bytes:
// timeout plus one second per MiB (at least 1 MiB/s expected).
func BodyDeadline(ctx context.Context, timeout time.Duration, size int64) (context.Context, context.CancelFunc) {
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	return context.WithTimeout(ctx, timeout+time.Duration(size>>20)*time.Second)
}

// StripPassword removes credentials from a URL for logs and receipts.
func StripPassword(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	p.User = nil
	return p.String()
}

// Transient wraps a network error (connection refused, reset, timeout) so it
// reads well; such errors are never permanent.
type Transient struct {
	Op  string
	Err error
}

func (e *Transient) Error() string { return e.Op + ": " + e.Err.Error() }
func (e *Transient) Unwrap() error { return e.Err }

// LazyClient makes a connector's HTTP client on first use, unless one was
// given (tests, custom transports). The zero value is ready to use.
type LazyClient struct{ once sync.Once }

// Get returns *hc, setting it to HTTPClient(timeout, false) first if nil.
func (l *LazyClient) Get(hc **http.Client, timeout time.Duration) *http.Client {
	l.once.Do(func() {
		if *hc == nil {
			*hc = HTTPClient(timeout, false)
		}
	})
	return *hc
}

// Send sends req with a deadline for a body of size bytes (BodyDeadline) and
// classifies a failed request where it arises (RequestError; op names it in
// the error, without credentials). The deadline ends when the response body
// is closed, so callers only close the body.
func Send(ctx context.Context, hc *http.Client, req *http.Request, timeout time.Duration, size int64, op string) (*http.Response, error) {
	ctx, cancel := BodyDeadline(ctx, timeout, max(size, 0))
	resp, err := hc.Do(req.WithContext(ctx))
	if err != nil {
		// Classify before cancel: afterwards ctx is always cancelled.
		rerr := RequestError(ctx, op+" "+req.Method+" "+StripPassword(req.URL.String()), err)
		cancel()
		return nil, rerr
	}
	resp.Body = &cancelBody{resp.Body, cancel}
	return resp, nil
}

// cancelBody ends a request's deadline when its body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error { err := b.ReadCloser.Close(); b.cancel(); return err }
