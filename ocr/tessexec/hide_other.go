//go:build !windows

package tessexec

import "os/exec"

func hideWindow(*exec.Cmd) {}
