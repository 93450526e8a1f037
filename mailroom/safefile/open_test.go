//go:build unix

package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestOpenRegular: a regular file opens; a symbolic link (to a regular
// file), a FIFO without a writer, a device and a folder are refused at once.
func TestOpenRegular(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "a.pdf")
	os.WriteFile(reg, []byte("%PDF-1.4"), 0o600)
	link := filepath.Join(dir, "link.pdf")
	if err := os.Symlink(reg, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.pdf")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	f, fi, err := OpenRegular(reg)
	if err != nil || fi.Size() != 8 {
		t.Fatalf("regular file: %v %v", fi, err)
	}
	f.Close()
	for _, c := range []struct {
		path string
		want error
	}{{link, ErrLink}, {fifo, ErrNotRegular}, {"/dev/zero", ErrNotRegular}, {dir, ErrNotRegular}} {
		start := time.Now()
		f, _, err := OpenRegular(c.path)
		if f != nil {
			f.Close()
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.path, err, c.want)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: took %v (blocked)", c.path, d)
		}
	}
}
