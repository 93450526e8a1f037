package dms

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"poststelle/mailroom"
)

// RetryAfterError is a transient error for which the DMS said when to come
// back (429 or 503 with Retry-After). The outbox waits at least After.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string { return e.Err.Error() }
func (e *RetryAfterError) Unwrap() error { return e.Err }

// RetryAfter returns the delay a RetryAfterError in err's chain asks for.
func RetryAfter(err error) (time.Duration, bool) {
	var r *RetryAfterError
	if errors.As(err, &r) {
		return r.After, true
	}
	return 0, false
}

// StatusError is an unexpected HTTP answer.
type StatusError struct {
	Op     string
	Status int
	Body   string // the start of the answer, for the operator
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("%s: HTTP %d %s", e.Op, e.Status, http.StatusText(e.Status))
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// CheckResponse classifies an HTTP answer that is not one of the expected
// codes: authentication (401, 403) and rejected requests (other 4xx except
// 408 and 429) are permanent — the entry waits for an operator; 408, 429 and
// 5xx are transient, with Retry-After honoured. It reads (and keeps a short
// excerpt of) the body but does not close it.
func CheckResponse(op string, resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	body := strings.Join(strings.Fields(string(b)), " ")
	se := &StatusError{Op: op, Status: resp.StatusCode, Body: body}
	switch c := resp.StatusCode; {
	case c == http.StatusUnauthorized || c == http.StatusForbidden:
		return mailroom.Permanent(fmt.Errorf("Anmeldung beim DMS abgelehnt / authentication rejected: %w", se))
	case c == http.StatusRequestTimeout:
		return se
	case c == http.StatusTooManyRequests || c == http.StatusServiceUnavailable:
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After")); ok {
			return &RetryAfterError{After: d, Err: se}
		}
		return se
	case c >= 400 && c < 500:
		return mailroom.Permanent(fmt.Errorf("DMS hat die Daten abgelehnt / DMS rejected the request: %w", se))
	}
	return se
}

func parseRetryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := time.Until(t)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
