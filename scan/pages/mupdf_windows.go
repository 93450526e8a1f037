//go:build windows

package pages

import (
	"os/exec"
	"syscall"
)

// limitMemory: Windows has no per-process data limit without a job object;
// the child runs without one (the deadline still ends it).
func limitMemory(bytes int64) {}

// childAttrs starts the child without a console window.
func childAttrs(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true} }
