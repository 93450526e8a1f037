// Package cli is the frame of Poststelle's command-line programs
// (poststelle, poststelle-bench): a registry of sub-commands, the usage
// text, signal handling and the exit codes. A program's files register
// their sub-commands in init; main calls Program.Main.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// Command is one sub-command.
type Command struct {
	Summary string
	Run     func(ctx context.Context, args []string) error
}

// Program is a command-line program made of sub-commands.
type Program struct {
	Name     string // the binary: "poststelle"
	Title    string // first word of the usage text: "Poststelle"
	About    string // what the program is, after the version
	Version  string
	Commands map[string]Command
}

// Register adds a sub-command.
func (p *Program) Register(name, summary string, run func(ctx context.Context, args []string) error) {
	if p.Commands == nil {
		p.Commands = map[string]Command{}
	}
	p.Commands[name] = Command{Summary: summary, Run: run}
}

// ExitError ends the program with Code; Msg, if set, goes to stderr.
type ExitError struct {
	Code int
	Msg  string
}

func (e *ExitError) Error() string { return e.Msg }

// Usage writes the list of sub-commands, sorted, to w.
func (p *Program) Usage(w io.Writer) {
	fmt.Fprintf(w, "%s %s — %s\n\nusage: %s COMMAND [flags]\n\ncommands:\n", p.Title, p.Version, p.About, p.Name)
	names := make([]string, 0, len(p.Commands))
	width := 0
	for n := range p.Commands {
		names = append(names, n)
		width = max(width, len(n))
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-*s  %s\n", width, n, p.Commands[n].Summary)
	}
	fmt.Fprintf(w, "\nRun '%s COMMAND -h' for a command's flags.\n", p.Name)
}

// Main runs the sub-command named by os.Args[1] until it returns or
// SIGINT/SIGTERM cancels its context, and exits with its code.
func (p *Program) Main() {
	os.Exit(p.Run(os.Args[1:], os.Stdout, os.Stderr))
}

// Run runs the sub-command args[0] with the rest of args and returns the
// exit code: 0, the code of an ExitError, 2 for usage errors, 1 otherwise.
func (p *Program) Run(args []string, stdout, stderr io.Writer) int {
	if len(args) < 1 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		p.Usage(stderr)
		if len(args) < 1 {
			return 2
		}
		return 0
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintln(stdout, p.Name, p.Version)
		return 0
	}
	cmd, ok := p.Commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "%s: unknown command %q\n\n", p.Name, args[0])
		p.Usage(stderr)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return p.exitCode(cmd.Run(ctx, args[1:]), stderr)
}

// exitCode reports err on stderr and turns it into the exit code.
func (p *Program) exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Msg != "" {
			fmt.Fprintln(stderr, p.Name+":", ee.Msg)
		}
		return ee.Code
	}
	if errors.Is(err, flag.ErrHelp) {
		return 2
	}
	fmt.Fprintln(stderr, p.Name+":", strings.TrimSpace(err.Error()))
	return 1
}

// ParseSubcommand parses the arguments of a command with sub-commands,
// `PROGRAM CMD [flags] SUB [flags] [ARGS...]`: flags may stand before or
// after the sub-command (quarantine list --data-dir D). It returns the
// sub-command and the arguments after the flags. Without a sub-command it
// prints fs.Usage and returns exit code 2.
func ParseSubcommand(fs *flag.FlagSet, args []string) (sub string, rest []string, err error) {
	if err := fs.Parse(args); err != nil {
		return "", nil, err
	}
	if fs.NArg() < 1 {
		fs.Usage()
		return "", nil, &ExitError{Code: 2}
	}
	sub = fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return "", nil, err
	}
	return sub, fs.Args(), nil
}
