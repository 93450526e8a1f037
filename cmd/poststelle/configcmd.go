package main

import (
	"context"
	"fmt"
	"os"

	"github.com/BurntSushi/toml"

	"poststelle/mailroom"
)

func init() {
	register("config", "print the effective configuration with every default", runConfig)
}

func runConfig(ctx context.Context, args []string) error {
	fs, cf := commandFlags("config")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cf.Config == "" && cf.DataDir == "" {
		os.Stdout.Write(mailroom.DefaultTOML())
		return nil
	}
	cfg, err := cf.Load()
	if err != nil {
		return err
	}
	fmt.Printf("# Effective configuration (%s), defaults filled in.\n# Run 'poststelle config' without flags for the commented defaults.\n\n", orDefault(cfg.Path()))
	maskOperatorHashes(cfg)
	return toml.NewEncoder(os.Stdout).Encode(cfg)
}
