package inbox_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"poststelle/mailroom/inbox"
)

// processLine is one JSON line of `poststelle process`.
type processLine struct {
	Type     string            `json:"type"`
	ID       string            `json:"id"`
	Batch    string            `json:"batch"`
	State    string            `json:"state"`
	Reason   *string           `json:"reason"`
	Flags    []string          `json:"flags"`
	Metadata map[string]string `json:"metadata"`
}

// TestHostileCorpusProcess runs each generated hostile mail through the
// real command, `poststelle process` with the embedded default
// configuration, and checks its wall time, its peak resident memory (the
// kernel's maxrss of the process) and that every document it reports ends
// in review or in quarantine with a reason.
func TestHostileCorpusProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the poststelle command (-short)")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "poststelle")
	build := exec.Command(goBin, "build", "-o", bin, "poststelle/cmd/poststelle")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build poststelle/cmd/poststelle: %v\n%s", err, out)
	}
	// The inputs go to disk first and leave this process's memory: the
	// child's maxrss counts this process's resident size when it was
	// started (os/exec starts children with vfork), reset just before.
	in := t.TempDir()
	hs := inbox.HostileMails(true)
	sizes := map[string]int{}
	for i := range hs {
		if err := os.WriteFile(filepath.Join(in, hs[i].Name+".eml"), hs[i].Raw, 0o600); err != nil {
			t.Fatal(err)
		}
		sizes[hs[i].Name], hs[i].Raw = len(hs[i].Raw), nil
	}
	for _, h := range hs {
		t.Run(h.Name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(in, h.Name+".eml")
			cmd := exec.Command(bin, "process", "--data-dir", filepath.Join(dir, "data"), path)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			runtime.GC()
			debug.FreeOSMemory()
			os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
			floor := vmHWM()
			start := time.Now()
			err := cmd.Run()
			el := time.Since(start)
			if cmd.ProcessState == nil {
				t.Fatalf("process did not run: %v", err)
			}
			rss := uint64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) << 10
			lines := parseProcess(t, stdout.Bytes())
			checkProcess(t, h, lines, stderr.String())
			if el > hostileMaxTime {
				t.Errorf("took %v, limit %v", el, hostileMaxTime)
			}
			if rss > hostileMaxRSS {
				t.Errorf("peak RSS %d MiB, limit %d MiB", rss>>20, hostileMaxRSS>>20)
			}
			t.Logf("%s: size %d B, %v, peak RSS %d MiB (floor from the test process %d MiB), %d documents, exit %v",
				h.Name, sizes[h.Name], el.Round(time.Millisecond), rss>>20, floor>>20, len(lines), err)
		})
	}
}

func parseProcess(t *testing.T, out []byte) []processLine {
	t.Helper()
	var docs []processLine
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var l processLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("output line %q: %v", sc.Text(), err)
		}
		if l.Type == "document" {
			docs = append(docs, l)
		}
	}
	return docs
}

func checkProcess(t *testing.T, h inbox.HostileMail, docs []processLine, stderr string) {
	t.Helper()
	var mail *processLine
	for i, d := range docs {
		switch {
		case d.State == "quarantined" && (d.Reason == nil || *d.Reason == ""):
			t.Errorf("document %s (%s) quarantined without a reason", d.ID, d.Metadata["filename"])
		case d.State != "quarantined" && d.State != "review":
			t.Errorf("document %s (%s) ended in state %s", d.ID, d.Metadata["filename"], d.State)
		}
		if d.Metadata["parent_batch"] == "" {
			mail = &docs[i]
		}
	}
	if mail == nil {
		t.Fatalf("no mail document in the output; stderr:\n%s", stderr)
	}
	if h.Want == "review" && mail.State != "review" {
		t.Errorf("mail document %s, want review", mail.State)
	}
	if h.Want != "review" && (mail.State != "quarantined" || mail.Reason == nil || !strings.Contains(*mail.Reason, h.Want)) {
		t.Errorf("mail document %s %v, want quarantine with %q", mail.State, mail.Reason, h.Want)
	}
	flagged := false
	for _, f := range mail.Flags {
		flagged = flagged || f == inbox.FlagAttachmentsUnreadable
	}
	if flagged != h.Flag {
		t.Errorf("flag %s: %v, want %v (flags %v)", inbox.FlagAttachmentsUnreadable, flagged, h.Flag, mail.Flags)
	}
	if h.Attachments >= 0 && len(docs)-1 != h.Attachments {
		t.Errorf("%d documents below the mail, want %d", len(docs)-1, h.Attachments)
	}
}
