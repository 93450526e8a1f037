//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/hostiletest"
	"poststelle/mailroom/store"
	"poststelle/scan/hotfolder"
)

// Bounds every hostile input must stay within (issue 15).
const (
	hostileMaxTime = 60 * time.Second
	hostileMaxRSS  = 1536 << 20
)

// hostileConfig is the embedded default configuration with the corpus's
// max_file_size, short intake delays and one hot folder.
func hostileConfig(t *testing.T, data, pipeline string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "poststelle.toml")
	body := fmt.Sprintf(`data_dir = %q
[log]
format = "json"
[http]
listen = ""
[intake]
stable_delay = "300ms"
rescan_interval = "2s"
max_file_size = %d
[pipeline]
idle = "100ms"
%s
[[folders]]
path = "inbox"
name = "eingang"
`, data, hostiletest.MaxFileSize, pipeline)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// treeRSS samples the summed resident memory of a process and its
// descendants (the MuPDF children) until stop is called; the peak in bytes.
type treeRSS struct {
	peak atomic.Int64
	stop chan struct{}
	wg   sync.WaitGroup
}

func sampleTree(pid int) *treeRSS {
	s := &treeRSS{stop: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			if v := treeBytes(pid); v > s.peak.Load() {
				s.peak.Store(v)
			}
			select {
			case <-s.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return s
}

func (s *treeRSS) end() int64 { close(s.stop); s.wg.Wait(); return s.peak.Load() }

func treeBytes(pid int) int64 {
	total := int64(0)
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			total += kb << 10
		}
	}
	kids, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	for _, k := range strings.Fields(string(kids)) {
		if c, err := strconv.Atoi(k); err == nil {
			total += treeBytes(c)
		}
	}
	return total
}

// hostileLine is a line of `process` output.
type hostileLine struct {
	Type     string            `json:"type"`
	State    string            `json:"state"`
	Reason   *string           `json:"reason"`
	Metadata map[string]string `json:"metadata"`
}

// TestHostileCorpusProcess runs each case of the hostile corpus through
// `poststelle process` and checks that it ends within 60 s and 1.5 GiB
// (the summed RSS of the process and its MuPDF children, sampled; and the
// kernel's maxrss of the largest of them) as a document or a quarantined
// item with its reason, or — for what intake refuses — a refused line.
func TestHostileCorpusProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the poststelle command on every hostile input (-short)")
	}
	bin := binary(t)
	in, scratch := t.TempDir(), t.TempDir()
	for _, c := range hostiletest.Cases() {
		t.Run(hotfolder.SafeName(c.Name), func(t *testing.T) {
			path := filepath.Join(in, c.Name)
			if err := c.Make(path, scratch); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(path)
			data := t.TempDir()
			cmd := exec.Command(bin, "process", "--config", hostileConfig(t, data, ""), path)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			start := time.Now()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			tree := sampleTree(cmd.Process.Pid)
			err := cmd.Wait()
			el, peak := time.Since(start), tree.end()
			maxrss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
			if err != nil {
				t.Fatalf("process: %v\n%s", err, stderr.String())
			}
			got := processOutcome(t, c, stdout.Bytes())
			checkBounds(t, el, peak, maxrss)
			assertSecretNotStored(t, data)
			fi, _ := os.Lstat(path)
			t.Logf("HOSTILE process %-36s %10d B %7.2f s  tree RSS %4d MiB  maxrss %4d MiB  %s",
				hotfolder.SafeName(c.Name), fi.Size(), el.Seconds(), peak>>20, maxrss>>20, got)
		})
	}
}

// processOutcome checks the output lines against the case and returns the
// outcome: "review", "refused: …" or "quarantined: …".
func processOutcome(t *testing.T, c hostiletest.Case, out []byte) string {
	t.Helper()
	var lines []hostileLine
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var l hostileLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	if c.Refused {
		if len(lines) != 1 || lines[0].Type != "refused" || !strings.Contains(*lines[0].Reason, c.Want) {
			t.Fatalf("want one refused line with %q, got %s", c.Want, out)
		}
		return "refused: " + *lines[0].Reason
	}
	var first *hostileLine
	for i, l := range lines {
		if l.Type != "document" {
			continue
		}
		if l.State == "quarantined" && (l.Reason == nil || !strings.Contains(*l.Reason, " / ")) {
			t.Errorf("quarantined without a German / English reason: %+v", l)
		} else if l.State != "quarantined" && l.State != "review" {
			t.Errorf("document ended in %s", l.State)
		}
		if first == nil && l.Metadata["parent_batch"] == "" {
			first = &lines[i]
		}
	}
	if first == nil {
		t.Fatalf("no document line:\n%s", out)
	}
	got := outcome(t, c, first.State, first.Reason)
	if e := first.Metadata["einvoice_error"]; e != "" {
		got += " (einvoice_error: " + e + ")"
	}
	return got
}

func outcome(t *testing.T, c hostiletest.Case, state string, reason *string) string {
	t.Helper()
	got := state
	if reason != nil && *reason != "" {
		got += ": " + *reason
	}
	switch {
	case c.Want == "*":
	case c.Want == "review" && state != "review":
		t.Errorf("got %s, want review", got)
	case c.Want != "review" && (state != "quarantined" || !strings.Contains(got, c.Want)):
		t.Errorf("got %s, want quarantined with %q", got, c.Want)
	}
	return got
}

func checkBounds(t *testing.T, el time.Duration, peak, maxrss int64) {
	t.Helper()
	if el > hostileMaxTime {
		t.Errorf("took %v, limit %v", el, hostileMaxTime)
	}
	if peak > hostileMaxRSS || maxrss > hostileMaxRSS {
		t.Errorf("peak RSS %d MiB (tree), %d MiB (largest process); limit %d MiB", peak>>20, maxrss>>20, hostileMaxRSS>>20)
	}
}

// assertSecretNotStored: the file the secret link points at never became
// an original.
func assertSecretNotStored(t *testing.T, data string) {
	t.Helper()
	for _, p := range listFiles(filepath.Join(data, "originals")) {
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(hostiletest.Secret)) {
			t.Errorf("the secret behind a link was stored as %s", p)
		}
	}
}

// hostileStore opens the store of a running engine (WAL: reading is fine).
func hostileStore(t *testing.T, data string) *store.Store {
	t.Helper()
	st, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// docsOf returns the documents of the batch taken in under name.
func docsOf(ctx context.Context, st *store.Store, name string) []*mailroom.Document {
	bs, _ := st.Batches(ctx)
	for _, b := range bs {
		if b.Filename == name && b.Metadata["parent_batch"] == "" {
			docs, _ := st.Documents(ctx, mailroom.DocFilter{BatchID: b.ID})
			return docs
		}
	}
	return nil
}
