package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"poststelle/mailroom"
	"poststelle/mailroom/safefile"
)

// OriginalPath is where the original with the given SHA-256 lives.
func (s *Store) OriginalPath(sum string) string { return s.layout().Original(sum) }

func (s *Store) layout() mailroom.Layout { return mailroom.Layout{Root: s.dataDir} }

// putOriginal copies r into the content-addressed originals directory: it is
// written to a temp name, fsync'ed, renamed (read-only), and the directory
// fsync'ed. It returns the SHA-256 (hex) and the size. An existing original
// with the same content is kept as it is. More than max bytes (0: no limit)
// stop the copy at once with ErrTooLarge; the temp file is removed.
func (s *Store) putOriginal(ctx context.Context, r io.Reader, max int64) (string, int64, error) {
	f, err := safefile.Create(s.layout().OriginalsTemp(), "in-*")
	if err != nil {
		return "", 0, err
	}
	defer f.Abort()
	if max > 0 {
		r = io.LimitReader(r, max+1)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), safefile.ContextReader(ctx, r))
	if err != nil {
		return "", 0, fmt.Errorf("storing original: %w", err)
	}
	if max > 0 && n > max {
		return "", 0, ErrTooLarge(max)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	dst := s.OriginalPath(sum)
	if _, err := os.Stat(dst); err == nil {
		return sum, n, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", 0, err
	}
	if err := f.Commit(dst, 0o440); err != nil {
		return "", 0, fmt.Errorf("storing original: %w", err)
	}
	return sum, n, nil
}

// CleanTemp removes leftovers of interrupted writes in originals/tmp. Call it
// at start, before any intake runs.
func (s *Store) CleanTemp() error {
	tmpDir := s.layout().OriginalsTemp()
	ents, err := os.ReadDir(tmpDir)
	if err != nil {
		return nil
	}
	for _, e := range ents {
		os.Remove(filepath.Join(tmpDir, e.Name()))
	}
	return nil
}
