package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"poststelle/cmd/internal/cli"
	"poststelle/mailroom"
	"poststelle/mailroom/store"
)

// configFlags are the flags every command that reads the configuration has.
type configFlags struct{ cli.ConfigFlags }

// commandFlags is the flag set of a command that reads the configuration:
// --config and --data-dir are on it.
func commandFlags(name string) (*flag.FlagSet, *configFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	cf := &configFlags{}
	cf.Add(fs)
	return fs, cf
}

// setUsage makes fs print the synopsis text and then its flags.
func setUsage(fs *flag.FlagSet, text string) {
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), text)
		fs.PrintDefaults()
	}
}

// open loads the configuration and opens the store.
func (c *configFlags) open() (*mailroom.Config, *store.Store, error) {
	cfg, err := c.Load()
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Open(cfg.DataDir)
	if err != nil {
		return nil, nil, err
	}
	return cfg, st, nil
}

// openForEngine opens configuration and store for a command that runs the
// engine, makes the logger and removes temp files an earlier run left.
func (c *configFlags) openForEngine() (*mailroom.Config, *store.Store, *slog.Logger, error) {
	cfg, st, err := c.open()
	if err != nil {
		return nil, nil, nil, err
	}
	log := newLogger(cfg, os.Stderr)
	st.CleanTemp()
	return cfg, st, log, nil
}

// subcommandStore parses `CMD [flags] SUB [flags] ARGS...` (cli.ParseSubcommand),
// loads the configuration and opens the store; the caller closes it.
func (c *configFlags) subcommandStore(fs *flag.FlagSet, args []string) (sub string, rest []string, cfg *mailroom.Config, st *store.Store, err error) {
	sub, rest, err = cli.ParseSubcommand(fs, args)
	if err != nil {
		return "", nil, nil, nil, err
	}
	cfg, st, err = c.open()
	if err != nil {
		return "", nil, nil, nil, err
	}
	return sub, rest, cfg, st, nil
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
