package mailroom

import "sync/atomic"

// stuck counts calls that were abandoned after their deadline and are still
// running. Go code can be told to stop through its context; a decoder or OCR
// engine inside C (MuPDF, tesseract) cannot, so the caller gives up on it,
// lets it run to its end in its own goroutine and counts it here. The engine
// restarts the process when too many pile up (docs/limits.md).
var stuck atomic.Int64

// Abandoned records one abandoned call that is still running; call the
// returned function when it has ended.
func Abandoned() (ended func()) {
	stuck.Add(1)
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) {
			stuck.Add(-1)
		}
	}
}

// StuckCalls is the number of abandoned calls still running in this process.
func StuckCalls() int64 { return stuck.Load() }
