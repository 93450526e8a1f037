package main

import (
	"log/slog"

	"poststelle/cmd/internal/wire"
	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/store"
)

// Parts selects the engine capabilities of the embedded engine.
type Parts struct {
	Sources     bool // watched folders and mailboxes (as `poststelle serve`)
	Recognition bool // OCR and PDF/A (tesseract)
	Outbox      bool // delivery to the DMS targets
}

// buildEngine wires the embedded engine with exactly the wiring of
// `poststelle serve` (cmd/internal/wire), less the parts switched off.
func buildEngine(cfg *mailroom.Config, st *store.Store, log *slog.Logger, p Parts) (*engine.Engine, error) {
	w := &wire.Wiring{Cfg: cfg, Store: st, Log: log, Version: version, Serve: p.Sources || p.Outbox,
		Without: map[string]bool{wire.Sources: !p.Sources, wire.Recognition: !p.Recognition, wire.Outbox: !p.Outbox}}
	return wire.Build(w)
}
