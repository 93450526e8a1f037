package evidence

import (
	"context"
	"encoding/json"

	"poststelle/mailroom"
)

// JournalConfig journals the SHA-256 of the effective configuration (of its
// JSON form) as action config when it differs from the last one journaled
// (TR-RESISCAN A.SC.11: changes of the configuration are recorded). `serve`
// calls it once at start, before any document is taken in, so that every
// document's processing follows the entry of the configuration it ran under.
func JournalConfig(ctx context.Context, j JournalLog, cfg *mailroom.Config, version string) error {
	// Hashed without the TSA's credentials: the hash is journaled, and a
	// password inside it could be guessed from the rest of the file.
	redacted := *cfg
	redacted.Evidence.TSA = RedactURL(cfg.Evidence.TSA)
	data, _ := json.Marshal(&redacted)
	h := sha(data)
	last, err := j.Journal(ctx, mailroom.JournalFilter{Action: "config", Newest: true, Limit: 1})
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
	_, err = j.Append(ctx, "engine", "config", "", "", map[string]any{"sha256": h, "file": cfg.Path(), "version": version,
		"qa_sample_rate": cfg.Evidence.QASampleRate, "seal": cfg.Evidence.SealP12 != "", "tsa": RedactURL(cfg.Evidence.TSA)})
	return err
}
