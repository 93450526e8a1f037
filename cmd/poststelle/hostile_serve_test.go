//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/hostiletest"
	"poststelle/mailroom/store"
	"poststelle/scan/hotfolder"
)

// TestHostileCorpusServe drops the whole hostile corpus into the hot folder
// of a running engine (`poststelle serve`, the default configuration with
// four workers), then three ordinary letters. Every input must be accounted
// for within 60 s of being dropped — a document in review, one quarantined
// with its reason, or (links, FIFOs, oversized files) moved to quarantine/
// with a reason file — the letters must reach the desk while the slowest
// hostile input is still being worked on, the engine's memory (summed over
// its MuPDF children) stays under 1.5 GiB, and SIGTERM ends it within 30 s.
func TestHostileCorpusServe(t *testing.T) {
	if testing.Short() {
		t.Skip("runs poststelle serve on the hostile corpus (-short)")
	}
	bin := binary(t)
	data, scratch := t.TempDir(), t.TempDir()
	inbox := filepath.Join(data, "inbox")
	os.MkdirAll(inbox, 0o770)
	logPath := filepath.Join(t.TempDir(), "serve.log")
	srv := startServe(t, bin, hostileConfig(t, data, "workers = 4"), logPath)
	tree := sampleTree(srv.cmd.Process.Pid)
	time.Sleep(time.Second)
	cases := hostiletest.Cases()
	dropped := map[string]time.Time{}
	for _, c := range cases {
		dropInto(t, inbox, scratch, c.Name, func(p string) error { return c.Make(p, scratch) })
		dropped[c.Name] = time.Now()
	}
	letters := []string{"Antrag 1", "Antrag 2", "Antrag 3"}
	for _, l := range letters {
		name := strings.ReplaceAll(l, " ", "-") + ".pdf"
		dropInto(t, inbox, scratch, name, func(p string) error { return os.WriteFile(p, hostiletest.LetterPage(l), 0o644) })
		dropped[name] = time.Now()
	}
	st := hostileStore(t, data)
	done := waitAccounted(t, st, inbox, cases, letters, dropped, srv)
	peak := tree.end()
	stopped := stopWithin(t, srv, 30*time.Second)
	t.Logf("HOSTILE serve: peak RSS %d MiB (engine and its MuPDF children), stopped %v after SIGTERM",
		peak>>20, stopped.Round(time.Millisecond))
	if peak > hostileMaxRSS {
		t.Errorf("peak RSS %d MiB, limit %d MiB", peak>>20, hostileMaxRSS>>20)
	}
	assertSecretNotStored(t, data)
	slowest := time.Time{}
	for _, c := range cases {
		slowest = maxTime(slowest, done[c.Name])
	}
	for _, l := range letters {
		if !done[strings.ReplaceAll(l, " ", "-")+".pdf"].Before(slowest) {
			t.Errorf("letter %q reached the desk only after the last hostile input was done", l)
		}
	}
}

// dropInto makes an input in scratch and renames it into the hot folder, as
// a scanner writes under a temp name.
func dropInto(t *testing.T, inbox, scratch, name string, make func(string) error) {
	t.Helper()
	tmp := filepath.Join(scratch, "drop-"+fmt.Sprint(time.Now().UnixNano()))
	if err := make(tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(inbox, name)); err != nil {
		t.Fatal(err)
	}
}

// waitAccounted polls until every case and letter is accounted for and
// returns when each was; it fails for any not accounted for within 60 s of
// its drop.
func waitAccounted(t *testing.T, st *store.Store, inbox string, cases []hostiletest.Case, letters []string,
	dropped map[string]time.Time, srv *server) map[string]time.Time {
	t.Helper()
	ctx := context.Background()
	done := map[string]time.Time{}
	outcome := map[string]string{}
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) && len(done) < len(cases)+len(letters) {
		for _, c := range cases {
			if _, ok := done[c.Name]; !ok {
				if got, ok := accounted(ctx, st, inbox, c); ok {
					done[c.Name], outcome[c.Name] = time.Now(), got
				}
			}
		}
		for _, l := range letters {
			name := strings.ReplaceAll(l, " ", "-") + ".pdf"
			if _, ok := done[name]; !ok {
				if docs := docsOf(ctx, st, name); len(docs) > 0 && docs[0].State == mailroom.StateReview {
					done[name], outcome[name] = time.Now(), "review"
				}
			}
		}
		if srv.cmd.ProcessState != nil {
			t.Fatal("engine exited")
		}
		time.Sleep(250 * time.Millisecond)
	}
	for _, c := range cases {
		checkAccounted(t, c.Name, c.Want, dropped, done, outcome)
	}
	for _, l := range letters {
		checkAccounted(t, strings.ReplaceAll(l, " ", "-")+".pdf", "review", dropped, done, outcome)
	}
	return done
}

func checkAccounted(t *testing.T, name, want string, dropped, done map[string]time.Time, outcome map[string]string) {
	t.Helper()
	at, ok := done[name]
	if !ok {
		t.Errorf("%q not accounted for (want %q)", name, want)
		return
	}
	el := at.Sub(dropped[name])
	t.Logf("HOSTILE serve %-36s %7.2f s after the drop  %s", hotfolder.SafeName(name), el.Seconds(), outcome[name])
	if el > hostileMaxTime {
		t.Errorf("%q took %v, limit %v", name, el, hostileMaxTime)
	}
	if want != "*" && !strings.Contains(outcome[name], want) {
		t.Errorf("%q: %s, want %q", name, outcome[name], want)
	}
}

// accounted reports whether a case is done with: refused inputs moved to
// quarantine/ with a reason file, others a batch whose documents rest.
func accounted(ctx context.Context, st *store.Store, inbox string, c hostiletest.Case) (string, bool) {
	if c.Refused {
		reason, err := os.ReadFile(filepath.Join(inbox, hotfolder.QuarantineDir, c.Name+".reason.txt"))
		if err != nil {
			return "", false
		}
		line, _, _ := strings.Cut(string(reason), "\n")
		return "quarantine/: " + line, true
	}
	docs := docsOf(ctx, st, hotfolder.SafeName(c.Name))
	if len(docs) == 0 {
		return "", false
	}
	for _, d := range docs {
		if !d.State.AtRest() {
			return "", false
		}
	}
	got := string(docs[0].State)
	if docs[0].Reason != "" {
		got += ": " + docs[0].Reason
	}
	return got, true
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
