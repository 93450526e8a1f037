package engine

import "time"

// SetStepGrace shortens the grace after a deadline for tests; it returns
// the function that restores it.
func SetStepGrace(d time.Duration) (restore func()) {
	old := stepGrace
	stepGrace = d
	return func() { stepGrace = old }
}
