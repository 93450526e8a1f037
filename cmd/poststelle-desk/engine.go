package main

import (
	"context"
	"fmt"
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

// startEngine recovers work a crash interrupted, journals the start and
// runs the embedded engine until ctx ends.
func startEngine(ctx context.Context, cfg *mailroom.Config, st *store.Store, e *engine.Engine) error {
	st.CleanTemp()
	if _, err := st.Recover(ctx, "desk"); err != nil {
		return fmt.Errorf("recovery: %w", err)
	}
	st.Append(ctx, "desk", "start", "", "", map[string]any{"version": version, "data_dir": cfg.DataDir, "engine": "embedded"})
	go e.Run(ctx)
	return nil
}
