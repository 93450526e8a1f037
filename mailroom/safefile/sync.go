package safefile

import (
	"errors"
	"runtime"
	"syscall"
)

// ignorableSyncError reports whether a directory fsync failed only because
// the platform or file system does not support it.
func ignorableSyncError(err error) bool {
	if runtime.GOOS == "windows" {
		return true
	}
	return errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EBADF)
}
