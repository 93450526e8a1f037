//go:build linux

package pages

import "syscall"

// The child dies with the engine.
func childSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
