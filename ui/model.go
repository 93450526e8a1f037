package ui

import (
	"context"
	"errors"
	"image"

	"poststelle/mailroom"
	"poststelle/mailroom/api/apiv1"
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
	// Logout ends the login (the API session); the desk closes afterwards
	// or shows the login again.
	Logout(ctx context.Context) error

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

	// Hold takes or renews the desk lease of the document for the person
	// logged in and returns the lease in force: the person's own, or that
	// of another person who has the document open (the desk shows "in
	// Bearbeitung durch NAME" then). Leave gives it up.
	Hold(ctx context.Context, docID string) (*mailroom.DeskLease, error)
	Leave(ctx context.Context, docID string) error

	// Every change acts for the person logged in (Login) and names the
	// document with the version it was made on (DocRow.Ref): a change on an
	// old version is refused (mailroom.ErrStale, a German message), a
	// missing role too (mailroom.ErrForbidden). Changes made one after the
	// other on the version shown count as made on the desk's own latest
	// version (Versions).
	UpdateMetadata(ctx context.Context, doc mailroom.Ref, fields map[string]string) error
	RecordQA(ctx context.Context, doc mailroom.Ref, qa mailroom.QAResult) error
	Approve(ctx context.Context, doc mailroom.Ref) error
	Reject(ctx context.Context, doc mailroom.Ref, reason string) error

	// Page operations: pos is the 0-based position in DocView.Pages.
	Rotate(ctx context.Context, doc mailroom.Ref, pos, degrees int) error
	DeletePage(ctx context.Context, doc mailroom.Ref, pos int) error
	RestorePage(ctx context.Context, doc mailroom.Ref, page int) error
	MovePage(ctx context.Context, doc mailroom.Ref, from, to int) error
	Split(ctx context.Context, doc mailroom.Ref, at int) (newID string, err error)
	// AcceptSplit accepts the split proposal before source page page (a
	// split, journaled as the clerk's decision); DismissSplit dismisses it
	// (journaled; not proposed again).
	AcceptSplit(ctx context.Context, doc mailroom.Ref, page int) (newID string, err error)
	DismissSplit(ctx context.Context, doc mailroom.Ref, page int) error
	MergeNext(ctx context.Context, doc mailroom.Ref) error
	// ApplyPages sends the document back to the pipeline to re-make its PDF.
	ApplyPages(ctx context.Context, doc mailroom.Ref) error
	// SetProtection changes the protection level; it may only be raised.
	SetProtection(ctx context.Context, doc mailroom.Ref, p mailroom.Protection) error

	// Retry sends a quarantined document back into the pipeline; Release
	// puts it into review for a person to decide.
	Retry(ctx context.Context, doc mailroom.Ref) error
	Release(ctx context.Context, doc mailroom.Ref) error

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

// The desk's document types are the API's (mailroom/api/apiv1): a desk in
// client mode shows exactly what the engine sends.
type (
	// DocRow is one line of the Eingang list.
	DocRow = apiv1.DocRow
	// PageView is one page of a document as the desk shows it.
	PageView = apiv1.PageView
	// DocView is a document opened at the desk.
	DocView = apiv1.DocView
	// InvoiceCheck is the validation of an e-invoice as the desk shows it.
	InvoiceCheck = apiv1.InvoiceCheck
	// RuleResult is one failed rule with its message in both languages.
	RuleResult = apiv1.RuleResult
)

// ErrDisconnected is in the chain of a model's error when the engine cannot
// be reached (client mode): the desk shows the banner "Verbindung zum Server
// unterbrochen" instead of an error dialog, and hides it at the next call
// that succeeds.
var ErrDisconnected = errors.New("engine not reachable")

// ErrLoggedOut is in the chain of a model's error when the login ended
// (session expired or ended on the server): the desk shows the login again.
var ErrLoggedOut = errors.New("logged out")
