package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// OriginalPath is where the original with the given SHA-256 lives.
func (s *Store) OriginalPath(sum string) string {
	if len(sum) < 4 {
		return filepath.Join(s.dataDir, "originals", sum)
	}
	return filepath.Join(s.dataDir, "originals", sum[:2], sum[2:4], sum)
}

// putOriginal copies r into the content-addressed originals directory: it is
// written to a temp name, fsync'ed, renamed, and the directory fsync'ed. It
// returns the SHA-256 (hex) and the size. An existing original with the same
// content is kept as it is.
func (s *Store) putOriginal(r io.Reader) (string, int64, error) {
	tmpDir := filepath.Join(s.dataDir, "originals", "tmp")
	if err := os.MkdirAll(tmpDir, 0o750); err != nil {
		return "", 0, err
	}
	f, err := os.CreateTemp(tmpDir, "in-*")
	if err != nil {
		return "", 0, err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, fmt.Errorf("storing original: %w", err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	dst := s.OriginalPath(sum)
	if _, err := os.Stat(dst); err == nil {
		return sum, n, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", 0, err
	}
	if err := os.Chmod(tmp, 0o440); err != nil {
		return "", 0, err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return "", 0, fmt.Errorf("storing original: %w", err)
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return "", 0, err
	}
	return sum, n, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// CleanTemp removes leftovers of interrupted writes in originals/tmp. Call it
// at start, before any intake runs.
func (s *Store) CleanTemp() error {
	tmpDir := filepath.Join(s.dataDir, "originals", "tmp")
	ents, err := os.ReadDir(tmpDir)
	if err != nil {
		return nil
	}
	for _, e := range ents {
		os.Remove(filepath.Join(tmpDir, e.Name()))
	}
	return nil
}
