//go:build !unix

package boundary

func cpuTime() float64 { return 0 }
