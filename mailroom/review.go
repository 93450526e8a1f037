package mailroom

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// QAResult is the quality check of one document (TR-RESISCAN A.SC.8, A.NB.4 e/f).
type QAResult struct {
	Person        string    `json:"person"`
	Time          time.Time `json:"time"`
	Complete      bool      `json:"complete"`       // completeness check passed
	ExpectedPages int       `json:"expected_pages"` // as counted by the person (0 = not counted)
	ActualPages   int       `json:"actual_pages"`
	Legible       bool      `json:"legible"`
	Matches       bool      `json:"matches"` // image and content match the original
	// Anomalies of the original: "copy", "damaged", "incomplete", or free text.
	Anomalies []string `json:"anomalies,omitempty"`
	Note      string   `json:"note,omitempty"`
}

// Passed reports whether the check allows approval.
func (q *QAResult) Passed() bool { return q != nil && q.Complete && q.Legible && q.Matches }

// Approval is the release of a document for delivery.
type Approval struct {
	Person    string    `json:"person"`
	Automatic bool      `json:"automatic"` // approved automatically, no visual check
	Time      time.Time `json:"time"`
	QA        *QAResult `json:"qa,omitempty"`
}

// Finisher builds the evidence of an approved document (Transfervermerk,
// seal, timestamp) in out/<id>/ before it goes to the outbox. It is called
// again after a crash and must be idempotent. Implemented by mailroom/evidence.
type Finisher interface {
	Finish(ctx context.Context, doc *Document, batch *Batch, a Approval) error
}

// Metadata keys the review writes.
const (
	MetaQA         = "qa"          // JSON of the QAResult
	MetaApprovedBy = "approved_by" // person, or "automatisch"
	MetaApprovedAt = "approved_at"
	// MetaProposed lists the fields proposed from the recognised text (comma-separated).
	MetaProposed = "proposed_fields"
	// MetaRecord is "original" when the original (signed PDF, e-invoice,
	// mail) is the document of record; MetaRecordFile names its unchanged
	// copy in out/<id>/, which is delivered as the document, with the
	// rendition beside it.
	MetaRecord     = "record"
	MetaRecordFile = "record_file"
)

// ErrNotAllowed is returned when a rule forbids an action (four eyes, missing QA).
var ErrNotAllowed = errors.New("not allowed")

// AutomaticApprover is the actor of automatic approvals.
const AutomaticApprover = "automatisch (keine Sichtprüfung / no visual check)"

// QAOf returns the recorded QA result of a document, if any.
func QAOf(d *Document) *QAResult {
	s := d.Metadata[MetaQA]
	if s == "" {
		return nil
	}
	var q QAResult
	if json.Unmarshal([]byte(s), &q) != nil {
		return nil
	}
	return &q
}

// ApprovalPolicy enforces the protection level's rules (four eyes, QA
// required, sample rate). Implemented by mailroom/evidence.
type ApprovalPolicy interface {
	CheckApproval(ctx context.Context, d *Document, b *Batch, a Approval) error
}

// QAPolicy is an ApprovalPolicy that also rules on who may record a quality
// check (four eyes: the person who scanned may not check). The engine asks
// it before it stores a QAResult. Implemented by mailroom/evidence.
type QAPolicy interface {
	CheckQA(ctx context.Context, d *Document, b *Batch, qa QAResult) error
}
