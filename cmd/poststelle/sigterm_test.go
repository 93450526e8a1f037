//go:build linux

package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/hostiletest"
)

// TestSIGTERMDuringWorkServe: serve is stopped while a page is being
// rendered (a fill loop under a 60 s page deadline): it ends within 30 s;
// the next start redoes the document (here with a 5 s deadline, so it is
// quarantined as too slow) — it is never lost.
func TestSIGTERMDuringWorkServe(t *testing.T) {
	if testing.Short() {
		t.Skip("runs poststelle serve (-short)")
	}
	bin := binary(t)
	data, scratch := t.TempDir(), t.TempDir()
	inbox := filepath.Join(data, "inbox")
	os.MkdirAll(inbox, 0o770)
	logPath := filepath.Join(t.TempDir(), "serve.log")
	srv := startServe(t, bin, hostileConfig(t, data, `page_timeout = "60s"`), logPath)
	dropInto(t, inbox, scratch, "loop.pdf", func(p string) error { return os.WriteFile(p, hostiletest.FillLoop(true), 0o644) })
	st := hostileStore(t, data)
	ctx := context.Background()
	waitUntilState(t, func() bool {
		d := docsOf(ctx, st, "loop.pdf")
		return len(d) == 1 && d[0].State == mailroom.StateSplitting
	}, 30*time.Second)
	time.Sleep(2 * time.Second) // the page is being rendered
	el := stopWithin(t, srv, 30*time.Second)
	t.Logf("HOSTILE sigterm serve: stopped %v after SIGTERM while a page was rendering", el.Round(time.Millisecond))
	srv = startServe(t, bin, hostileConfig(t, data, `page_timeout = "5s"`), logPath)
	defer stopWithin(t, srv, 30*time.Second)
	waitUntilState(t, func() bool {
		d := docsOf(ctx, st, "loop.pdf")
		return len(d) == 1 && d[0].State == mailroom.StateQuarantined && strings.Contains(d[0].Reason, "dauerte zu lange")
	}, 60*time.Second)
}

// TestSIGTERMDuringWorkProcess: `process` stopped while rendering ends
// within 30 s; run again on the same file the document is redone.
func TestSIGTERMDuringWorkProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("runs poststelle process (-short)")
	}
	bin := binary(t)
	data := t.TempDir()
	in := filepath.Join(t.TempDir(), "loop.pdf")
	os.WriteFile(in, hostiletest.FillLoop(true), 0o644)
	cmd := exec.Command(bin, "process", "--config", hostileConfig(t, data, `page_timeout = "60s"`), in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * time.Second)
	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case <-waited:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("process did not end within 30 s of SIGTERM")
	}
	t.Logf("HOSTILE sigterm process: ended %v after SIGTERM (exit %v)", time.Since(start).Round(time.Millisecond), cmd.ProcessState)
	out, errOut, code := run(t, bin, "process", "--config", hostileConfig(t, data, `page_timeout = "5s"`), in)
	if code != 0 || !strings.Contains(out, `"duplicate":true`) || !strings.Contains(out, "dauerte zu lange") {
		t.Fatalf("second run (exit %d): want the same batch redone and quarantined as too slow:\n%s\n%s", code, out, errOut)
	}
}

func waitUntilState(t *testing.T, cond func() bool, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
