//go:build !windows

package ocr

import (
	"os"
	"syscall"
)

// SingleThreaded makes sure tesseract runs single-threaded in this process.
// Debian's libtesseract uses OpenMP, and libgomp reads OMP_THREAD_LIMIT only
// once, when it is loaded at process start: setting it later has no effect.
// So if it is not "1", SingleThreaded sets it and re-executes the running
// program with the same arguments (it returns only if that fails, or when
// POSTSTELLE_NO_REEXEC is set). Call it first thing in main or TestMain.
func SingleThreaded() error {
	if os.Getenv("OMP_THREAD_LIMIT") == "1" || os.Getenv("POSTSTELLE_NO_REEXEC") != "" {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	os.Setenv("OMP_THREAD_LIMIT", "1")
	return syscall.Exec(exe, os.Args, os.Environ())
}
