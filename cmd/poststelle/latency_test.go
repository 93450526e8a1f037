package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"poststelle/mailroom/store"
)

// TestIntakeLatency measures the time from a file becoming stable (last
// write + stable_delay) to its batch being recorded in the store.
func TestIntakeLatency(t *testing.T) {
	bin := binary(t)
	data := t.TempDir()
	cfg := testConfig(t, data, "")
	inbox := filepath.Join(data, "inbox")
	os.MkdirAll(inbox, 0o755)
	logPath := filepath.Join(t.TempDir(), "serve.log")
	srv := startServe(t, bin, cfg, logPath)
	defer srv.stop(t)
	defer func() {
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("serve log:\n%s", b)
		}
	}()
	st, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	const stable = 300 * time.Millisecond // from testConfig
	const n = 20
	written := map[string]time.Time{}
	for i := 0; i < n; i++ {
		buf := make([]byte, 100<<10)
		rand.Read(buf)
		name := fmt.Sprintf("lat-%02d.pdf", i)
		if err := os.WriteFile(filepath.Join(inbox, name), buf, 0o644); err != nil {
			t.Fatal(err)
		}
		written[name] = time.Now()
		time.Sleep(100 * time.Millisecond)
	}
	var lats []time.Duration
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		bs, _ := st.Batches(ctx)
		if len(bs) == n {
			for _, b := range bs {
				lats = append(lats, b.ReceivedAt.Sub(written[b.Filename])-stable)
			}
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(lats) != n {
		t.Fatalf("only some files recorded")
	}
	sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
	med, max := lats[n/2], lats[n-1]
	t.Logf("intake latency (file stable → document recorded), %d files of 100 KiB: median %v, max %v", n, med.Round(time.Millisecond), max.Round(time.Millisecond))
	if med > 2*time.Second {
		t.Errorf("median intake latency %v is too slow", med)
	}
}
