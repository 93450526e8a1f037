package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"poststelle/cmd/internal/clitest"
	"poststelle/mailroom"
	"poststelle/mailroom/store"
	"poststelle/mailroom/testcorpus"
)

// binary builds cmd/poststelle once per test run.
func binary(t *testing.T) string { return clitest.Binary(t, ".", "poststelle") }

// testConfig writes a config for a serve test: one hot folder, short delays.
func testConfig(t *testing.T, data string, extra string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "poststelle.toml")
	body := fmt.Sprintf(`data_dir = %q
[log]
format = "json"
[http]
listen = ""
[intake]
stable_delay = "300ms"
poll_interval = "200ms"
rescan_interval = "2s"
[pipeline]
idle = "100ms"
retry = "200ms"
[[folders]]
path = "inbox"
name = "eingang"
%s
`, data, extra)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type server struct {
	cmd  *exec.Cmd
	logs *os.File
}

func startServe(t *testing.T, bin, cfg string, logPath string) *server {
	t.Helper()
	lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--config", cfg)
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return &server{cmd: cmd, logs: lf}
}

func (s *server) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
	s.logs.Close()
}

func (s *server) stop(t *testing.T) {
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve exited with %v after SIGTERM", err)
		}
	case <-time.After(60 * time.Second):
		s.cmd.Process.Kill()
		t.Error("serve did not stop within 60 s of SIGTERM")
	}
	s.logs.Close()
}

// peakRSS returns VmHWM of a running process in KiB.
func peakRSS(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

func listFiles(dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// TestCrashSafety drops files into the hot folder while SIGKILLing the engine
// at random moments, 20 rounds; then every dropped file must be in the store
// exactly once (by hash), nothing left unacknowledged, nothing half-written in
// the data directory, and SQLite's integrity_check ok.
func TestCrashSafety(t *testing.T) {
	bin := binary(t)
	data := t.TempDir()
	cfg := testConfig(t, data, "")
	inbox := filepath.Join(data, "inbox")
	os.MkdirAll(inbox, 0o755)
	logPath := filepath.Join(t.TempDir(), "serve.log")
	want := map[string]string{} // sha256 → file name
	rounds := 20
	seq := 0
	for round := 0; round < rounds; round++ {
		srv := startServe(t, bin, cfg, logPath)
		// Drop 3 files per round, some written in two chunks.
		for i := 0; i < 3; i++ {
			seq++
			buf := make([]byte, 2048+mrand.IntN(64<<10))
			rand.Read(buf)
			name := filepath.Join(inbox, fmt.Sprintf("r%02d-%d.pdf", round, i))
			if i == 1 {
				os.MkdirAll(filepath.Join(inbox, "amt"), 0o755)
				name = filepath.Join(inbox, "amt", fmt.Sprintf("r%02d-%d.tif", round, i))
			}
			sum := sha256.Sum256(buf)
			want[hex.EncodeToString(sum[:])] = name
			f, err := os.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			half := len(buf) / 2
			f.Write(buf[:half])
			time.Sleep(time.Duration(mrand.IntN(50)) * time.Millisecond)
			f.Write(buf[half:])
			f.Close()
		}
		// Kill at a random moment: before, around or after the stable delay.
		time.Sleep(time.Duration(100+mrand.IntN(900)) * time.Millisecond)
		srv.kill()
	}
	// Final run: let it drain, then stop gracefully.
	srv := startServe(t, bin, cfg, logPath)
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		left := 0
		for _, p := range listFiles(inbox) {
			if !strings.Contains(p, "/done/") {
				left++
			}
		}
		if left == 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	srv.stop(t)

	for _, p := range listFiles(inbox) {
		t.Errorf("left unacknowledged in the hot folder: %s", p)
	}
	st, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	batches, err := st.Batches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, b := range batches {
		seen[b.SHA256]++
		if _, err := os.Stat(st.OriginalPath(b.SHA256)); err != nil {
			t.Errorf("original of %s missing: %v", b.Filename, err)
		}
	}
	for sum, name := range want {
		if seen[sum] != 1 {
			t.Errorf("%s stored %d times, want exactly once", name, seen[sum])
		}
	}
	if len(batches) != len(want) {
		t.Errorf("%d batches for %d dropped files", len(batches), len(want))
	}
	// Nothing half-written: every original matches its hash; no temp files.
	origDir := filepath.Join(data, "originals")
	for _, p := range listFiles(origDir) {
		if rel, _ := filepath.Rel(origDir, p); strings.HasPrefix(rel, "tmp"+string(filepath.Separator)) {
			// a leftover of the last kill is allowed only until the next start cleans it
			t.Errorf("temp file left after a clean start and stop: %s", p)
			continue
		}
		b, _ := os.ReadFile(p)
		s := sha256.Sum256(b)
		if hex.EncodeToString(s[:]) != filepath.Base(p) {
			t.Errorf("original %s does not match its name (half-written?)", p)
		}
	}
	for _, p := range listFiles(filepath.Join(data, "out")) {
		if strings.Contains(filepath.Base(p), ".tmp-") {
			t.Errorf("half-written output file: %s", p)
		}
	}
	if r, err := st.IntegrityCheck(ctx); err != nil || r != "ok" {
		t.Errorf("integrity_check: %s %v", r, err)
	}
	if n, err := st.VerifyChain(ctx); err != nil {
		t.Errorf("journal chain after %d entries: %v", n, err)
	}
	docs, _ := st.Documents(ctx, mailroom.DocFilter{})
	for _, d := range docs {
		if !d.State.AtRest() && d.State != mailroom.StateApproved {
			t.Errorf("document %s still %s after draining", d.ID, d.State)
		}
	}
	t.Logf("%d rounds, %d files, %d batches, %d documents", rounds, len(want), len(batches), len(docs))
}

// TestServeBadAndRealPDFs drops every file of corpus/badpdf and corpus/ocrmypdf
// into a hot folder: each must end as a document or quarantined with a reason,
// and the engine must stay up. Reports peak memory.
func TestServeBadAndRealPDFs(t *testing.T) {
	bin := binary(t)
	corpus := testcorpus.Dir(t)
	data := t.TempDir()
	cfg := testConfig(t, data, "")
	inbox := filepath.Join(data, "inbox")
	os.MkdirAll(inbox, 0o755)
	var files []string
	for _, set := range []string{"badpdf", "ocrmypdf"} {
		ents, _ := os.ReadDir(filepath.Join(corpus, set))
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".pdf") {
				files = append(files, filepath.Join(corpus, set, e.Name()))
			}
		}
	}
	logPath := filepath.Join(t.TempDir(), "serve.log")
	srv := startServe(t, bin, cfg, logPath)
	for _, f := range files {
		b, _ := os.ReadFile(f)
		dst := filepath.Join(inbox, filepath.Base(filepath.Dir(f))+"-"+filepath.Base(f))
		os.WriteFile(dst, b, 0o644)
	}
	st, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	deadline := time.Now().Add(8 * time.Minute)
	var docs []*mailroom.Document
	for time.Now().Before(deadline) {
		docs, _ = st.Documents(ctx, mailroom.DocFilter{})
		batches, _ := st.Batches(ctx)
		rest := 0
		for _, d := range docs {
			if d.State.AtRest() {
				rest++
			}
		}
		if len(batches) == len(files) && rest == len(docs) {
			break
		}
		if srv.cmd.ProcessState != nil {
			t.Fatal("engine exited")
		}
		time.Sleep(500 * time.Millisecond)
	}
	rss := peakRSS(srv.cmd.Process.Pid)
	srv.stop(t)
	batches, _ := st.Batches(ctx)
	if len(batches) != len(files) {
		t.Fatalf("%d of %d files taken in", len(batches), len(files))
	}
	quarantined := 0
	for _, d := range docs {
		switch {
		case d.State == mailroom.StateQuarantined:
			quarantined++
			if len(d.Reason) < 10 || !strings.Contains(d.Reason, " / ") {
				t.Errorf("quarantine reason not understandable (German / English): %q", d.Reason)
			}
		case d.State.AtRest():
		default:
			t.Errorf("document %s ended %s", d.ID, d.State)
		}
	}
	bad1 := false
	for _, b := range batches {
		if strings.HasSuffix(b.Filename, "badpdf-bad1.pdf") {
			ds, _ := st.Documents(ctx, mailroom.DocFilter{BatchID: b.ID})
			bad1 = len(ds) == 1 && ds[0].State == mailroom.StateQuarantined
		}
		if _, err := os.Stat(st.OriginalPath(b.SHA256)); err != nil {
			t.Errorf("original of %s missing", b.Filename)
		}
	}
	if !bad1 {
		t.Error("badpdf/bad1.pdf (not a PDF at all) must be quarantined")
	}
	t.Logf("%d files → %d documents, %d quarantined; peak RSS %.1f MiB", len(files), len(docs), quarantined, float64(rss)/1024)
	logs, _ := os.ReadFile(logPath)
	sc := bufio.NewScanner(strings.NewReader(string(logs)))
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["level"] == "ERROR" && strings.Contains(fmt.Sprint(m["msg"]), "panic") {
			t.Errorf("panic logged: %s", sc.Text())
		}
	}
}
