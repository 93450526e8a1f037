package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"poststelle/cmd/internal/wire"
	"poststelle/mailroom/engine"
	"poststelle/ocr"
)

// wiring is the engine wiring shared with poststelle-desk (cmd/internal/wire).
type wiring = wire.Wiring

// buildEngine builds the engine with every capability; metrics collectors of
// capabilities are registered with the HTTP listener's registry.
func buildEngine(w *wiring) (*engine.Engine, error) {
	w.Version = version
	if w.Collect == nil {
		w.Collect = func(c prometheus.Collector) { metricCollectors = append(metricCollectors, c) }
	}
	return wire.Build(w)
}

func init() {
	// Tesseract must run single-threaded (one engine per core): libgomp
	// reads OMP_THREAD_LIMIT only at process start, so re-execute with it
	// set if it is missing. Returns without doing anything when it is set.
	ocr.SingleThreaded()
	approveAndDeliver = wire.ApproveAndDeliver
}
