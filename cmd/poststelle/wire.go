package main

import (
	"log/slog"

	"poststelle/mailroom"
	"poststelle/mailroom/store"
	"poststelle/scan"
)

// wiring is everything a capability needs to plug itself into the engine.
type wiring struct {
	cfg   *mailroom.Config
	store *store.Store
	log   *slog.Logger
	// serve is true for `serve` (sources and background runners wanted),
	// false for one-shot commands like `process`.
	serve bool
}

// wirers plug capabilities into the engine. Each capability registers one in
// the init of its own wire_*.go file, so adding a capability never touches
// the others. They run in name order of their keys.
var wirers = map[string]func(w *wiring, e *mailroom.Engine) error{}

func buildEngine(w *wiring) (*mailroom.Engine, error) {
	e := &mailroom.Engine{Config: w.cfg, Store: w.store, Log: w.log}
	for _, k := range sortedKeys(wirers) {
		if err := wirers[k](w, e); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func init() {
	wirers["10-folders"] = func(w *wiring, e *mailroom.Engine) error {
		if !w.serve {
			return nil
		}
		for _, f := range w.cfg.Folders {
			e.Sources = append(e.Sources, &scan.HotFolder{
				Dir: w.cfg.Resolve(f.Path), Profile: f.Profile, AfterIntake: f.AfterIntake, Poll: f.Poll,
				StableDelay: w.cfg.Intake.StableDelay.Duration, PollInterval: w.cfg.Intake.PollInterval.Duration,
				RescanInterval: w.cfg.Intake.RescanInterval.Duration,
				Log:            w.log.With("source", "folder:"+f.Name),
			})
		}
		return nil
	}
}
