package cli

import (
	"flag"
	"os"

	"poststelle/mailroom"
)

// ConfigFlags are the flags of every program and command that reads the
// configuration: --config (default $POSTSTELLE_CONFIG) and --data-dir.
type ConfigFlags struct {
	Config  string // the TOML file; "" = the embedded default
	DataDir string // overrides data_dir of the configuration
}

// Add puts the flags on fs.
func (c *ConfigFlags) Add(fs *flag.FlagSet) {
	fs.StringVar(&c.Config, "config", os.Getenv("POSTSTELLE_CONFIG"), "configuration file (TOML); empty: the embedded default")
	fs.StringVar(&c.DataDir, "data-dir", "", "data directory (overrides data_dir of the configuration)")
}

// Load reads the configuration file, or the embedded default without one.
func (c *ConfigFlags) Load() (*mailroom.Config, error) {
	if c.Config == "" {
		return mailroom.Default(c.DataDir)
	}
	return mailroom.Load(c.Config, c.DataDir)
}
