package hotfolder

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"poststelle/mailroom"
)

// recorder is an accept function that copies what it gets, like intake does.
type recorder struct {
	mu    sync.Mutex
	items []mailroom.Item
	data  map[string][]byte
	fail  int // fail this many times first
}

func (r *recorder) accept(ctx context.Context, it mailroom.Item) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail > 0 {
		r.fail--
		return fmt.Errorf("store not available")
	}
	b, err := os.ReadFile(it.Path)
	if err != nil {
		return err
	}
	if r.data == nil {
		r.data = map[string][]byte{}
	}
	r.items = append(r.items, it)
	r.data[it.Name] = b
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.items)
}

func runFolder(t *testing.T, h *HotFolder, r *recorder) context.CancelFunc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := h.Run(ctx, r.accept); err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	return func() { cancel(); <-done }
}

func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("condition not met within %v", d)
}

func TestHotFolderTakesStableFilesAndIgnoresTemp(t *testing.T) {
	for _, poll := range []bool{false, true} {
		t.Run(fmt.Sprintf("poll=%v", poll), func(t *testing.T) {
			dir := t.TempDir()
			h := &HotFolder{Dir: dir, Profile: mailroom.Profile{Name: "t"}, AfterIntake: "delete", Poll: poll,
				StableDelay: 200 * time.Millisecond, PollInterval: 100 * time.Millisecond, RescanInterval: time.Hour}
			r := &recorder{}
			stop := runFolder(t, h, r)
			defer stop()
			os.MkdirAll(filepath.Join(dir, "Bauamt", "Anträge"), 0o755)
			for _, n := range []string{"scan.tmp", "x.part", "~$brief.docx", ".hidden.pdf"} {
				os.WriteFile(filepath.Join(dir, n), []byte("ignore me"), 0o644)
			}
			os.WriteFile(filepath.Join(dir, "Bauamt", "Anträge", "antrag.pdf"), []byte("%PDF-1.4 antrag"), 0o644)
			os.WriteFile(filepath.Join(dir, "brief.pdf"), []byte("%PDF-1.4 brief"), 0o644)
			waitFor(t, 5*time.Second, func() bool { return r.count() == 2 })
			time.Sleep(300 * time.Millisecond)
			if r.count() != 2 {
				t.Fatalf("took %d files, want 2", r.count())
			}
			for _, it := range r.items {
				if it.Name == "antrag.pdf" && (it.Metadata["subfolder"] != "Bauamt/Anträge" || it.Metadata["subfolder_1"] != "Bauamt" || it.Metadata["subfolder_2"] != "Anträge") {
					t.Errorf("sub-folder metadata %v", it.Metadata)
				}
				if it.Source != "folder:t" {
					t.Errorf("source %s", it.Source)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "brief.pdf")); !os.IsNotExist(err) {
				t.Error("taken file not deleted")
			}
			if _, err := os.Stat(filepath.Join(dir, "scan.tmp")); err != nil {
				t.Error("temp file touched")
			}
		})
	}
}

func TestHotFolderSlowWriteTakenOnceComplete(t *testing.T) {
	dir := t.TempDir()
	h := &HotFolder{Dir: dir, Profile: mailroom.Profile{Name: "t"}, AfterIntake: "delete",
		StableDelay: 2 * time.Second, RescanInterval: time.Hour}
	r := &recorder{}
	stop := runFolder(t, h, r)
	defer stop()
	p := filepath.Join(dir, "slow.pdf")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = byte(i)
	}
	// 11 chunks over 10 s: a pause of 1 s is shorter than the stable delay.
	for i := 0; i < 11; i++ {
		if _, err := f.Write(chunk); err != nil {
			t.Fatal(err)
		}
		if i < 10 {
			time.Sleep(time.Second)
		}
		if r.count() != 0 {
			t.Fatalf("file taken while still being written (after chunk %d)", i+1)
		}
	}
	f.Close()
	waitFor(t, 6*time.Second, func() bool { return r.count() == 1 })
	if got := len(r.data["slow.pdf"]); got != 11*len(chunk) {
		t.Fatalf("taken %d bytes, want %d", got, 11*len(chunk))
	}
	time.Sleep(500 * time.Millisecond)
	if r.count() != 1 {
		t.Fatalf("taken %d times", r.count())
	}
}

func TestHotFolderKeepsFileWhenAcceptFailsAndMovesToDone(t *testing.T) {
	dir := t.TempDir()
	h := &HotFolder{Dir: dir, Profile: mailroom.Profile{Name: "t"}, AfterIntake: "move",
		StableDelay: 100 * time.Millisecond, RescanInterval: time.Hour}
	r := &recorder{fail: 1}
	stop := runFolder(t, h, r)
	defer stop()
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	p := filepath.Join(dir, "sub", "a.pdf")
	os.WriteFile(p, []byte("%PDF a"), 0o644)
	waitFor(t, 3*time.Second, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.fail == 0
	})
	if _, err := os.Stat(p); err != nil {
		t.Fatal("file removed although accept failed")
	}
	waitFor(t, 6*time.Second, func() bool { return r.count() == 1 })
	waitFor(t, 2*time.Second, func() bool {
		_, err := os.Stat(filepath.Join(dir, DoneDir, "sub", "a.pdf"))
		return err == nil
	})
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatal("file still in the hot folder after the move")
	}
	// Files in done/ are never taken again.
	time.Sleep(300 * time.Millisecond)
	if r.count() != 1 {
		t.Fatalf("taken %d times", r.count())
	}
}

func TestIgnored(t *testing.T) {
	for n, want := range map[string]bool{"a.pdf": false, "a.PDF.TMP": true, "b.part": true, "~$x.doc": true,
		".DS_Store": true, "Thumbs.db": true, "scan 1.tif": false} {
		if Ignored(n) != want {
			t.Errorf("Ignored(%q) = %v", n, !want)
		}
	}
}
