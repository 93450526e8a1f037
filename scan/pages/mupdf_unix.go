//go:build unix

package pages

import (
	"os/exec"
	"syscall"
)

// limitMemory caps the child's data segment and private writable
// mappings (RLIMIT_DATA): MuPDF's allocations fail beyond it, and so does
// the Go heap (the child then ends with "out of memory").
func limitMemory(bytes int64) {
	lim := &syscall.Rlimit{Cur: uint64(bytes), Max: uint64(bytes)}
	syscall.Setrlimit(syscall.RLIMIT_DATA, lim)
}

func childAttrs(cmd *exec.Cmd) { cmd.SysProcAttr = childSysProcAttr() }
