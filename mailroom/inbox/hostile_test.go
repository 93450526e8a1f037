package inbox_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/inbox"
	"poststelle/mailroom/signature"
	"poststelle/mailroom/store"
)

// Bounds every hostile input must stay within (issue 15).
const (
	hostileMaxTime = 60 * time.Second
	hostileMaxRSS  = 1536 << 20
	// hostileSmallTime bounds the inputs that are not large: their cost is
	// linear, far below the 60 s (a quadratic parser takes minutes).
	hostileSmallTime = 20 * time.Second
)

// peakMeter measures the peak resident memory of this process during a
// run: the kernel's high-water mark (VmHWM, reset through clear_refs) where
// the system allows it, else sampled runtime memory.
type peakMeter struct {
	kernel bool
	stop   chan struct{}
	wg     sync.WaitGroup
	peak   atomic.Uint64
}

func startPeak() *peakMeter {
	runtime.GC()
	debug.FreeOSMemory()
	p := &peakMeter{stop: make(chan struct{})}
	p.kernel = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil && vmHWM() > 0
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > p.peak.Load() {
				p.peak.Store(v)
			}
			select {
			case <-p.stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return p
}

// end returns the peak in bytes and how it was measured.
func (p *peakMeter) end() (uint64, string) {
	close(p.stop)
	p.wg.Wait()
	if p.kernel {
		return vmHWM(), "VmHWM"
	}
	return p.peak.Load(), "runtime/metrics"
}

func vmHWM() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// hostileEngine is the engine of the e2e tests with the default attachment
// limit of the configuration (100 MB).
func hostileEngine(t *testing.T) (*engine.Engine, *store.Store) {
	t.Helper()
	cfg, err := mailroom.Default(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	v := &signature.Verifier{}
	return engineWith(t, &inbox.Expander{Mode: "separate", MaxAttachment: cfg.Mail.MaxAttachment, Verifier: v}, &inbox.Classifier{Verifier: v})
}

// TestHostileCorpus runs each generated hostile mail through intake, the
// Expander and the Classifier (the engine's ProcessBatch, every part too)
// and checks time, peak memory, that every document ends in review or in
// quarantine with a reason, and for nested mail the bytes stored.
func TestHostileCorpus(t *testing.T) {
	for _, h := range inbox.HostileMails(!testing.Short()) {
		t.Run(h.Name, func(t *testing.T) {
			e, st := hostileEngine(t)
			path := filepath.Join(t.TempDir(), h.Name+".eml")
			if err := os.WriteFile(path, h.Raw, 0o600); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			pm := startPeak()
			start := time.Now()
			b, _, err := st.Intake(ctx, mailroom.Item{Source: "cli", Path: path, Name: h.Name + ".eml"})
			if err != nil {
				t.Fatal(err)
			}
			docs := processAll(t, e, st, b.ID)
			el := time.Since(start)
			peak, how := pm.end()
			checkHostile(t, h, b, docs)
			limit := hostileSmallTime
			if len(h.Raw) > 8<<20 {
				limit = hostileMaxTime
			}
			if el > limit {
				t.Errorf("took %v, limit %v", el, limit)
			}
			if peak > hostileMaxRSS {
				t.Errorf("peak memory %d MiB, limit %d MiB", peak>>20, hostileMaxRSS>>20)
			}
			stored := storedBytes(t, st)
			if h.Nested && stored > 3*int64(len(h.Raw))+1<<20 {
				t.Errorf("stored %d bytes for a nested mail of %d bytes (%.2f×), want at most 3× + 1 MiB", stored, len(h.Raw), float64(stored)/float64(len(h.Raw)))
			}
			t.Logf("%s: size %d B, %v, peak %d MiB (%s), stored %d B (%.2f× the mail), %d documents",
				h.Name, len(h.Raw), el.Round(time.Millisecond), peak>>20, how, stored, float64(stored)/float64(len(h.Raw)), len(docs))
		})
	}
}

func checkHostile(t *testing.T, h inbox.HostileMail, b *mailroom.Batch, docs []*mailroom.Document) {
	t.Helper()
	var mail *mailroom.Document
	for _, d := range docs {
		switch {
		case d.State == mailroom.StateQuarantined && d.Reason == "":
			t.Errorf("document %s (%s) quarantined without a reason", d.ID, d.Metadata["filename"])
		case d.State != mailroom.StateQuarantined && d.State != mailroom.StateReview:
			t.Errorf("document %s (%s) ended in state %s", d.ID, d.Metadata["filename"], d.State)
		}
		for _, c := range d.Metadata["filename"] {
			if c < ' ' || c == 0x7f || c == '/' || c == '\\' || c == '\u202e' {
				t.Errorf("unsafe character %q in file name %q", c, d.Metadata["filename"])
			}
		}
		if d.BatchID == b.ID {
			mail = d
		}
	}
	if mail == nil {
		t.Fatal("no document for the mail")
	}
	if h.Want == "review" {
		if mail.State != mailroom.StateReview {
			t.Errorf("mail document %s: %q, want review", mail.State, mail.Reason)
		}
	} else if mail.State != mailroom.StateQuarantined || !strings.Contains(mail.Reason, h.Want) {
		t.Errorf("mail document %s: %q, want quarantine with %q", mail.State, mail.Reason, h.Want)
	}
	if got := mail.HasFlag(inbox.FlagAttachmentsUnreadable); got != h.Flag {
		t.Errorf("flag %s: %v, want %v (flags %v, warnings %q, not taken in %q)", inbox.FlagAttachmentsUnreadable, got, h.Flag,
			mail.Flags, mail.Metadata["mail_warnings"], mail.Metadata[inbox.MetaNotTakenIn])
	}
	if h.Attachments >= 0 && len(docs)-1 != h.Attachments {
		t.Errorf("%d documents below the mail, want %d", len(docs)-1, h.Attachments)
	}
}

// storedBytes is the size of every stored original.
func storedBytes(t *testing.T, st *store.Store) int64 {
	t.Helper()
	all, err := st.Batches(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, b := range all {
		if fi, err := os.Stat(st.OriginalPath(b.SHA256)); err == nil {
			n += fi.Size()
		}
	}
	return n
}
