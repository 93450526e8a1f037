package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"poststelle/mailroom"
)

// The review: what a person does with a document in review. Every method
// takes the acting person (checked for the role, RolesFor) and the version
// the change was made on (mailroom.Ref), and returns the document as it is
// afterwards.

// RecordQA stores a quality check of a document in review. The person of
// the check is act's login, whatever qa.Person says. An ApprovalPolicy that
// is also a mailroom.QAPolicy may refuse the person (four eyes: the person
// who scanned may not check).
func (e *Engine) RecordQA(ctx context.Context, act mailroom.Actor, ref mailroom.Ref, qa mailroom.QAResult) (*mailroom.Document, error) {
	if err := e.Authorize(ctx, act, "qa", ref.ID); err != nil {
		return nil, err
	}
	qa.Person = act.Login
	if qa.Time.IsZero() {
		qa.Time = time.Now().UTC()
	}
	if qp, ok := e.Policy.(mailroom.QAPolicy); ok {
		d, b, err := e.docBatch(ctx, ref.ID)
		if err != nil {
			return nil, err
		}
		if err := qp.CheckQA(ctx, d, b, qa); err != nil {
			e.Store.Append(ctx, act.Login, "qa-refused", d.ID, d.BatchID, map[string]string{"reason": err.Error()})
			return nil, err
		}
	}
	data, _ := json.Marshal(qa)
	d, err := e.Store.Transition(ctx, ref.ID, mailroom.Change{Actor: act.Login, Action: "qa", Detail: qa, Via: via(act),
		Mutate: func(d *mailroom.Document) error {
			if err := guard(act, ref, d); err != nil {
				return err
			}
			if d.State != mailroom.StateReview {
				return notInReview("QA", d.State)
			}
			if err := mailroom.CheckPagesApplied(d); err != nil {
				return err
			}
			d.Metadata[mailroom.MetaQA] = string(data)
			return nil
		}})
	return d, explain(ctx, e.Store, ref.ID, err)
}

func notInReview(what string, s mailroom.State) error {
	return mailroom.BadInput(fmt.Sprintf("%s: Dokument ist im Status %s, nicht in der Prüfung", what, s),
		fmt.Sprintf("%s: document is %s, not in review", what, s), nil)
}

func (e *Engine) docBatch(ctx context.Context, id string) (*mailroom.Document, *mailroom.Batch, error) {
	d, err := e.Store.Document(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	b, err := e.Store.Batch(ctx, d.BatchID)
	if err != nil {
		return nil, nil, err
	}
	return d, b, nil
}

// Approve releases a document in review for delivery on behalf of act.
// The protection level's rules are enforced by ApprovalPolicy.
func (e *Engine) Approve(ctx context.Context, act mailroom.Actor, ref mailroom.Ref) (*mailroom.Document, error) {
	if err := e.Authorize(ctx, act, "approve", ref.ID); err != nil {
		return nil, err
	}
	return e.approveAs(ctx, &act, ref, mailroom.Approval{Person: act.Login, Time: time.Now().UTC()})
}

// approve is the automatic approval (recognise stage).
func (e *Engine) approve(ctx context.Context, docID string, a mailroom.Approval) error {
	_, err := e.approveAs(ctx, nil, mailroom.Ref{ID: docID}, a)
	return err
}

// docLocks serialises approvals of one document in this process, so that
// the evidence is made once even when two desks approve at the same moment.
var docLocks sync.Map // document id → *sync.Mutex

func lockDoc(id string) func() {
	m, _ := docLocks.LoadOrStore(id, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// approveAs approves ref; act is nil for the automatic approval.
func (e *Engine) approveAs(ctx context.Context, act *mailroom.Actor, ref mailroom.Ref, a mailroom.Approval) (*mailroom.Document, error) {
	defer lockDoc(ref.ID)()
	d, b, err := e.docBatch(ctx, ref.ID)
	if err != nil {
		return nil, err
	}
	check := func(d *mailroom.Document) error {
		if act == nil {
			return nil
		}
		return guard(*act, ref, d)
	}
	if err := check(d); err != nil {
		return nil, explain(ctx, e.Store, ref.ID, err)
	}
	if d.State != mailroom.StateReview {
		return nil, &mailroom.ErrTransition{From: d.State, To: mailroom.StateApproved}
	}
	if err := mailroom.CheckPagesApplied(d); err != nil {
		return nil, err
	}
	a.QA = mailroom.QAOf(d)
	if e.Policy != nil {
		if err := e.Policy.CheckApproval(ctx, d, b, a); err != nil {
			if a.Automatic && errors.Is(err, mailroom.ErrNotAllowed) {
				// The rules want a person (QA sample, protection level): the
				// document stays in review; that is not a failure.
				e.log().Info("automatic approval withheld", "document", d.ID, "reason", err)
				_, jerr := e.Store.Append(ctx, e.Owner(), "auto-approve-withheld", d.ID, d.BatchID, map[string]string{"reason": err.Error()})
				return d, jerr
			}
			e.Store.Append(ctx, a.Person, "approve-refused", d.ID, d.BatchID, map[string]string{"reason": err.Error()})
			return nil, err
		}
	}
	if e.Finisher != nil {
		if err := e.Finisher.Finish(ctx, d, b, a); err != nil {
			e.Store.Append(ctx, e.Owner(), "error", d.ID, d.BatchID, map[string]string{"step": "evidence", "error": err.Error()})
			return nil, fmt.Errorf("evidence: %w", err)
		}
	}
	c := mailroom.Change{To: mailroom.StateApproved, Actor: a.Person, Action: "approve", Detail: a,
		Mutate: func(d *mailroom.Document) error {
			if err := check(d); err != nil {
				return err
			}
			d.Metadata[mailroom.MetaApprovedBy] = a.Person
			d.Metadata[mailroom.MetaApprovedAt] = a.Time.Format(time.RFC3339)
			return nil
		}}
	if act != nil {
		c.Via = via(*act)
	}
	d, err = e.Store.Transition(ctx, ref.ID, c)
	return d, explain(ctx, e.Store, ref.ID, err)
}

// Reject rejects a document in review with a reason.
func (e *Engine) Reject(ctx context.Context, act mailroom.Actor, ref mailroom.Ref, reason string) (*mailroom.Document, error) {
	if err := e.Authorize(ctx, act, "reject", ref.ID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		return nil, mailroom.BadInput("Zurückweisen: ein Grund ist anzugeben", "reject: a reason is required", nil)
	}
	d, err := e.Store.Transition(ctx, ref.ID, mailroom.Change{To: mailroom.StateRejected, Actor: act.Login, Action: "reject", Via: via(act),
		Mutate: func(d *mailroom.Document) error {
			if err := guard(act, ref, d); err != nil {
				return err
			}
			d.Reason = reason
			return nil
		}})
	return d, explain(ctx, e.Store, ref.ID, err)
}

// UpdateMetadata changes metadata fields of a document in review; each change
// is journaled with old and new value. An empty value deletes the field.
func (e *Engine) UpdateMetadata(ctx context.Context, act mailroom.Actor, ref mailroom.Ref, fields map[string]string) (*mailroom.Document, error) {
	if err := e.Authorize(ctx, act, "metadata", ref.ID); err != nil {
		return nil, err
	}
	type change struct{ Old, New string }
	changes := map[string]change{}
	d, err := e.Store.Transition(ctx, ref.ID, mailroom.Change{Actor: act.Login, Action: "metadata", Detail: changes, Via: via(act),
		Mutate: func(d *mailroom.Document) error {
			if err := guard(act, ref, d); err != nil {
				return err
			}
			if d.State != mailroom.StateReview {
				return notInReview("Metadaten", d.State)
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
	return d, explain(ctx, e.Store, ref.ID, err)
}

var protectionRank = map[mailroom.Protection]int{mailroom.ProtectionNormal: 0, mailroom.ProtectionHoch: 1, mailroom.ProtectionSehrHoch: 2}

// SetProtection changes the protection level of a document in review. It
// may only be raised: lowering would drop the QA and four-eyes rules that
// the intake profile demanded.
func (e *Engine) SetProtection(ctx context.Context, act mailroom.Actor, ref mailroom.Ref, p mailroom.Protection) (*mailroom.Document, error) {
	if err := e.Authorize(ctx, act, "protection", ref.ID); err != nil {
		return nil, err
	}
	if !p.Valid() {
		return nil, mailroom.BadInput("Unbekannter Schutzbedarf", "unknown protection level", fmt.Errorf("%q", p))
	}
	d, err := e.Store.Transition(ctx, ref.ID, mailroom.Change{Actor: act.Login, Action: "protection", Via: via(act),
		Detail: map[string]any{"protection": p},
		Mutate: func(d *mailroom.Document) error {
			if err := guard(act, ref, d); err != nil {
				return err
			}
			if d.State != mailroom.StateReview {
				return mailroom.BadInput("Schutzbedarf nur in der Prüfung änderbar", "protection can only be changed in review", nil)
			}
			if protectionRank[p] < protectionRank[d.Protection] {
				return mailroom.BadInput(fmt.Sprintf("Schutzbedarf kann nicht gesenkt werden (%s → %s)", d.Protection, p),
					fmt.Sprintf("protection level cannot be lowered (%s → %s)", d.Protection, p), nil)
			}
			d.Protection = p
			return nil
		}})
	return d, explain(ctx, e.Store, ref.ID, err)
}
