// Package apiv1 holds the JSON types of the engine's HTTPS API under
// /api/v1 (docs/api.md): what the server (mailroom/api) sends and what the
// desk in client mode (ui/client) reads. The desk's views use the same
// types (ui.DocRow = apiv1.DocRow …), so what a desk shows is exactly what
// the API carries. The package imports nothing but the domain.
package apiv1

import (
	"strings"
	"time"

	"poststelle/mailroom"
)

// Prefix starts every path of the API.
const Prefix = "/api/v1"

// DocRow is one line of the Eingang list.
type DocRow struct {
	ID         string              `json:"id"`
	BatchID    string              `json:"batch"`
	Seq        int                 `json:"seq"`
	State      mailroom.State      `json:"state"`
	Source     string              `json:"source"`
	Filename   string              `json:"filename"`
	Received   time.Time           `json:"received"`
	Class      string              `json:"class,omitempty"`
	Subject    string              `json:"subject,omitempty"`
	Pages      int                 `json:"pages"`
	Flags      []string            `json:"flags"`
	Protection mailroom.Protection `json:"protection"`
	Reason     string              `json:"reason,omitempty"`
	// Proposals counts the open split proposals (auto_split).
	Proposals int `json:"proposals,omitempty"`
	// Version is the document's version; every change names it.
	Version int64 `json:"version"`
	// Lock is who has the document open at a desk, while it lasts (nil:
	// nobody). A desk shows "in Bearbeitung durch NAME" for another person.
	Lock *mailroom.DeskLease `json:"lock,omitempty"`
}

// LockedByOther returns the lease when a person other than login has the
// document open at a desk at now, else nil.
func (r *DocRow) LockedByOther(login string, now time.Time) *mailroom.DeskLease {
	if r.Lock.Active(now) && !strings.EqualFold(r.Lock.Login, login) {
		return r.Lock
	}
	return nil
}

// Ref is the document and the version shown, for a change.
func (r *DocRow) Ref() mailroom.Ref { return mailroom.Ref{ID: r.ID, Version: r.Version} }

// PageView is one page of a document as the desk shows it.
type PageView struct {
	Source     int      `json:"source"`          // 1-based source page
	Rotation   int      `json:"rotation"`        // desk rotation, degrees clockwise
	Text       string   `json:"text,omitempty"`  // OCR text, if recognised
	Confidence float64  `json:"confidence"`      // mean word confidence, 0–100; 0 = unknown
	Flags      []string `json:"flags,omitempty"` // e.g. "separator", "rotated", "blank"
	// Proposal, if set, proposes that a new document starts with this page
	// (auto_split): score and reasons.
	Proposal *mailroom.SplitProposal `json:"proposal,omitempty"`
}

// DocView is a document opened at the desk.
type DocView struct {
	DocRow
	Metadata  map[string]string      `json:"metadata"`
	Pages     []PageView             `json:"page_list"`
	Deleted   []mailroom.DeletedPage `json:"deleted,omitempty"`
	QA        *mailroom.QAResult     `json:"qa,omitempty"`
	ScannedBy string                 `json:"scanned_by,omitempty"` // who scanned the batch, if known (four eyes)
	Output    string                 `json:"output,omitempty"`
	// Invoice is the e-invoice check (EN 16931 / XRechnung); nil for
	// documents that are no e-invoice.
	Invoice *InvoiceCheck `json:"invoice,omitempty"`
}

// InvoiceCheck is the validation of an e-invoice as the desk shows it.
type InvoiceCheck struct {
	Valid   bool         `json:"valid"`
	Profile string       `json:"profile,omitempty"` // e.g. "XRechnung 3.0"
	Failed  []RuleResult `json:"failed,omitempty"`  // fatal rules that failed
	Warned  []RuleResult `json:"warned,omitempty"`  // warnings
	Error   string       `json:"error,omitempty"`   // why the invoice XML could not be read, if it could not
	Report  string       `json:"report,omitempty"`  // file name of the Prüfbericht in the document folder
}

// RuleResult is one failed rule with its message in both languages.
type RuleResult struct {
	ID string `json:"id"`
	DE string `json:"de,omitempty"`
	EN string `json:"en,omitempty"`
}

// RejectReason is the reason a clerk gives when rejecting an invalid
// e-invoice: the failed rules, with the Prüfbericht for the supplier.
func (c *InvoiceCheck) RejectReason() string {
	ids := make([]string, 0, len(c.Failed))
	for _, r := range c.Failed {
		ids = append(ids, r.ID)
	}
	s := "E-Rechnung ungültig: " + strings.Join(ids, ", ")
	if len(ids) == 0 && c.Error != "" {
		s = "E-Rechnung ungültig: " + c.Error
	}
	if c.Report != "" {
		s += " (siehe Prüfbericht " + c.Report + ")"
	}
	return s
}

// NextProposal returns the position of the first page at or after pos that
// starts a proposed document, wrapping around; -1 when there is none.
func (d *DocView) NextProposal(pos int) int {
	n := len(d.Pages)
	for i := 0; i < n; i++ {
		if p := (pos + i) % n; d.Pages[p].Proposal != nil {
			return p
		}
	}
	return -1
}

// Changed reports whether the pages were changed and not yet applied.
func (d *DocView) Changed() bool {
	for _, f := range d.Flags {
		if f == mailroom.FlagPagesChanged {
			return true
		}
	}
	return false
}

// FlagSeparator marks a kept separator or index sheet (ASN, tag, metadata
// barcode) among a document's pages.
const FlagSeparator = "separator"
