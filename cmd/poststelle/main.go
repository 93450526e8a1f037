// Command poststelle is the Poststelle engine and its command-line interface:
// serve, process, status, doctor, config, quarantine and further commands
// registered by the files of this package.
package main

import (
	"context"

	"poststelle/cmd/internal/cli"
)

// version is set at build time: -ldflags "-X main.version=…".
var version = "dev"

// program holds the sub-commands; files of this package register theirs in init.
var program = &cli.Program{Name: "poststelle", Title: "Poststelle", About: "the software of a municipal mailroom"}

func register(name, summary string, run func(ctx context.Context, args []string) error) {
	program.Register(name, summary, run)
}

func main() {
	program.Version = version
	program.Main()
}
