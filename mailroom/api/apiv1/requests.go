package apiv1

import (
	"time"

	"poststelle/mailroom"
)

// LoginRequest is the body of POST /api/v1/login.
type LoginRequest struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// Session is who is logged in: the answer to POST /api/v1/login (with the
// token) and GET /api/v1/session (without).
type Session struct {
	Token     string              `json:"token,omitempty"`
	Login     string              `json:"login"`
	Name      string              `json:"name,omitempty"`
	Roles     []mailroom.Role     `json:"roles"`
	Method    mailroom.AuthMethod `json:"method"`
	ExpiresAt time.Time           `json:"expires_at"`
	// IdleSeconds: the session ends after this long without a request.
	IdleSeconds int `json:"idle_seconds"`
}

// Info is GET /api/v1/info: the engine and the desk's metadata form.
type Info struct {
	Instance string               `json:"instance"`
	Version  string               `json:"version"`
	Schema   mailroom.FieldSchema `json:"schema"`
	// LeaseSeconds is how long a desk lease lasts without renewal.
	LeaseSeconds int `json:"lease_seconds"`
}

// Change is the body of every change of a document: the version it was
// made on, plus the fields of the change that need them.
type Change struct {
	Version int64 `json:"version"`
	// metadata
	Fields map[string]string `json:"fields,omitempty"`
	// protection
	Protection mailroom.Protection `json:"protection,omitempty"`
	// reject
	Reason string `json:"reason,omitempty"`
	// pages/rotate, pages/delete: the 0-based position in page_list
	Position int `json:"position,omitempty"`
	// pages/rotate: degrees clockwise, a multiple of 90 (negative: left)
	Degrees int `json:"degrees,omitempty"`
	// pages/restore: the 1-based source page
	Page int `json:"page,omitempty"`
	// pages/move: 0-based positions
	From int `json:"from,omitempty"`
	To   int `json:"to,omitempty"`
	// split: the 0-based position of the new document's first page
	At int `json:"at,omitempty"`
	// qa
	QA *QA `json:"qa,omitempty"`
}

// QA is a quality check as the person records it; the person is the one
// logged in.
type QA struct {
	Complete      bool     `json:"complete"`
	ExpectedPages int      `json:"expected_pages"`
	ActualPages   int      `json:"actual_pages"`
	Legible       bool     `json:"legible"`
	Matches       bool     `json:"matches"`
	Anomalies     []string `json:"anomalies,omitempty"`
	Note          string   `json:"note,omitempty"`
}

// Result is the answer to a change: the document's new version and state.
type Result struct {
	ID      string         `json:"id"`
	Version int64          `json:"version"`
	State   mailroom.State `json:"state"`
	// NewID is the new document of a split.
	NewID string `json:"new_id,omitempty"`
}

// Lease is the answer of POST /api/v1/documents/{id}/lease: the lease in
// force (Mine false: another person has the document open).
type Lease struct {
	mailroom.DeskLease
	Mine bool `json:"mine"`
}

// Imported is the answer of POST /api/v1/import.
type Imported struct {
	Batch     string `json:"batch"`
	Document  string `json:"document,omitempty"`
	Duplicate bool   `json:"duplicate,omitempty"`
	ScannedBy string `json:"scanned_by"`
}

// Error is the body of every error answer.
type Error struct {
	// Code: unauthenticated, forbidden, not_found, stale, locked, state,
	// not_allowed, invalid, throttled, too_large, unavailable, internal.
	Code string `json:"error"`
	DE   string `json:"de"`
	EN   string `json:"en"`
	// RetryAfter (throttled): seconds to wait, as the Retry-After header.
	RetryAfter int `json:"retry_after,omitempty"`
}

// Error codes.
const (
	CodeUnauthenticated = "unauthenticated"
	CodeForbidden       = "forbidden"
	CodeNotFound        = "not_found"
	CodeStale           = "stale"
	CodeLocked          = "locked"
	CodeState           = "state"
	CodeNotAllowed      = "not_allowed"
	CodeInvalid         = "invalid"
	CodeThrottled       = "throttled"
	CodeTooLarge        = "too_large"
	CodeUnavailable     = "unavailable"
	CodeInternal        = "internal"
)

// The changes of a document: POST /api/v1/documents/{id}/{action} with a
// Change (docs/api.md).
const (
	ActMetadata    = "metadata"
	ActProtection  = "protection"
	ActQA          = "qa"
	ActApprove     = "approve"
	ActReject      = "reject"
	ActRotate      = "rotate"
	ActDeletePage  = "delete-page"
	ActRestorePage = "restore-page"
	ActMovePage    = "move-page"
	ActSplit       = "split"
	ActMergeNext   = "merge-next"
	// ActAcceptSplit accepts the split proposal before Change.Page (a
	// split, journaled as the clerk's decision); ActDismissSplit dismisses it.
	ActAcceptSplit  = "accept-split"
	ActDismissSplit = "dismiss-split"
	ActApplyPages   = "apply-pages"
	ActRetry        = "retry"
	ActRelease      = "release"
)
