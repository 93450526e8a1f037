//go:build unix

package safefile

import (
	"errors"
	"os"
	"syscall"
)

// openNoFollow opens without following a final symbolic link and without
// blocking on a FIFO (O_NONBLOCK has no effect on regular files).
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

// isLinkErr: O_NOFOLLOW on a symbolic link fails with ELOOP.
func isLinkErr(path string, err error) bool {
	if !errors.Is(err, syscall.ELOOP) {
		return false
	}
	fi, lerr := os.Lstat(path)
	return lerr == nil && fi.Mode()&os.ModeSymlink != 0
}
