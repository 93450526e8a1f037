package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"

	"poststelle/mailroom"
)

// MetaScannedBy is the metadata key (document first, then batch) naming the
// person who scanned the paper. The scanning station, a hot-folder
// sub-folder rule, the mail intake or the desk sets it. For "sehr hoch" it
// must be known: without it the four-eyes rule cannot be shown.
const MetaScannedBy = "scanned_by"

// ScannedBy returns the person who scanned d, or "" when unknown.
func ScannedBy(d *mailroom.Document, b *mailroom.Batch) string {
	if v := strings.TrimSpace(d.Metadata[MetaScannedBy]); v != "" {
		return v
	}
	if b != nil {
		return strings.TrimSpace(b.Metadata[MetaScannedBy])
	}
	return ""
}

// Sampled reports whether a normal-level document is selected for the QA
// sample at rate (0..1). The choice is a pure function of the document id —
// the first 8 bytes of SHA-256("poststelle-qa-sample:" + id) read as a
// fraction of 2^64 — so an auditor can recompute it for every document.
func Sampled(docID string, rate float64) bool {
	if rate <= 0 {
		return false
	}
	if rate >= 1 {
		return true
	}
	sum := sha256.Sum256([]byte("poststelle-qa-sample:" + docID))
	x := float64(binary.BigEndian.Uint64(sum[:8])) / float64(1<<64)
	return x < rate
}

// Policy enforces the protection levels (TR-RESISCAN, DOMAIN.md):
//
//	normal     a passed QA is required for documents in the QA sample (SampleRate)
//	hoch       a passed QA is required for every document; no automatic approval
//	sehr hoch  as hoch, plus four eyes: the scanner is known, and neither the
//	           QA person nor the approver is the person who scanned
//
// Refusals wrap mailroom.ErrNotAllowed and carry a German/English reason.
type Policy struct {
	SampleRate float64
	// ThreePersons (sehr hoch): the person who checked may not approve
	// either, so scanning, checking and approving take three people.
	ThreePersons bool
}

var _ mailroom.QAPolicy = (*Policy)(nil)

// CheckQA implements mailroom.QAPolicy: for "sehr hoch" the person who
// scanned may not record the quality check.
func (p *Policy) CheckQA(ctx context.Context, d *mailroom.Document, b *mailroom.Batch, qa mailroom.QAResult) error {
	if d.Protection != mailroom.ProtectionSehrHoch {
		return nil
	}
	if samePerson(ScannedBy(d, b), qa.Person) {
		return refuse("Vier-Augen-Prinzip: %s hat gescannt und darf nicht die Qualitätsprüfung machen",
			"four eyes: %s scanned and may not do the quality check", qa.Person)
	}
	return nil
}

var _ mailroom.ApprovalPolicy = (*Policy)(nil)

// Refusal is a rule that forbids an approval.
type Refusal struct{ DE, EN string }

func (r *Refusal) Error() string { return r.DE + " / " + r.EN }

// Unwrap makes errors.Is(err, mailroom.ErrNotAllowed) true.
func (r *Refusal) Unwrap() error { return mailroom.ErrNotAllowed }

func refuse(de, en string, args ...any) error {
	return &Refusal{DE: fmt.Sprintf(de, args...), EN: fmt.Sprintf(en, args...)}
}

func samePerson(a, b string) bool {
	return a != "" && b != "" && strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// CheckApproval implements mailroom.ApprovalPolicy.
func (p *Policy) CheckApproval(ctx context.Context, d *mailroom.Document, b *mailroom.Batch, a mailroom.Approval) error {
	prot := d.Protection
	if prot == "" {
		prot = mailroom.ProtectionNormal
	}
	qaPassed := a.QA.Passed()
	if a.QA != nil && !qaPassed {
		return refuse("Qualitätsprüfung nicht bestanden (vollständig=%v, lesbar=%v, übereinstimmend=%v)",
			"quality check failed (complete=%v, legible=%v, matches=%v)", a.QA.Complete, a.QA.Legible, a.QA.Matches)
	}
	switch prot {
	case mailroom.ProtectionNormal:
		if Sampled(d.ID, p.SampleRate) && !qaPassed {
			return refuse("Dokument ist für die QS-Stichprobe ausgewählt (Satz %.3g): erst Qualitätsprüfung erfassen",
				"document is in the QA sample (rate %.3g): record a passed quality check first", p.SampleRate)
		}
		return nil
	case mailroom.ProtectionHoch, mailroom.ProtectionSehrHoch:
		if a.Automatic {
			return refuse("Schutzbedarf %q: automatische Freigabe ist nicht erlaubt", "protection %q: automatic approval is not allowed", prot)
		}
		if !qaPassed {
			return refuse("Schutzbedarf %q: vollständige Qualitätsprüfung erforderlich", "protection %q: a passed full quality check is required", prot)
		}
	default:
		return refuse("unbekannter Schutzbedarf %q", "unknown protection level %q", prot)
	}
	if prot != mailroom.ProtectionSehrHoch {
		return nil
	}
	scanner := ScannedBy(d, b)
	if scanner == "" {
		return refuse("Schutzbedarf \"sehr hoch\": die scannende Person ist nicht erfasst (Metadatum %s); das Vier-Augen-Prinzip ist nicht nachweisbar",
			"protection \"sehr hoch\": the person who scanned is not recorded (metadata %s); four eyes cannot be shown", MetaScannedBy)
	}
	if samePerson(scanner, a.Person) {
		return refuse("Vier-Augen-Prinzip: %s hat gescannt und darf nicht freigeben", "four eyes: %s scanned and may not approve", a.Person)
	}
	if samePerson(scanner, a.QA.Person) {
		return refuse("Vier-Augen-Prinzip: %s hat gescannt und darf nicht die Qualitätsprüfung machen",
			"four eyes: %s scanned and may not do the quality check", a.QA.Person)
	}
	if p.ThreePersons && samePerson(a.QA.Person, a.Person) {
		return refuse("Vier-Augen-Prinzip (drei Personen): %s hat die Qualitätsprüfung gemacht und darf nicht freigeben",
			"four eyes (three people): %s did the quality check and may not approve", a.Person)
	}
	return nil
}
