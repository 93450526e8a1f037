// Package client implements ui.Model over the engine's HTTPS API
// (mailroom/api, docs/api.md): the desk in client mode,
// `poststelle-desk --server https://HOST:PORT [--ca FILE]`. The views are
// the same as in embedded mode. The engine may restart: calls then fail
// with ui.ErrDisconnected (the desk shows a banner) and succeed again once
// it is back — the session is kept by the engine, the connection is made
// anew. An ended session is ui.ErrLoggedOut (the desk shows the login).
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/api/apiv1"
	"poststelle/ui"
)

// Options configure the connection.
type Options struct {
	// Server is the engine's API, "https://HOST:PORT".
	Server string
	// CAFile is a PEM file of the certificates to trust for the server
	// (e.g. the engine's generated <data_dir>/tls/cert.pem); "" = the
	// system's roots.
	CAFile string
	// Timeout bounds one request (default 30 s; imports excepted).
	Timeout time.Duration
}

// newHTTP makes the HTTP client: TLS 1.2+ with the server certificate
// verified against CAFile or the system roots; several connections kept
// open, so that thumbnails and the preview do not queue behind each other.
func newHTTP(opt Options) (*http.Client, *url.URL, error) {
	u, err := url.Parse(strings.TrimRight(opt.Server, "/"))
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, nil, fmt.Errorf("--server %q: give https://HOST:PORT", opt.Server)
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if opt.CAFile != "" {
		pem, err := os.ReadFile(opt.CAFile)
		if err != nil {
			return nil, nil, fmt.Errorf("--ca: %w", err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return nil, nil, fmt.Errorf("--ca %s: no PEM certificate in it", opt.CAFile)
		}
	}
	tr := &http.Transport{TLSClientConfig: tc, MaxIdleConnsPerHost: 8, IdleConnTimeout: time.Minute,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout: 10 * time.Second, ForceAttemptHTTP2: true}
	timeout := opt.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	return &http.Client{Transport: tr, Timeout: timeout}, u, nil
}

// call sends a request with the session's token and decodes a JSON answer
// into out (nil: none expected). Errors are German / English InputErrors
// with the domain's sentinels in their chain (mailroom.ErrForbidden,
// ErrStale, ErrLocked, ErrNotAllowed), or ui.ErrDisconnected /
// ui.ErrLoggedOut.
func (m *Model) call(ctx context.Context, method, path string, q url.Values, body, out any) error {
	resp, err := m.send(ctx, method, path, q, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: answer not readable: %w", method, path, err)
	}
	return nil
}

// send sends a request and returns a successful answer (2xx); the caller
// closes its body.
func (m *Model) send(ctx context.Context, method, path string, q url.Values, body any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	u := *m.base
	u.Path += apiv1.Prefix + path
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if t := m.token(); t != "" {
		req.Header.Set("Authorization", "Bearer "+t)
	}
	resp, err := m.http.Do(req)
	if err != nil {
		return nil, connError(ctx, err)
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, answerError(resp, path == "/login")
}

// connError classifies a failed round trip: an unreachable engine is
// ui.ErrDisconnected; a certificate the desk does not trust is not (it
// does not go away by waiting).
func connError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	var tv *tls.CertificateVerificationError
	if errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci) || errors.As(err, &tv) {
		return &mailroom.InputError{DE: "Zertifikat des Servers wird nicht vertraut (poststelle-desk --ca DATEI angeben)",
			EN: "the server's certificate is not trusted (give poststelle-desk --ca FILE)", Err: err}
	}
	return &mailroom.InputError{DE: "Verbindung zum Server unterbrochen", EN: "connection to the server lost",
		Err: errors.Join(ui.ErrDisconnected, err)}
}

// sentinels maps the API's error codes to the domain's errors.
var sentinels = map[string]error{
	apiv1.CodeForbidden:  mailroom.ErrForbidden,
	apiv1.CodeStale:      mailroom.ErrStale,
	apiv1.CodeLocked:     mailroom.ErrLocked,
	apiv1.CodeNotAllowed: mailroom.ErrNotAllowed,
	apiv1.CodeNotFound:   ErrNotFound,
}

// ErrNotFound is in the chain of a 404 answer.
var ErrNotFound = errors.New("not found")

func answerError(resp *http.Response, login bool) error {
	var e apiv1.Error
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if json.Unmarshal(data, &e) != nil || e.DE == "" {
		e = apiv1.Error{Code: apiv1.CodeInternal, DE: fmt.Sprintf("Server antwortet %s", resp.Status),
			EN: fmt.Sprintf("server answered %s", resp.Status)}
	}
	err := sentinels[e.Code]
	if resp.StatusCode == http.StatusUnauthorized && !login {
		err = ui.ErrLoggedOut
	}
	if err == nil {
		err = fmt.Errorf("HTTP %d %s", resp.StatusCode, e.Code)
	}
	return &mailroom.InputError{DE: e.DE, EN: e.EN, Err: err}
}
