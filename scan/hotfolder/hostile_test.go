//go:build unix

package hotfolder

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"poststelle/mailroom"
)

// hostileFolder fills a folder with what a share user could drop besides
// files: links to a secret and to /dev/zero, a link to a folder, a FIFO
// without a writer, and a regular file with control characters in its name.
func hostileFolder(t *testing.T, dir string) (secret string) {
	t.Helper()
	secret = filepath.Join(t.TempDir(), "seal.key")
	os.WriteFile(secret, []byte("secret key"), 0o600)
	for name, target := range map[string]string{"key.pdf": secret, "zero.pdf": "/dev/zero", "etc": "/etc"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.pdf"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "Rechnung\x1b[31m\n\u202Efdp.pdf"), []byte("%PDF-1.4 ok"), 0o644)
	return secret
}

// TestHotFolderQuarantinesLinksAndSpecialFiles: links and the FIFO are
// moved to quarantine/ with a reason file and never read; the regular file
// is taken with a safe name; the folder stops at once although a FIFO
// without a writer is there. With events the entries appear while the
// folder runs (event path), with polling they are there at the start.
func TestHotFolderQuarantinesLinksAndSpecialFiles(t *testing.T) {
	for _, poll := range []bool{false, true} {
		dir := t.TempDir()
		var secret string
		if poll {
			secret = hostileFolder(t, dir)
		}
		h := &HotFolder{Dir: dir, Profile: mailroom.Profile{Name: "t"}, AfterIntake: "delete", Poll: poll,
			StableDelay: 100 * time.Millisecond, PollInterval: 50 * time.Millisecond, RescanInterval: time.Hour}
		r := &recorder{}
		stop := runFolder(t, h, r)
		if !poll {
			time.Sleep(100 * time.Millisecond)
			secret = hostileFolder(t, dir)
		}
		waitFor(t, 5*time.Second, func() bool { return r.count() == 1 && quarantined(dir) == 4 })
		start := time.Now()
		stop()
		if d := time.Since(start); d > time.Second {
			t.Errorf("poll=%v: stopping took %v", poll, d)
		}
		it := r.items[0]
		if it.Name != "Rechnung_[31m__fdp.pdf" || it.Metadata["original_filename"] != `"Rechnung\x1b[31m\n\u202efdp.pdf"` {
			t.Errorf("poll=%v: name %q, metadata %v", poll, it.Name, it.Metadata)
		}
		for _, n := range []string{"key.pdf", "zero.pdf", "etc", "fifo.pdf"} {
			fi, err := os.Lstat(filepath.Join(dir, QuarantineDir, n))
			if err != nil || fi.Mode().IsRegular() {
				t.Errorf("poll=%v: %s not in quarantine/ as it was: %v", poll, n, err)
			}
			reason, err := os.ReadFile(filepath.Join(dir, QuarantineDir, n+".reason.txt"))
			if err != nil || !strings.Contains(string(reason), "Keine gewöhnliche Datei") || !strings.Contains(string(reason), "not a regular file") {
				t.Errorf("poll=%v: reason for %s: %q %v", poll, n, reason, err)
			}
		}
		if b, _ := os.ReadFile(secret); string(b) != "secret key" {
			t.Errorf("link target changed")
		}
		for _, data := range r.data {
			if strings.Contains(string(data), "secret") {
				t.Errorf("poll=%v: the secret was read through the link", poll)
			}
		}
	}
}

// TestHotFolderIgnoresLinksWhenConfigured: with links = ignore they stay
// where they are, are not read, and the folder keeps taking files.
func TestHotFolderIgnoresLinksWhenConfigured(t *testing.T) {
	dir := t.TempDir()
	hostileFolder(t, dir)
	h := &HotFolder{Dir: dir, Profile: mailroom.Profile{Name: "t"}, AfterIntake: "delete", Links: mailroom.LinksIgnore,
		StableDelay: 100 * time.Millisecond, RescanInterval: 200 * time.Millisecond}
	r := &recorder{}
	stop := runFolder(t, h, r)
	defer stop()
	waitFor(t, 5*time.Second, func() bool { return r.count() == 1 })
	os.WriteFile(filepath.Join(dir, "later.pdf"), []byte("%PDF later"), 0o644)
	waitFor(t, 5*time.Second, func() bool { return r.count() == 2 })
	for _, n := range []string{"key.pdf", "zero.pdf", "etc", "fifo.pdf"} {
		if _, err := os.Lstat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s moved although links = ignore: %v", n, err)
		}
	}
	if quarantined(dir) != 0 {
		t.Errorf("quarantine/ used")
	}
}

// TestHotFolderQuarantinesRefusedFiles: a file intake refuses with an
// InputError (too large) goes to quarantine/ with that reason at once and
// is not offered again.
func TestHotFolderQuarantinesRefusedFiles(t *testing.T) {
	dir := t.TempDir()
	h := &HotFolder{Dir: dir, Profile: mailroom.Profile{Name: "t"}, AfterIntake: "delete",
		StableDelay: 100 * time.Millisecond, RescanInterval: time.Hour}
	calls := 0
	accept := func(ctx context.Context, it mailroom.Item) error {
		calls++
		return mailroom.BadInput("Datei ist zu groß (mehr als 10 Bytes)", "file too large (more than 10 bytes)", nil)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx, accept) }()
	os.WriteFile(filepath.Join(dir, "big.pdf"), []byte("%PDF-1.4 more than ten bytes"), 0o644)
	waitFor(t, 5*time.Second, func() bool { return quarantined(dir) == 1 })
	time.Sleep(300 * time.Millisecond)
	cancel()
	<-done
	if calls != 1 {
		t.Errorf("offered %d times", calls)
	}
	reason, _ := os.ReadFile(filepath.Join(dir, QuarantineDir, "big.pdf.reason.txt"))
	if !strings.Contains(string(reason), "Grund: Datei ist zu groß") {
		t.Errorf("reason file %q", reason)
	}
}

// quarantined counts the items in quarantine/ (reason files not counted).
func quarantined(dir string) int {
	ents, _ := os.ReadDir(filepath.Join(dir, QuarantineDir))
	n := 0
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".reason.txt") {
			n++
		}
	}
	return n
}
