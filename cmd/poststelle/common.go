package main

import (
	"flag"
	"io"
	"log/slog"
	"os"

	"poststelle/mailroom"
	"poststelle/mailroom/store"
)

// configFlags are the flags every command that reads the configuration has.
type configFlags struct {
	config  string
	dataDir string
}

func (c *configFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", os.Getenv("POSTSTELLE_CONFIG"), "configuration file (TOML); empty: the embedded default")
	fs.StringVar(&c.dataDir, "data-dir", "", "data directory (overrides data_dir of the configuration)")
}

func (c *configFlags) load() (*mailroom.Config, error) {
	if c.config == "" {
		return mailroom.Default(c.dataDir)
	}
	return mailroom.Load(c.config, c.dataDir)
}

// openStore loads the configuration and opens the store.
func (c *configFlags) open() (*mailroom.Config, *store.Store, error) {
	cfg, err := c.load()
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Open(cfg.DataDir)
	if err != nil {
		return nil, nil, err
	}
	return cfg, st, nil
}

// newLogger makes the process logger: JSON when not on a terminal.
func newLogger(cfg *mailroom.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	lvl.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: lvl}
	format := cfg.Log.Format
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok && isTerminal(f) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
