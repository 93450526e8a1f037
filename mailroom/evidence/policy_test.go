package evidence_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/google/uuid"

	"poststelle/mailroom"
	"poststelle/mailroom/evidence"
)

// Over 1,000 simulated normal-level documents the share that the policy
// holds back for QA must match the configured rate within 4 standard
// deviations of the binomial distribution, and the choice must be
// reproducible per document.
func TestQASampleRateOver1000Documents(t *testing.T) {
	for _, rate := range []float64{0.03, 0.1, 0.5} {
		p := &evidence.Policy{SampleRate: rate}
		const n = 1000
		held := 0
		for i := 0; i < n; i++ {
			id := uuid.NewSHA1(uuid.NameSpaceOID, []byte(fmt.Sprintf("doc-%d", i))).String()
			d := &mailroom.Document{ID: id, Protection: mailroom.ProtectionNormal, Metadata: map[string]string{}}
			err := p.CheckApproval(context.Background(), d, &mailroom.Batch{}, mailroom.Approval{Person: "A"})
			if err != nil {
				if !errors.Is(err, mailroom.ErrNotAllowed) {
					t.Fatal(err)
				}
				held++
				if evidence.Sampled(id, rate) != true {
					t.Fatal("held back a document that is not in the sample")
				}
				qa := &mailroom.QAResult{Person: "Q", Complete: true, Legible: true, Matches: true}
				if err := p.CheckApproval(context.Background(), d, &mailroom.Batch{}, mailroom.Approval{Person: "A", QA: qa}); err != nil {
					t.Fatalf("sampled document with passed QA refused: %v", err)
				}
			}
		}
		mean, sd := n*rate, math.Sqrt(n*rate*(1-rate))
		if math.Abs(float64(held)-mean) > 4*sd {
			t.Errorf("rate %.2f: %d of %d sampled, expected %.0f ± %.1f", rate, held, n, mean, 4*sd)
		}
		t.Logf("rate %.2f: %d of %d documents sampled (expected %.0f, 4σ = %.1f)", rate, held, n, mean, 4*sd)
	}
}

func TestProtectionLevels(t *testing.T) {
	ctx := context.Background()
	p := &evidence.Policy{SampleRate: 0}
	passed := &mailroom.QAResult{Person: "Q", Complete: true, Legible: true, Matches: true}
	failed := &mailroom.QAResult{Person: "Q", Complete: false, Legible: true, Matches: true}
	cases := []struct {
		name string
		prot mailroom.Protection
		a    mailroom.Approval
		meta map[string]string
		ok   bool
	}{
		{"normal without QA", mailroom.ProtectionNormal, mailroom.Approval{Person: "A"}, nil, true},
		{"normal automatic", mailroom.ProtectionNormal, mailroom.Approval{Person: "x", Automatic: true}, nil, true},
		{"normal failed QA", mailroom.ProtectionNormal, mailroom.Approval{Person: "A", QA: failed}, nil, false},
		{"hoch without QA", mailroom.ProtectionHoch, mailroom.Approval{Person: "A"}, nil, false},
		{"hoch with QA", mailroom.ProtectionHoch, mailroom.Approval{Person: "A", QA: passed}, nil, true},
		{"hoch automatic", mailroom.ProtectionHoch, mailroom.Approval{Person: "x", Automatic: true, QA: passed}, nil, false},
		{"sehr hoch scanner unknown", mailroom.ProtectionSehrHoch, mailroom.Approval{Person: "A", QA: passed}, nil, false},
		{"sehr hoch four eyes", mailroom.ProtectionSehrHoch, mailroom.Approval{Person: "A", QA: passed}, map[string]string{"scanned_by": "S"}, true},
		{"sehr hoch scanner approves", mailroom.ProtectionSehrHoch, mailroom.Approval{Person: " s ", QA: passed}, map[string]string{"scanned_by": "S"}, false},
		{"sehr hoch scanner did QA", mailroom.ProtectionSehrHoch, mailroom.Approval{Person: "A", QA: passed}, map[string]string{"scanned_by": "Q"}, false},
	}
	for _, c := range cases {
		d := &mailroom.Document{ID: "x", Protection: c.prot, Metadata: map[string]string{}}
		b := &mailroom.Batch{Metadata: c.meta}
		err := p.CheckApproval(ctx, d, b, c.a)
		if (err == nil) != c.ok {
			t.Errorf("%s: err=%v, want ok=%v", c.name, err, c.ok)
		}
		if err != nil && !errors.Is(err, mailroom.ErrNotAllowed) {
			t.Errorf("%s: refusal does not wrap ErrNotAllowed: %v", c.name, err)
		}
	}
}
