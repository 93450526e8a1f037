package outbox_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/dms"
	"poststelle/mailroom/dms/cmis"
	"poststelle/mailroom/dms/cmis/cmistest"
	"poststelle/mailroom/dms/dmstest"
	"poststelle/mailroom/dms/outbox"
)

// TestChaosChild is the engine process of TestChaos: it runs the outbox on
// the data directory it is given until it is killed.
func TestChaosChild(t *testing.T) {
	data, url := os.Getenv("CHAOS_DATA"), os.Getenv("CHAOS_URL")
	if data == "" {
		t.Skip("runs only as the child process of TestChaos")
	}
	st := openStore(t, data)
	lf, _ := os.OpenFile(filepath.Join(filepath.Dir(data), "child.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
	var exp mailroom.Exporter = &cmis.Client{Target: "dms", URL: url, Repository: cmistest.Repository, Folder: "/Posteingang",
		User: "poststelle", Password: "geheim", Timeout: 2 * time.Second}
	exp = dms.WithRetry(exp, dms.RetryPolicy{Retries: 1, Base: 50 * time.Millisecond, Max: time.Second})
	exp = dms.WithRateLimit(exp, 25)
	ob := &outbox.Outbox{Store: st, Targets: []mailroom.Exporter{exp}, Log: slog.New(slog.NewJSONHandler(lf, nil)),
		Config: mailroom.OutboxConfig{Backoff: mailroom.Duration{Duration: 200 * time.Millisecond}, MaxBackoff: mailroom.Duration{Duration: 3 * time.Second},
			PollInterval: mailroom.Duration{Duration: 100 * time.Millisecond}, Workers: 4, Lease: mailroom.Duration{Duration: time.Minute}}}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	ob.Run(ctx)
}

// TestChaos: 500 documents are exported to a CMIS repository while it
// answers 503 for 60 s, connections drop (5 % of requests, half of them
// after the repository did the work), and the engine process is SIGKILLed
// 10 times. Every document must be in the repository exactly once (count
// and hashes) with a stored receipt naming that object.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test takes about two minutes; skipped with -short")
	}
	const docs, kills = 500, 10
	down := 60 * time.Second
	if v := os.Getenv("CHAOS_DOWN"); v != "" { // shorter runs while developing
		down, _ = time.ParseDuration(v)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	st := openStore(t, data)
	setup := time.Now()
	ids := approvedDocs(t, st, docs, false)
	t.Logf("%d approved documents prepared in %s", docs, time.Since(setup).Round(time.Millisecond))

	repo := cmistest.New(t.TempDir(), "poststelle", "geheim")
	proxy := &dmstest.FaultProxy{Next: repo}
	srv := httptest.NewServer(proxy)
	defer srv.Close()

	var child *exec.Cmd
	startChild := func() {
		child = exec.Command(os.Args[0], "-test.run=^TestChaosChild$", "-test.count=1")
		child.Env = append(os.Environ(), "CHAOS_DATA="+data, "CHAOS_URL="+srv.URL+"/browser")
		child.Stderr = os.Stderr
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
	}
	kill := func() {
		child.Process.Signal(syscall.SIGKILL)
		child.Wait()
	}
	exported := func() int {
		c, err := st.Counts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return c[mailroom.StateExported]
	}
	sleep := func(min, max time.Duration) { time.Sleep(min + time.Duration(rand.Int64N(int64(max-min)))) }

	start := time.Now()
	proxy.DropRate(0.05)
	startChild()
	sleep(800*time.Millisecond, 1500*time.Millisecond)
	kill() // 1: while delivering
	proxy.Down(time.Now().Add(down))
	t.Logf("repository down (503) for %s; %d exported before", down, exported())
	startChild()
	for k := 2; k <= 4; k++ { // 2–4: during the outage
		time.Sleep(down / 4)
		kill()
		startChild()
	}
	for time.Now().Before(start.Add(down)) {
		time.Sleep(100 * time.Millisecond)
	}
	midDelivery := 0
	for k := 5; k <= kills; k++ { // 5–10: while delivering again, with drops
		sleep(700*time.Millisecond, 1400*time.Millisecond)
		kill()
		n := exported()
		if n < docs {
			midDelivery++
		}
		t.Logf("kill %d: %d exported", k, n)
		startChild()
	}
	if midDelivery < 3 {
		t.Errorf("only %d of the kills after the outage hit a running delivery; the test lost its point", midDelivery)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for exported() < docs && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	kill()
	elapsed := time.Since(start)
	t.Logf("%d kills, %d requests, %d faults injected, %s", kills, proxy.Requests.Load(), proxy.Injected.Load(), elapsed.Round(time.Second))

	// Every document exactly once, by hash, with a receipt naming the object.
	ctx := context.Background()
	bySHA := map[string][]cmistest.Doc{}
	n := 0
	for _, d := range repo.Documents() {
		bySHA[d.SHA256] = append(bySHA[d.SHA256], d)
		n++
	}
	if n != docs {
		t.Errorf("repository holds %d documents, want %d", n, docs)
	}
	var missing, dup, badReceipt []string
	for _, id := range ids {
		d, _ := st.Document(ctx, id)
		b, _ := st.Batch(ctx, d.BatchID)
		objs := bySHA[b.SHA256]
		switch {
		case len(objs) == 0:
			missing = append(missing, id)
			continue
		case len(objs) > 1:
			dup = append(dup, fmt.Sprintf("%s×%d", id, len(objs)))
		}
		es, _ := st.OutboxEntries(ctx, mailroom.OutboxFilter{DocumentID: id})
		if d.State != mailroom.StateExported || len(es) != 1 || es[0].Receipt == nil || es[0].Receipt.ObjectID != objs[0].ID {
			badReceipt = append(badReceipt, id)
		}
	}
	if len(missing)+len(dup)+len(badReceipt) > 0 {
		t.Fatalf("missing %d %v, duplicated %d %v, without matching receipt %d %v", len(missing), head(missing), len(dup), head(dup),
			len(badReceipt), head(badReceipt))
	}
	if _, err := st.VerifyChain(ctx); err != nil {
		t.Fatal(err)
	}
	j, _ := st.Journal(ctx, mailroom.JournalFilter{Action: "export-receipt"})
	if len(j) != docs {
		t.Errorf("%d receipts journaled, want %d", len(j), docs)
	}
	t.Logf("OK: %d documents in the repository exactly once, %d receipts stored and journaled, journal chain intact", docs, len(j))
}

func head(s []string) string {
	if len(s) > 5 {
		s = s[:5]
	}
	return strings.Join(s, ",")
}
