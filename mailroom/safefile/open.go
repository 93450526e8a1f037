package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Errors of OpenRegular.
var (
	// ErrLink: the path is a symbolic link (or, on Windows, a reparse point).
	ErrLink = errors.New("symbolic link")
	// ErrNotRegular: the path is a FIFO, device, socket or folder.
	ErrNotRegular = errors.New("not a regular file")
)

// OpenRegular opens path for reading only if it is a regular file itself:
// a symbolic link is not followed (ErrLink), and a FIFO, device or socket is
// refused without blocking (ErrNotRegular) — opening a FIFO for reading
// would wait for a writer forever. The returned FileInfo is that of the
// open file.
func OpenRegular(path string) (*os.File, fs.FileInfo, error) {
	f, err := openNoFollow(path)
	if err != nil {
		if isLinkErr(path, err) {
			return nil, nil, fmt.Errorf("%s: %w", path, ErrLink)
		}
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s (%s): %w", path, KindOf(fi.Mode()), ErrNotRegular)
	}
	return f, fi, nil
}

// KindOf names the kind of file a mode describes, for log lines and reasons.
func KindOf(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "file"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	case m.IsDir():
		return "folder"
	case m&fs.ModeNamedPipe != 0:
		return "fifo"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}
