package ui

import (
	"context"
	"image"
	"strings"
	"time"

	"poststelle/mailroom"
)

// Model is everything the views need. Implementations must be safe for
// concurrent use: the views call them from background goroutines. Errors
// that a clerk should read are mailroom.InputError (German / English).
type Model interface {
	// NeedsPassword reports whether operators are configured (login with
	// password) or the OS user is taken.
	NeedsPassword() bool
	// Login checks the credentials and journals the attempt (a failed one as
	// "login-failed"). Without configured operators, login is the OS user
	// and password is ignored.
	Login(ctx context.Context, login, password string) (Operator, error)

	// Schema is the metadata form: fields in order with their labels,
	// required flag, kind and options (the configuration's [desk] section
	// or mailroom.DefaultFields). The views read it on the UI goroutine
	// when they are built, so it must not block.
	Schema() mailroom.FieldSchema

	// Counts returns the number of documents per state.
	Counts(ctx context.Context) (map[mailroom.State]int, error)
	// Documents lists documents in the given states, oldest first.
	Documents(ctx context.Context, states ...mailroom.State) ([]DocRow, error)
	// Document returns one document with its pages and proposals.
	Document(ctx context.Context, id string) (*DocView, error)
	// PageImage renders source page `page` (1-based) of the document's
	// original, turned by rotation degrees clockwise, scaled to fit maxPx on
	// its longer side. Results are cached; it may be called concurrently.
	PageImage(ctx context.Context, docID string, page, rotation, maxPx int) (image.Image, error)

	UpdateMetadata(ctx context.Context, docID, person string, fields map[string]string) error
	RecordQA(ctx context.Context, docID string, qa mailroom.QAResult) error
	Approve(ctx context.Context, docID, person string) error
	Reject(ctx context.Context, docID, person, reason string) error

	// Page operations: pos is the 0-based position in DocView.Pages.
	Rotate(ctx context.Context, docID, person string, pos, degrees int) error
	DeletePage(ctx context.Context, docID, person string, pos int) error
	RestorePage(ctx context.Context, docID, person string, page int) error
	MovePage(ctx context.Context, docID, person string, from, to int) error
	Split(ctx context.Context, docID, person string, at int) (newID string, err error)
	// AcceptSplit accepts the split proposal before source page page (a
	// split, journaled as the clerk's decision); DismissSplit dismisses it
	// (journaled; not proposed again).
	AcceptSplit(ctx context.Context, docID, person string, page int) (newID string, err error)
	DismissSplit(ctx context.Context, docID, person string, page int) error
	MergeNext(ctx context.Context, docID, person string) error
	// ApplyPages sends the document back to the pipeline to re-make its PDF.
	ApplyPages(ctx context.Context, docID, person string) error
	// SetProtection changes the protection level; it may only be raised.
	SetProtection(ctx context.Context, docID, person string, p mailroom.Protection) error

	// Retry sends a quarantined document back into the pipeline; Release
	// puts it into review for a person to decide.
	Retry(ctx context.Context, docID, person string) error
	Release(ctx context.Context, docID, person string) error

	Journal(ctx context.Context, f mailroom.JournalFilter) ([]mailroom.JournalEntry, error)
}

// Operator is the person logged in at the desk.
type Operator struct {
	Login string
	Name  string
	Roles []string
}

// Person is how the operator is named in the journal, the QA record and the
// Transfervermerk: the login, a pseudonym resolvable through the operator
// list of the configuration (TR-RESISCAN A.NB.4 a). It is also what the
// four-eyes rule compares with the "scanned_by" metadata, so it must not be
// decorated with the display name.
func (o Operator) Person() string { return o.Login }

// Display is the name shown in the window title.
func (o Operator) Display() string {
	if o.Name != "" && o.Name != o.Login {
		return o.Name + " (" + o.Login + ")"
	}
	return o.Login
}

// DocRow is one line of the Eingang list.
type DocRow struct {
	ID         string
	BatchID    string
	Seq        int
	State      mailroom.State
	Source     string
	Filename   string
	Received   time.Time
	Class      string
	Subject    string
	Pages      int
	Flags      []string
	Protection mailroom.Protection
	Reason     string
	Proposals  int // open split proposals (auto_split)
}

// PageView is one page of a document as the desk shows it.
type PageView struct {
	Source     int     // 1-based source page
	Rotation   int     // desk rotation, degrees clockwise
	Text       string  // OCR text, if recognised
	Confidence float64 // mean word confidence, 0–100; 0 = unknown
	Flags      []string
	// Proposal, if set, proposes that a new document starts with this page.
	Proposal *mailroom.SplitProposal
}

// DocView is a document opened at the desk.
type DocView struct {
	DocRow
	Metadata  map[string]string
	Pages     []PageView
	Deleted   []mailroom.DeletedPage
	QA        *mailroom.QAResult
	ScannedBy string // who scanned the batch, if known (four eyes)
	Output    string
	// Invoice is the e-invoice check (EN 16931 / XRechnung); nil for
	// documents that are no e-invoice.
	Invoice *InvoiceCheck
}

// InvoiceCheck is the validation of an e-invoice as the desk shows it.
type InvoiceCheck struct {
	Valid   bool
	Profile string       // e.g. "XRechnung 3.0"
	Failed  []RuleResult // fatal rules that failed
	Warned  []RuleResult // warnings
	Error   string       // why the invoice XML could not be read, if it could not
	Report  string       // file name of the Prüfbericht in the document folder
}

// RuleResult is one failed rule with its message in both languages.
type RuleResult struct {
	ID, DE, EN string
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
