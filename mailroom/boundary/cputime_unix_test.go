//go:build unix

package boundary

import "syscall"

// cpuTime is the CPU time the process used so far, in seconds: on a shared
// machine the wall time of a benchmark says more about the neighbours.
func cpuTime() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
