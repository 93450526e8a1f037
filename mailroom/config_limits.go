package mailroom

import (
	"fmt"
	"time"
)

// Defaults of the limits (docs/limits.md), used where a field is zero.
const (
	DefaultStageTimeout    = time.Hour
	DefaultPageTimeout     = 30 * time.Second
	DefaultMaxPages        = 2000
	DefaultShutdownTimeout = 20 * time.Second
)

// Links settings of [intake]: what hot folders do with symbolic links and
// special files.
const (
	LinksQuarantine = "quarantine"
	LinksIgnore     = "ignore"
)

func init() {
	sectionValidators = append(sectionValidators, validateLimits)
}

func validateLimits(c *Config) error {
	switch c.Intake.Links {
	case "", LinksQuarantine, LinksIgnore:
	default:
		return fmt.Errorf("intake.links: %q is not one of quarantine, ignore", c.Intake.Links)
	}
	if c.Intake.MaxFileSize < 0 {
		return fmt.Errorf("intake.max_file_size must not be negative")
	}
	p := c.Pipeline
	for _, d := range []struct {
		name string
		v    Duration
	}{{"stage_timeout", p.StageTimeout}, {"page_timeout", p.PageTimeout}, {"shutdown_timeout", p.ShutdownTimeout}} {
		if d.v.Duration < 0 {
			return fmt.Errorf("pipeline.%s must not be negative", d.name)
		}
	}
	if p.MaxPages < 0 {
		return fmt.Errorf("pipeline.max_pages must not be negative")
	}
	return nil
}

// StageDeadline is pipeline.stage_timeout, or its default.
func (p PipelineConfig) StageDeadline() time.Duration {
	return orDuration(p.StageTimeout.Duration, DefaultStageTimeout)
}

// PageDeadline is pipeline.page_timeout, or its default.
func (p PipelineConfig) PageDeadline() time.Duration {
	return orDuration(p.PageTimeout.Duration, DefaultPageTimeout)
}

// ShutdownWait is pipeline.shutdown_timeout, or its default.
func (p PipelineConfig) ShutdownWait() time.Duration {
	return orDuration(p.ShutdownTimeout.Duration, DefaultShutdownTimeout)
}

// PageLimit is pipeline.max_pages, or its default.
func (p PipelineConfig) PageLimit() int {
	if p.MaxPages > 0 {
		return p.MaxPages
	}
	return DefaultMaxPages
}

func orDuration(v, def time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return def
}

// ErrTooSlow is the reason a document gets when a stage or a page ran past
// its deadline; de and en name what took too long ("Seite 3", "page 3").
func ErrTooSlow(de, en string, limit time.Duration) error {
	return BadInput(fmt.Sprintf("Verarbeitung dauerte zu lange (%s, höchstens %s)", de, limit),
		fmt.Sprintf("processing took too long (%s, limit %s)", en, limit), nil)
}
