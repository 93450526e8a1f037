//go:build windows

package safefile

import (
	"errors"
	"fmt"
	"os"
)

var errSwapped = errors.New("file changed while it was opened")

// openNoFollow refuses a reparse point (symbolic link, junction) found by
// Lstat, opens the path and checks that the open file is the one Lstat saw,
// so a link put in its place meanwhile is not followed.
func openNoFollow(path string) (*os.File, error) {
	lfi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if lfi.Mode()&os.ModeSymlink != 0 || lfi.Mode()&os.ModeIrregular != 0 {
		return nil, errLinkSeen
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil || !os.SameFile(lfi, fi) {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, errSwapped)
	}
	return f, nil
}

var errLinkSeen = errors.New("reparse point")

func isLinkErr(path string, err error) bool { return errors.Is(err, errLinkSeen) }
