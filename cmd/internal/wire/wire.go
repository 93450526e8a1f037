// Package wire builds a engine.Engine from the configuration: it plugs the
// adapters (hot folders, recognition, barcodes, mail, proposals, evidence,
// delivery) into the engine. Both programs use it — `poststelle` (serve,
// process) and `poststelle-desk` (the embedded engine) — so they run the
// same pipeline. Each capability registers itself in its own file.
package wire

import (
	"log/slog"
	"sort"

	"github.com/prometheus/client_golang/prometheus"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/store"
)

// Capabilities that an embedding program may switch off.
const (
	Recognition = "recognition" // OCR and PDF/A (needs tesseract)
	Outbox      = "outbox"      // delivery runner
	Sources     = "sources"     // hot folders and mailboxes
)

// Wiring is everything a capability needs to plug itself into the engine.
type Wiring struct {
	Cfg   *mailroom.Config
	Store *store.Store
	Log   *slog.Logger
	// Serve is true for a long-running engine (sources and background
	// runners wanted), false for one-shot commands like `process`.
	Serve bool
	// Version of the program, for the Transfervermerk and the journal.
	Version string
	// Without switches capabilities off (Recognition, Outbox, Sources).
	Without map[string]bool
	// Collect, if set, registers Prometheus collectors of capabilities.
	Collect func(prometheus.Collector)
}

func (w *Wiring) without(c string) bool { return w.Without[c] }

var wirers = map[string]func(w *Wiring, e *engine.Engine) error{}

// register adds a capability; they are applied in the order of their keys.
func register(key string, fn func(w *Wiring, e *engine.Engine) error) { wirers[key] = fn }

// Build makes the engine with every registered capability.
func Build(w *Wiring) (*engine.Engine, error) {
	if w.Log == nil {
		w.Log = slog.Default()
	}
	e := &engine.Engine{Config: w.Cfg, Store: w.Store, Log: w.Log}
	keys := make([]string, 0, len(wirers))
	for k := range wirers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := wirers[k](w, e); err != nil {
			return nil, err
		}
	}
	return e, nil
}
