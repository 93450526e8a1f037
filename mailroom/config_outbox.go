package mailroom

import "fmt"

// OutboxConfig configures DMS delivery.
type OutboxConfig struct {
	Backoff    Duration `toml:"backoff"`     // first retry delay
	MaxBackoff Duration `toml:"max_backoff"` // longest retry delay
	AlertAfter Duration `toml:"alert_after"` // an entry older than this raises an alert
	// Workers is the number of deliveries under way at once (all targets).
	Workers int `toml:"workers"`
	// PollInterval: how often the outbox looks for newly approved documents.
	PollInterval Duration `toml:"poll_interval"`
	// Lease: how long a delivery may take before another worker may take it over.
	Lease Duration `toml:"lease"`
}

func init() {
	sectionValidators = append(sectionValidators, func(c *Config) error {
		o := c.Outbox
		if o.Backoff.Duration < 0 || o.MaxBackoff.Duration < 0 || o.AlertAfter.Duration < 0 || o.PollInterval.Duration < 0 || o.Lease.Duration < 0 {
			return fmt.Errorf("outbox: durations must not be negative")
		}
		if o.MaxBackoff.Duration > 0 && o.Backoff.Duration > o.MaxBackoff.Duration {
			return fmt.Errorf("outbox.backoff (%s) is longer than outbox.max_backoff (%s)", o.Backoff, o.MaxBackoff)
		}
		if o.Workers < 0 {
			return fmt.Errorf("outbox.workers must not be negative")
		}
		for i, t := range c.Targets {
			switch t.Type {
			case "folder":
				if t.Path == "" {
					return fmt.Errorf("targets[%d] (%s): path is empty", i, t.Name)
				}
			case "webdav", "cmis", "paperless":
				if t.URL == "" {
					return fmt.Errorf("targets[%d] (%s): url is empty", i, t.Name)
				}
			}
			if t.Type == "cmis" && t.Repository == "" {
				return fmt.Errorf("targets[%d] (%s): repository is empty", i, t.Name)
			}
			if t.RateLimit < 0 || t.Timeout.Duration < 0 || t.Retries < 0 {
				return fmt.Errorf("targets[%d] (%s): rate_limit, timeout and retries must not be negative", i, t.Name)
			}
		}
		return nil
	})
}
