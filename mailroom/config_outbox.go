package mailroom

// OutboxConfig configures DMS delivery.
type OutboxConfig struct {
	Backoff    Duration `toml:"backoff"`     // first retry delay
	MaxBackoff Duration `toml:"max_backoff"` // longest retry delay
	AlertAfter Duration `toml:"alert_after"` // an entry older than this raises an alert
}
