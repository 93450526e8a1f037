//go:build !unix

package hostiletest

import "errors"

func mkfifo(path string) error { return errors.New("no FIFOs on this system") }
