//go:build unix && !linux

package pages

import "syscall"

func childSysProcAttr() *syscall.SysProcAttr { return nil }
