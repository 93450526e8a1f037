package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/dms"
	"poststelle/mailroom/dms/folder"
	"poststelle/mailroom/dms/outbox"
)

func cfg(backoff time.Duration) mailroom.OutboxConfig {
	return mailroom.OutboxConfig{Backoff: mailroom.Duration{Duration: backoff}, MaxBackoff: mailroom.Duration{Duration: 4 * backoff},
		PollInterval: mailroom.Duration{Duration: 20 * time.Millisecond}, Workers: 2, AlertAfter: mailroom.Duration{Duration: time.Hour}}
}

func waitExported(t *testing.T, ob *outbox.Outbox, ids []string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		all := true
		for _, id := range ids {
			d, err := ob.Store.Document(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if d.State != mailroom.StateExported {
				all = false
				break
			}
		}
		if all {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("documents not exported within %s", limit)
}

func run(t *testing.T, ob *outbox.Outbox) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ob.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

func TestDeliverToFolder(t *testing.T) {
	st := openStore(t, t.TempDir())
	ids := approvedDocs(t, st, 6, true)
	exportDir := filepath.Join(t.TempDir(), "export")
	ob := &outbox.Outbox{Store: st, Config: cfg(50 * time.Millisecond),
		Targets: []mailroom.Exporter{&folder.Exporter{Target: "ablage", Dir: exportDir}}}
	stop := run(t, ob)
	waitExported(t, ob, ids, 10*time.Second)
	stop()
	ctx := context.Background()
	for i, id := range ids {
		es, _ := st.OutboxEntries(ctx, mailroom.OutboxFilter{DocumentID: id})
		if len(es) != 1 || es[0].Receipt == nil || es[0].Receipt.ObjectID != id || es[0].Receipt.Target != "ablage" {
			t.Fatalf("doc %d: entries %+v", i, es)
		}
		j, _ := st.Journal(ctx, mailroom.JournalFilter{DocumentID: id, Action: "export-receipt"})
		if len(j) != 1 || !strings.Contains(j[0].Detail, `"object_id"`) {
			t.Fatalf("doc %d: receipt journal %+v", i, j)
		}
		sub := filepath.Join(exportDir, id)
		files, _ := os.ReadDir(sub)
		want := 3 // document, index.json, index.xml
		if i%2 == 0 {
			want = 5 // + transfervermerk.xml, metadata.json? (only transfervermerk here) → 4 … counted below
			want = 4
		}
		if len(files) != want {
			var names []string
			for _, f := range files {
				names = append(names, f.Name())
			}
			t.Errorf("doc %d: %d files %v, want %d", i, len(files), names, want)
		}
	}
	if _, err := st.VerifyChain(ctx); err != nil {
		t.Fatal(err)
	}
}

// flaky fails transiently n times, then delivers (in memory).
type flaky struct {
	name  string
	fails atomic.Int32
	perm  atomic.Bool
	mu    sync.Mutex
	got   map[string]int
}

func (f *flaky) Name() string { return f.name }
func (f *flaky) Export(ctx context.Context, doc mailroom.ExportDoc) (mailroom.Receipt, error) {
	if f.perm.Load() {
		return mailroom.Receipt{}, mailroom.Permanent(errors.New("metadata rejected"))
	}
	if f.fails.Add(-1) >= 0 {
		return mailroom.Receipt{}, &dms.StatusError{Op: "upload", Status: 503}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.got == nil {
		f.got = map[string]int{}
	}
	f.got[doc.ID]++
	return mailroom.Receipt{ObjectID: "obj-" + doc.ID, Time: time.Now()}, nil
}

func TestTransientRetriedWithBackoff(t *testing.T) {
	st := openStore(t, t.TempDir())
	ids := approvedDocs(t, st, 3, false)
	f := &flaky{name: "dms"}
	f.fails.Store(5)
	var logs bytes.Buffer
	ob := &outbox.Outbox{Store: st, Config: cfg(30 * time.Millisecond), Targets: []mailroom.Exporter{f},
		Log: slog.New(slog.NewTextHandler(&logs, nil))}
	stop := run(t, ob)
	waitExported(t, ob, ids, 20*time.Second)
	stop()
	if len(f.got) != 3 {
		t.Fatalf("delivered %d documents, want 3", len(f.got))
	}
	j, _ := st.Journal(context.Background(), mailroom.JournalFilter{Action: "export-error"})
	if len(j) != 5 {
		t.Errorf("%d export-error journal entries, want 5", len(j))
	}
	if !strings.Contains(logs.String(), "will retry") {
		t.Errorf("no retry logged:\n%s", logs.String())
	}
}

func TestPermanentHeldUntilRetry(t *testing.T) {
	st := openStore(t, t.TempDir())
	ids := approvedDocs(t, st, 2, false)
	f := &flaky{name: "dms"}
	f.perm.Store(true)
	ob := &outbox.Outbox{Store: st, Config: cfg(20 * time.Millisecond), Targets: []mailroom.Exporter{f}}
	stop := run(t, ob)
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for {
		held, _ := st.OutboxEntries(ctx, mailroom.OutboxFilter{Statuses: []mailroom.OutboxStatus{mailroom.OutboxHeld}})
		if len(held) == 2 {
			if held[0].Attempts != 1 || !strings.Contains(held[0].LastError, "metadata rejected") {
				t.Fatalf("held entry %+v", held[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("entries not held")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // held entries are not retried by themselves
	if es, _ := st.OutboxEntries(ctx, mailroom.OutboxFilter{}); es[0].Attempts != 1 {
		t.Fatalf("held entry was retried: %+v", es[0])
	}
	d, _ := st.Document(ctx, ids[0])
	if d.State != mailroom.StateExporting {
		t.Fatalf("state %s, want exporting", d.State)
	}
	f.perm.Store(false)
	for _, id := range ids {
		if n, err := st.OutboxRetry(ctx, id, "Operator Olaf"); err != nil || n != 1 {
			t.Fatalf("retry: %d %v", n, err)
		}
	}
	waitExported(t, ob, ids, 10*time.Second)
	stop()
	j, _ := st.Journal(ctx, mailroom.JournalFilter{Action: "export-retry"})
	if len(j) != 2 || j[0].Actor != "Operator Olaf" {
		t.Fatalf("retry journal %+v", j)
	}
}

func TestAlertWhenStuck(t *testing.T) {
	st := openStore(t, t.TempDir())
	approvedDocs(t, st, 1, false)
	f := &flaky{name: "dms"}
	f.fails.Store(1 << 30)
	var logs syncBuf
	c := cfg(50 * time.Millisecond)
	c.AlertAfter = mailroom.Duration{Duration: 100 * time.Millisecond}
	m := outbox.NewMetrics()
	ob := &outbox.Outbox{Store: st, Config: c, Targets: []mailroom.Exporter{f}, Metrics: m,
		Log: slog.New(slog.NewTextHandler(&logs, nil))}
	stop := run(t, ob)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "ALARM") {
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("no alert logged:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	if v := gauge(t, m, "poststelle_outbox_alert"); v != 1 {
		t.Fatalf("alert metric %v, want 1", v)
	}
}

func TestDeliverDocument(t *testing.T) {
	st := openStore(t, t.TempDir())
	ids := approvedDocs(t, st, 2, true)
	ob := &outbox.Outbox{Store: st, Config: cfg(time.Second),
		Targets: []mailroom.Exporter{&folder.Exporter{Target: "ablage", Dir: filepath.Join(t.TempDir(), "x")}, &flaky{name: "zweit"}}}
	rcs, err := ob.DeliverDocument(context.Background(), ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rcs) != 2 {
		t.Fatalf("receipts %+v", rcs)
	}
	d, _ := st.Document(context.Background(), ids[0])
	if d.State != mailroom.StateExported {
		t.Fatalf("state %s", d.State)
	}
	d, _ = st.Document(context.Background(), ids[1])
	if d.State != mailroom.StateApproved {
		t.Fatalf("other document touched: %s", d.State)
	}
}
