//go:build unix

package store

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

// TestIntakeRefusesLinksAndSpecialFiles: a symbolic link (here to
// /dev/zero and to a readable file), a FIFO without a writer and a device
// are refused at once with an InputError; nothing is stored or recorded.
func TestIntakeRefusesLinksAndSpecialFiles(t *testing.T) {
	s := openTest(t)
	dir := t.TempDir()
	secret := writeFile(t, "seal.key", "secret")
	fifo := filepath.Join(dir, "fifo.pdf")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.pdf")
	os.Symlink("/dev/zero", zero)
	key := filepath.Join(dir, "key.pdf")
	os.Symlink(secret, key)
	for _, p := range []string{fifo, zero, key, "/dev/zero"} {
		start := time.Now()
		it := item(p)
		it.MaxSize = 1 << 20
		_, _, err := s.Intake(context.Background(), it)
		ie, ok := mailroom.AsInputError(err)
		if !ok || !strings.Contains(ie.Reason(), "Keine gewöhnliche Datei") {
			t.Errorf("%s: %v, want the not-a-regular-file reason", p, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: took %v", p, d)
		}
	}
	assertNothingStored(t, s)
}

// TestIntakeSizeLimitWhileCopying: a file over MaxSize is refused after
// MaxSize+1 bytes were read, not after the whole file; the temp file is gone.
func TestIntakeSizeLimitWhileCopying(t *testing.T) {
	s := openTest(t)
	p := filepath.Join(t.TempDir(), "big.pdf")
	f, _ := os.Create(p)
	f.Truncate(1 << 30) // sparse 1 GiB
	f.Close()
	it := item(p)
	it.MaxSize = 4 << 20
	start := time.Now()
	_, _, err := s.Intake(context.Background(), it)
	el := time.Since(start)
	ie, ok := mailroom.AsInputError(err)
	if !ok || !strings.Contains(ie.Reason(), "Datei ist zu groß (mehr als 4194304 Bytes)") {
		t.Fatalf("%v, want too large", err)
	}
	if el > 2*time.Second {
		t.Errorf("took %v: the whole file was read", el)
	}
	assertNothingStored(t, s)
	// Exactly at the limit is fine.
	exact := writeFile(t, "exact.pdf", strings.Repeat("x", 1000))
	it = item(exact)
	it.MaxSize = 1000
	if _, _, err := s.Intake(context.Background(), it); err != nil {
		t.Fatalf("file of exactly max_file_size: %v", err)
	}
}

func assertNothingStored(t *testing.T, s *Store) {
	t.Helper()
	bs, err := s.Batches(context.Background())
	if err != nil || len(bs) != 0 {
		t.Errorf("batches %d, %v", len(bs), err)
	}
	tmp, _ := os.ReadDir(s.layout().OriginalsTemp())
	if len(tmp) != 0 {
		t.Errorf("temp files left: %v", tmp)
	}
	n := 0
	filepath.WalkDir(s.layout().OriginalsDir(), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	if n != 0 {
		t.Errorf("%d originals stored", n)
	}
}

// TestDatabaseModeIgnoresUmask: the database is 0640 whatever the umask of
// the process that created it (an administrator's shell has 022).
func TestDatabaseModeIgnoresUmask(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	s := openTest(t)
	fi, err := os.Stat(s.layout().DB())
	if err != nil || fi.Mode().Perm() != 0o640 {
		t.Fatalf("database mode %v (%v), want 0640", fi.Mode(), err)
	}
}
