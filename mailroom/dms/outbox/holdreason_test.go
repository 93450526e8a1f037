package outbox_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/dms/outbox"
)

// TestHeldReasonOnDocument: a permanent error at two targets puts both
// entries on hold and their reasons on the document (journaled with
// export-held); retrying one entry leaves the other's reason, retrying the
// document clears it; the delivery then succeeds.
func TestHeldReasonOnDocument(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, t.TempDir())
	ids := approvedDocs(t, st, 1, false)
	a, b := &flaky{name: "archiv"}, &flaky{name: "dms"}
	a.perm.Store(true)
	b.perm.Store(true)
	ob := &outbox.Outbox{Store: st, Config: cfg(20 * time.Millisecond), Targets: []mailroom.Exporter{a, b}}
	stop := run(t, ob)
	deadline := time.Now().Add(10 * time.Second)
	for {
		held, _ := st.OutboxEntries(ctx, mailroom.OutboxFilter{Statuses: []mailroom.OutboxStatus{mailroom.OutboxHeld}})
		if len(held) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("entries not held")
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	d, _ := st.Document(ctx, ids[0])
	if d.State != mailroom.StateExporting {
		t.Fatalf("state %s", d.State)
	}
	for _, want := range []string{"Zustellung an archiv angehalten", "Zustellung an dms angehalten", "metadata rejected",
		"delivery to dms held", "poststelle outbox retry"} {
		if !strings.Contains(d.Reason, want) {
			t.Errorf("document reason lacks %q: %q", want, d.Reason)
		}
	}
	j, _ := st.Journal(ctx, mailroom.JournalFilter{Action: "export-held"})
	if len(j) != 2 || !strings.Contains(j[1].Detail, "document_reason") {
		t.Fatalf("export-held journal: %+v", j)
	}

	// Retry only the archiv entry: the dms hold still explains the wait.
	es, _ := st.OutboxEntries(ctx, mailroom.OutboxFilter{Target: "archiv"})
	if n, err := st.OutboxRetry(ctx, es[0].ID, "Operator Olaf"); err != nil || n != 1 {
		t.Fatalf("retry entry: %d %v", n, err)
	}
	d, _ = st.Document(ctx, ids[0])
	if strings.Contains(d.Reason, "archiv") || !strings.Contains(d.Reason, "Zustellung an dms angehalten") {
		t.Fatalf("after retrying archiv: reason %q", d.Reason)
	}
	// Retry the document: no reason left, journaled.
	if n, err := st.OutboxRetry(ctx, ids[0], "Operator Olaf"); err != nil || n != 2 {
		t.Fatalf("retry document: %d %v", n, err)
	}
	d, _ = st.Document(ctx, ids[0])
	if d.Reason != "" {
		t.Fatalf("after retry: reason %q", d.Reason)
	}
	j, _ = st.Journal(ctx, mailroom.JournalFilter{Action: "export-retry"})
	var last struct {
		Reason *string `json:"document_reason"`
	}
	if len(j) == 0 || json.Unmarshal([]byte(j[len(j)-1].Detail), &last) != nil || last.Reason == nil || *last.Reason != "" {
		t.Fatalf("export-retry journal does not record the cleared reason: %+v", j)
	}
	a.perm.Store(false)
	b.perm.Store(false)
	stop = run(t, ob)
	waitExported(t, ob, ids, 10*time.Second)
	stop()
	if d, _ := st.Document(ctx, ids[0]); d.Reason != "" {
		t.Errorf("exported document has reason %q", d.Reason)
	}
}
