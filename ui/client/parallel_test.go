package client_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"poststelle/mailroom"
	"poststelle/mailroom/api/apitest"
	"poststelle/mailroom/testcorpus"
)

// reviewer drives one desk through the review of whatever document it can
// get: open one nobody else holds, record the QA, approve, next.
type reviewer struct {
	*desk
	state    string
	doc      string
	since    time.Time
	errs     int
	lastErr  string
	approved int
	offset   int
	locked   int // documents found open at another desk
}

func (r *reviewer) setState(s string) { r.state, r.since = s, time.Now() }

// erred reports whether the desk showed a new error (refused as locked or
// stale: another desk was quicker); the reviewer then picks another document.
func (r *reviewer) erred() bool {
	if e := r.LastError(); e != "" && e != r.lastErr {
		r.lastErr = e
		r.errs++
		return true
	}
	return false
}

// step advances the reviewer by one state.
func (r *reviewer) step() {
	v := r.Doc.View()
	switch r.state {
	case "", "idle":
		rows := r.Inbox.Rows()
		for i := range rows {
			row := rows[(i+r.offset)%len(rows)]
			if row.LockedByOther(r.login, time.Now()) == nil {
				r.doc = row.ID
				r.Doc.Open(row.ID)
				r.SelectTab(1)
				r.setState("opening")
				return
			}
		}
		if time.Since(r.since) > 300*time.Millisecond {
			r.Inbox.Reload()
			r.setState("idle")
		}
	case "opening":
		switch {
		case v != nil && v.ID == r.doc && v.State != mailroom.StateReview:
			r.setState("idle") // already decided by another desk
		case v != nil && v.ID == r.doc && r.Doc.LockedBy() != "":
			r.locked++
			r.offset++
			r.setState("idle")
		case v != nil && v.ID == r.doc && r.Doc.Holding():
			r.SelectTab(2)
			q := r.QA
			q.Complete.SetChecked(true)
			q.Legible.SetChecked(true)
			q.Matches.SetChecked(true)
			q.Expected.SetText(strconv.Itoa(len(v.Pages)))
			q.Save()
			r.setState("qa")
		case time.Since(r.since) > 10*time.Second:
			r.setState("idle")
		}
	case "qa":
		switch {
		case r.erred():
			r.setState("idle")
		case v != nil && v.ID == r.doc && v.QA != nil && v.QA.Person == r.login:
			r.QA.Approve()
			r.setState("approve")
		}
	case "approve":
		switch {
		case r.erred():
			r.setState("idle")
		case r.Doc.View() == nil || r.Doc.View().ID != r.doc || time.Since(r.since) > 5*time.Second:
			// afterDecision opened the next document or the inbox.
			r.approved++
			r.setState("idle")
		}
	}
}

// Three desks review 50 documents in parallel through the API, each with a
// QA and an approval; none is lost and none approved twice.
func TestParallelReviewThreeDesks(t *testing.T) {
	test.NewTempApp(t)
	rig := apitest.Start(t, func(cfg *mailroom.Config) { cfg.Evidence.QASampleRate = 1 }) // every approval needs a QA
	logins := []string{"anna", "bert", "carl"}
	for _, l := range logins {
		rig.Operator(l, l+"-Passwort", both...)
	}
	const n = 50
	docs := rig.Review(testcorpus.Path(t, "ocrmypdf", "linn.pdf"), n, normal)
	if len(docs) != n {
		t.Fatalf("%d documents in review, want %d", len(docs), n)
	}
	var rs []*reviewer
	for i, l := range logins {
		// Neighbouring start positions: the desks meet on the same documents.
		rs = append(rs, &reviewer{desk: openDesk(t, rig, l, l+"-Passwort"), offset: i})
	}
	ctx := context.Background()
	start := time.Now()
	done := func() bool {
		c, _ := rig.Store().Counts(ctx)
		return c[mailroom.StateApproved] == n
	}
	for !done() {
		if time.Since(start) > 4*time.Minute {
			c, _ := rig.Store().Counts(ctx)
			t.Fatalf("after %s: %v", time.Since(start), c)
		}
		uiPump.drain()
		for _, r := range rs {
			r.step()
		}
		time.Sleep(2 * time.Millisecond)
	}
	took := time.Since(start)
	// None lost, none approved twice: every document approved exactly once,
	// with a QA by the person who also approved it (one desk did both).
	per := map[string]int{}
	approvals, _ := rig.Store().Journal(ctx, mailroom.JournalFilter{Action: "approve"})
	for _, e := range approvals {
		per[e.DocumentID]++
	}
	by := map[string]int{}
	for _, d := range docs {
		cur, _ := rig.Store().Document(ctx, d.ID)
		if cur.State != mailroom.StateApproved || per[d.ID] != 1 {
			t.Fatalf("document %s: %s, approved %d times", d.ID, cur.State, per[d.ID])
		}
		q := mailroom.QAOf(cur)
		if q == nil || !q.Passed() {
			t.Fatalf("document %s approved without a passed QA: %+v", d.ID, q)
		}
		by[cur.Metadata[mailroom.MetaApprovedBy]]++
	}
	if len(approvals) != n {
		t.Fatalf("%d approvals journaled, want %d", len(approvals), n)
	}
	refused, locked := 0, 0
	for _, r := range rs {
		refused += r.errs
		locked += r.locked
		if by[r.login] == 0 {
			t.Errorf("desk %s approved nothing: %v", r.login, by)
		}
	}
	t.Logf("3 desks, %d documents (QA + approval each) in %s (%.0f ms per document); approved by %v; %d times a desk found "+
		"the document open at another desk and moved on; %d changes refused because another desk was quicker (shown as a message, "+
		"nothing overwritten)", n, took.Round(time.Millisecond), float64(took.Milliseconds())/n, by, locked, refused)
}
