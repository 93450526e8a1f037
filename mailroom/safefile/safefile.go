// Package safefile writes files so that nothing half-written is ever read as
// finished: data goes to a temporary file in the destination's directory, is
// fsync'ed, renamed over the final name, and the directory is fsync'ed. A
// failure (a full disk, a crash) leaves either the old file or none, never a
// torn one, and removes the temporary file where it can.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// File is a temporary file that becomes visible under its final name only
// when Commit succeeds. Abort (or a failed Commit) removes it.
type File struct {
	*os.File
	done bool
}

// Create makes a temporary file in dir (created with mode 0750 if missing).
// pattern is as for os.CreateTemp; "" gives ".tmp-*".
func Create(dir, pattern string) (*File, error) {
	if pattern == "" {
		pattern = ".tmp-*"
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return &File{File: f}, nil
}

// Commit fsyncs and closes the file, sets perm, renames it to path and
// fsyncs path's directory. path should be on the same file system as the
// temporary file (the same directory is best). After an error the temporary
// file is gone and path is unchanged.
func (f *File) Commit(path string, perm os.FileMode) error {
	if f.done {
		return errors.New("safefile: already committed or aborted")
	}
	tmp := f.Name()
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, perm)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	f.done = true
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	return SyncDir(filepath.Dir(path))
}

// Abort closes and removes the temporary file. It does nothing after Commit,
// so `defer f.Abort()` is safe.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.Close()
	os.Remove(f.Name())
}

// WriteFrom writes through fill into a temporary file beside path and commits
// it to path with perm.
func WriteFrom(path string, perm os.FileMode, fill func(io.Writer) error) error {
	f, err := Create(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := fill(f); err != nil {
		return err
	}
	return f.Commit(path, perm)
}

// Write writes data to path atomically with perm.
func Write(path string, data []byte, perm os.FileMode) error {
	return WriteFrom(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Copy copies src to dst atomically with perm, streaming, so large files are
// not held in memory.
func Copy(src, dst string, perm os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return WriteFrom(dst, perm, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}

// SyncDir fsyncs a directory so that a rename in it survives a crash. File
// systems that cannot sync directories (some network shares, Windows) are
// not an error.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !ignorableSyncError(err) {
		return err
	}
	return nil
}
