//go:build unix

package measure

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process used so far; 0 where unknown.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
