package mailroom

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
}
