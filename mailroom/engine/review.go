package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"poststelle/mailroom"
)

// RecordQA stores a quality-check result on a document in review.
func (e *Engine) RecordQA(ctx context.Context, docID string, qa mailroom.QAResult) error {
	if qa.Person == "" {
		return fmt.Errorf("QA: the person who checked must be named")
	}
	if qa.Time.IsZero() {
		qa.Time = time.Now().UTC()
	}
	data, _ := json.Marshal(qa)
	_, err := e.Store.Transition(ctx, docID, mailroom.Change{Actor: qa.Person, Action: "qa", Detail: qa,
		Mutate: func(d *mailroom.Document) error {
			if d.State != mailroom.StateReview {
				return fmt.Errorf("QA: document is %s, not in review", d.State)
			}
			if err := mailroom.CheckPagesApplied(d); err != nil {
				return err
			}
			d.Metadata[mailroom.MetaQA] = string(data)
			return nil
		}})
	return err
}

// Approve releases a document in review for delivery on behalf of person.
// The protection level's rules are enforced by ApprovalPolicy.
func (e *Engine) Approve(ctx context.Context, docID, person string) error {
	if strings.TrimSpace(person) == "" {
		return fmt.Errorf("approve: the responsible person must be named")
	}
	return e.approve(ctx, docID, mailroom.Approval{Person: person, Time: time.Now().UTC()})
}

func (e *Engine) approve(ctx context.Context, docID string, a mailroom.Approval) error {
	d, err := e.Store.Document(ctx, docID)
	if err != nil {
		return err
	}
	if d.State != mailroom.StateReview {
		return &mailroom.ErrTransition{From: d.State, To: mailroom.StateApproved}
	}
	b, err := e.Store.Batch(ctx, d.BatchID)
	if err != nil {
		return err
	}
	if err := mailroom.CheckPagesApplied(d); err != nil {
		return err
	}
	a.QA = mailroom.QAOf(d)
	if e.Policy != nil {
		if err := e.Policy.CheckApproval(ctx, d, b, a); err != nil {
			if a.Automatic && errors.Is(err, mailroom.ErrNotAllowed) {
				// The rules want a person (QA sample, protection level): the
				// document stays in review; that is not a failure.
				e.log().Info("automatic approval withheld", "document", d.ID, "reason", err)
				_, jerr := e.Store.Append(ctx, e.Owner(), "auto-approve-withheld", d.ID, d.BatchID, map[string]string{"reason": err.Error()})
				return jerr
			}
			e.Store.Append(ctx, a.Person, "approve-refused", d.ID, d.BatchID, map[string]string{"reason": err.Error()})
			return err
		}
	}
	if e.Finisher != nil {
		if err := e.Finisher.Finish(ctx, d, b, a); err != nil {
			e.Store.Append(ctx, e.Owner(), "error", d.ID, d.BatchID, map[string]string{"step": "evidence", "error": err.Error()})
			return fmt.Errorf("evidence: %w", err)
		}
	}
	_, err = e.Store.Transition(ctx, docID, mailroom.Change{To: mailroom.StateApproved, Actor: a.Person, Action: "approve", Detail: a,
		Mutate: func(d *mailroom.Document) error {
			d.Metadata[mailroom.MetaApprovedBy] = a.Person
			d.Metadata[mailroom.MetaApprovedAt] = a.Time.Format(time.RFC3339)
			return nil
		}})
	return err
}

// Reject rejects a document in review with a reason.
func (e *Engine) Reject(ctx context.Context, docID, person, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return fmt.Errorf("reject: a reason is required")
	}
	_, err := e.Store.Transition(ctx, docID, mailroom.Change{To: mailroom.StateRejected, Actor: person, Action: "reject",
		Mutate: func(d *mailroom.Document) error { d.Reason = reason; return nil }})
	return err
}

// UpdateMetadata changes metadata fields of a document in review; each change
// is journaled with old and new value. An empty value deletes the field.
func (e *Engine) UpdateMetadata(ctx context.Context, docID, person string, fields map[string]string) error {
	type change struct{ Old, New string }
	changes := map[string]change{}
	_, err := e.Store.Transition(ctx, docID, mailroom.Change{Actor: person, Action: "metadata", Detail: changes,
		Mutate: func(d *mailroom.Document) error {
			if d.State != mailroom.StateReview {
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
