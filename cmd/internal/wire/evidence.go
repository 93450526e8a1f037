package wire

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/store"
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
// serve it journals configuration changes and timestamps the journal head.
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
	if err := journalConfig(context.Background(), w.Cfg, w.Store, w.Version); err != nil {
		return err
	}
	if tsa != nil {
		iv := w.Cfg.Evidence.JournalTimestampInterval.Duration
		e.Runners = append(e.Runners, mailroom.RunnerFunc{N: "journal timestamps", F: func(ctx context.Context) error {
			return stampJournal(ctx, w, tsa, iv)
		}})
	}
	return nil
}

// journalConfig journals the hash of the effective configuration when it
// differs from the last one journaled (A.SC.11: configuration changes).
func journalConfig(ctx context.Context, cfg *mailroom.Config, st *store.Store, version string) error {
	data, _ := json.Marshal(cfg)
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	last, err := st.Journal(ctx, mailroom.JournalFilter{Action: "config", Newest: true, Limit: 1})
	if err != nil {
		return err
	}
	if len(last) == 1 {
		var d struct {
			SHA256 string `json:"sha256"`
		}
		json.Unmarshal([]byte(last[0].Detail), &d)
		if d.SHA256 == h {
			return nil
		}
	}
	_, err = st.Append(ctx, "engine", "config", "", "", map[string]any{"sha256": h, "file": cfg.Path(), "version": version,
		"qa_sample_rate": cfg.Evidence.QASampleRate, "seal": cfg.Evidence.SealP12 != "", "tsa": cfg.Evidence.TSA})
	return err
}

// stampJournal timestamps the journal's chain head at every interval (when
// it moved since the last stamp) and stores the token.
func stampJournal(ctx context.Context, w *Wiring, tsa *evidence.TSAClient, iv time.Duration) error {
	for {
		if err := stampJournalOnce(ctx, w.Store, tsa); err != nil {
			w.Log.Warn("journal timestamp failed", "err", err)
			w.Store.Append(ctx, "evidence", "error", "", "", map[string]string{"step": "journal-timestamp", "error": err.Error()})
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(iv):
		}
	}
}

func stampJournalOnce(ctx context.Context, st *store.Store, tsa *evidence.TSAClient) error {
	head, err := st.Journal(ctx, mailroom.JournalFilter{Newest: true, Limit: 1})
	if err != nil || len(head) == 0 {
		return err
	}
	stamps, err := st.JournalStamps(ctx)
	if err != nil {
		return err
	}
	if n := len(stamps); n > 0 && stamps[n-1].Seq == head[0].Seq {
		return nil
	}
	tok, err := tsa.Stamp(ctx, []byte(head[0].Hash))
	if err != nil {
		return err
	}
	return st.PutJournalStamp(ctx, evidence.JournalStamp{Seq: head[0].Seq, Hash: head[0].Hash, Token: tok.DER, Time: tok.Time})
}
