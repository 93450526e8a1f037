package mailroom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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

// RecordQA stores a quality-check result on a document in review.
func (e *Engine) RecordQA(ctx context.Context, docID string, qa QAResult) error {
	if qa.Person == "" {
		return fmt.Errorf("QA: the person who checked must be named")
	}
	if qa.Time.IsZero() {
		qa.Time = time.Now().UTC()
	}
	data, _ := json.Marshal(qa)
	_, err := e.Store.Transition(ctx, docID, Change{Actor: qa.Person, Action: "qa", Detail: qa,
		Mutate: func(d *Document) error {
			if d.State != StateReview {
				return fmt.Errorf("QA: document is %s, not in review", d.State)
			}
			if err := CheckPagesApplied(d); err != nil {
				return err
			}
			d.Metadata[MetaQA] = string(data)
			return nil
		}})
	return err
}

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

// Approve releases a document in review for delivery on behalf of person.
// The protection level's rules are enforced by ApprovalPolicy.
func (e *Engine) Approve(ctx context.Context, docID, person string) error {
	if strings.TrimSpace(person) == "" {
		return fmt.Errorf("approve: the responsible person must be named")
	}
	return e.approve(ctx, docID, Approval{Person: person, Time: time.Now().UTC()})
}

func (e *Engine) approve(ctx context.Context, docID string, a Approval) error {
	d, err := e.Store.Document(ctx, docID)
	if err != nil {
		return err
	}
	if d.State != StateReview {
		return &ErrTransition{From: d.State, To: StateApproved}
	}
	b, err := e.Store.Batch(ctx, d.BatchID)
	if err != nil {
		return err
	}
	if err := CheckPagesApplied(d); err != nil {
		return err
	}
	a.QA = QAOf(d)
	if e.Policy != nil {
		if err := e.Policy.CheckApproval(ctx, d, b, a); err != nil {
			if a.Automatic && errors.Is(err, ErrNotAllowed) {
				// The rules want a person (QA sample, protection level): the
				// document stays in review; that is not a failure.
				e.log().Info("automatic approval withheld", "document", d.ID, "reason", err)
				_, jerr := e.Store.Append(ctx, e.owner(), "auto-approve-withheld", d.ID, d.BatchID, map[string]string{"reason": err.Error()})
				return jerr
			}
			e.Store.Append(ctx, a.Person, "approve-refused", d.ID, d.BatchID, map[string]string{"reason": err.Error()})
			return err
		}
	}
	if e.Finisher != nil {
		if err := e.Finisher.Finish(ctx, d, b, a); err != nil {
			e.Store.Append(ctx, e.owner(), "error", d.ID, d.BatchID, map[string]string{"step": "evidence", "error": err.Error()})
			return fmt.Errorf("evidence: %w", err)
		}
	}
	_, err = e.Store.Transition(ctx, docID, Change{To: StateApproved, Actor: a.Person, Action: "approve", Detail: a,
		Mutate: func(d *Document) error {
			d.Metadata[MetaApprovedBy] = a.Person
			d.Metadata[MetaApprovedAt] = a.Time.Format(time.RFC3339)
			return nil
		}})
	return err
}

// ApprovalPolicy enforces the protection level's rules (four eyes, QA
// required, sample rate). Implemented by mailroom/evidence.
type ApprovalPolicy interface {
	CheckApproval(ctx context.Context, d *Document, b *Batch, a Approval) error
}

// Reject rejects a document in review with a reason.
func (e *Engine) Reject(ctx context.Context, docID, person, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return fmt.Errorf("reject: a reason is required")
	}
	_, err := e.Store.Transition(ctx, docID, Change{To: StateRejected, Actor: person, Action: "reject",
		Mutate: func(d *Document) error { d.Reason = reason; return nil }})
	return err
}

// UpdateMetadata changes metadata fields of a document in review; each change
// is journaled with old and new value. An empty value deletes the field.
func (e *Engine) UpdateMetadata(ctx context.Context, docID, person string, fields map[string]string) error {
	type change struct{ Old, New string }
	changes := map[string]change{}
	_, err := e.Store.Transition(ctx, docID, Change{Actor: person, Action: "metadata", Detail: changes,
		Mutate: func(d *Document) error {
			if d.State != StateReview {
				return fmt.Errorf("metadata: document is %s, not in review", d.State)
			}
			for k, v := range fields {
				if d.Metadata[k] == v {
					continue
				}
				changes[k] = change{Old: d.Metadata[k], New: v}
				if v == "" {
					delete(d.Metadata, k)
				} else {
					d.Metadata[k] = v
				}
			}
			return nil
		}})
	return err
}
