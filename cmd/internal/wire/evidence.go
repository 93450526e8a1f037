package wire

import (
	"context"
	"fmt"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/evidence"
)

func init() {
	register("40-evidence", WireEvidence)
}

// EvidenceParts builds the sealer and TSA client of the configuration.
func EvidenceParts(cfg *mailroom.Config) (evidence.Sealer, *evidence.TSAClient, error) {
	var sealer evidence.Sealer
	if p := cfg.Evidence.SealP12; p != "" {
		pw, err := mailroom.Secret(cfg.Resolve(cfg.Evidence.SealPasswordFile), cfg.Evidence.SealPasswordEnv)
		if err != nil {
			return nil, nil, fmt.Errorf("evidence.seal_password: %w", err)
		}
		s, err := evidence.LoadPKCS12(cfg.Resolve(p), pw)
		if err != nil {
			return nil, nil, fmt.Errorf("evidence.seal_p12: %w", err)
		}
		s.Location = cfg.Instance
		sealer = s
	}
	var tsa *evidence.TSAClient
	if cfg.Evidence.TSA != "" {
		tsa = &evidence.TSAClient{URL: cfg.Evidence.TSA}
	}
	return sealer, tsa, nil
}

// WireEvidence sets the approval policy and the evidence finisher; under
// serve it journals configuration changes and makes checkpoints over the
// journal head (timestamped and/or sealed, copied to checkpoint_dir).
func WireEvidence(w *Wiring, e *engine.Engine) error {
	sealer, tsa, err := EvidenceParts(w.Cfg)
	if err != nil {
		return err
	}
	e.Policy = &evidence.Policy{SampleRate: w.Cfg.Evidence.QASampleRate, ThreePersons: w.Cfg.Evidence.SehrHochPersons == 3}
	e.Finisher = &evidence.Finisher{Config: w.Cfg, Store: w.Store, Records: w.Store, Sealer: sealer, TSA: tsa, Version: w.Version}
	if !w.Serve {
		return nil
	}
	if err := evidence.JournalConfig(context.Background(), w.Store, w.Cfg, w.Version); err != nil {
		return err
	}
	if tsa != nil || sealer != nil {
		cp := ""
		if d := w.Cfg.Evidence.CheckpointDir; d != "" {
			cp = w.Cfg.Resolve(d)
		}
		e.Runners = append(e.Runners, &evidence.JournalStamper{Journal: w.Store, Records: w.Store, TSA: tsa, Sealer: sealer,
			CheckpointDir: cp, Interval: w.Cfg.Evidence.JournalTimestampInterval.Duration, Log: w.Log})
	}
	return nil
}
