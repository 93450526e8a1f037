package mailroom

import "fmt"

// EvidenceConfig configures the replacement-scanning evidence (TR-RESISCAN).
type EvidenceConfig struct {
	// Seal is the PKCS#12 file of the advanced electronic seal; empty = no seal.
	SealP12          string `toml:"seal_p12"`
	SealPasswordFile string `toml:"seal_password_file"`
	SealPasswordEnv  string `toml:"seal_password_env"`
	// TSA is the URL of an RFC 3161 timestamp authority; empty = no timestamps.
	TSA string `toml:"tsa"`
	// JournalTimestampInterval: how often the journal chain head is timestamped.
	JournalTimestampInterval Duration `toml:"journal_timestamp_interval"`
	// QASampleRate is the share of normal-level documents given a full QA check.
	QASampleRate float64 `toml:"qa_sample_rate"`
	// RetentionDays before paper originals may be destroyed.
	RetentionDays int `toml:"retention_days"`
	// TrustCA is a PEM file of CA certificates that `verify` trusts for
	// seals (and for timestamps and batch seals unless set apart below);
	// empty = seals are reported not verifiable.
	TrustCA string `toml:"trust_ca"`
	// SehrHochPersons is how many people a "sehr hoch" document takes: 2 =
	// the person who scanned may neither check nor approve; 3 = in addition
	// the person who checked may not approve.
	SehrHochPersons int `toml:"sehr_hoch_persons"`
	// TrustTSACA is a PEM file of the CA and TSA certificates `verify`
	// trusts for timestamps; empty = TrustCA.
	TrustTSACA string `toml:"trust_tsa_ca"`
	// TrustBatchCA is a PEM file of the CA certificates `verify` trusts
	// for batch seals and sealed journal checkpoints; empty = TrustCA.
	TrustBatchCA string `toml:"trust_batch_ca"`
	// CheckpointDir receives a copy of every journal checkpoint, outside
	// the data directory (e.g. a WORM share); empty = none.
	CheckpointDir string `toml:"checkpoint_dir"`
}

func init() {
	sectionValidators = append(sectionValidators, func(c *Config) error {
		e := c.Evidence
		if e.QASampleRate < 0 || e.QASampleRate > 1 {
			return fmt.Errorf("evidence.qa_sample_rate: %v is not between 0 and 1", e.QASampleRate)
		}
		if e.SehrHochPersons != 2 && e.SehrHochPersons != 3 {
			return fmt.Errorf("evidence.sehr_hoch_persons: %d, want 2 or 3", e.SehrHochPersons)
		}
		if e.RetentionDays < 0 {
			return fmt.Errorf("evidence.retention_days must not be negative")
		}
		if (e.TSA != "" || e.SealP12 != "") && e.JournalTimestampInterval.Duration <= 0 {
			return fmt.Errorf("evidence.journal_timestamp_interval must be positive when evidence.tsa or evidence.seal_p12 is set")
		}
		if e.CheckpointDir != "" && e.TSA == "" && e.SealP12 == "" {
			return fmt.Errorf("evidence.checkpoint_dir needs evidence.tsa or evidence.seal_p12 (checkpoints are timestamped or sealed)")
		}
		return nil
	})
}
