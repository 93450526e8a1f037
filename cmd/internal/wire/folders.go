package wire

import (
	"os"

	"poststelle/mailroom/engine"
	"poststelle/scan/hotfolder"
)

func init() {
	register("10-folders", func(w *Wiring, e *engine.Engine) error {
		if !w.Serve || w.without(Sources) {
			return nil
		}
		for _, f := range w.Cfg.Folders {
			os.MkdirAll(w.Cfg.Resolve(f.Path), 0o770)
			e.Sources = append(e.Sources, &hotfolder.HotFolder{
				Dir: w.Cfg.Resolve(f.Path), Profile: f.Profile, AfterIntake: f.AfterIntake, Poll: f.Poll,
				StableDelay: w.Cfg.Intake.StableDelay.Duration, PollInterval: w.Cfg.Intake.PollInterval.Duration,
				RescanInterval: w.Cfg.Intake.RescanInterval.Duration,
				Log:            w.Log.With("source", "folder:"+f.Name),
			})
		}
		return nil
	})
}
