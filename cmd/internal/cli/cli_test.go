package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"
)

func testProgram(ran *[]string) *Program {
	p := &Program{Name: "prog", Title: "Prog", About: "a test program", Version: "1.2"}
	p.Register("zeta", "the last", func(ctx context.Context, args []string) error {
		*ran = append(*ran, "zeta "+strings.Join(args, " "))
		return nil
	})
	p.Register("alpha-long", "the first", func(ctx context.Context, args []string) error {
		switch args[0] {
		case "exit3":
			return &ExitError{Code: 3, Msg: "three"}
		case "quiet":
			return &ExitError{Code: 4}
		case "help":
			return fmt.Errorf("wrapped: %w", flag.ErrHelp)
		}
		return errors.New(" plain failure \n")
	})
	return p
}

func TestUsageSortedAndAligned(t *testing.T) {
	var ran []string
	var out bytes.Buffer
	testProgram(&ran).Usage(&out)
	want := "Prog 1.2 — a test program\n\nusage: prog COMMAND [flags]\n\ncommands:\n" +
		"  alpha-long  the first\n  zeta        the last\n\nRun 'prog COMMAND -h' for a command's flags.\n"
	if out.String() != want {
		t.Fatalf("usage:\n%q\nwant\n%q", out.String(), want)
	}
}

func TestRunExitCodes(t *testing.T) {
	cases := []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{nil, 2, "", "usage: prog"},
		{[]string{"help"}, 0, "", "usage: prog"},
		{[]string{"version"}, 0, "prog 1.2\n", ""},
		{[]string{"nope"}, 2, "", `prog: unknown command "nope"`},
		{[]string{"zeta", "a", "b"}, 0, "", ""},
		{[]string{"alpha-long", "exit3"}, 3, "", "prog: three\n"},
		{[]string{"alpha-long", "quiet"}, 4, "", ""},
		{[]string{"alpha-long", "help"}, 2, "", ""},
		{[]string{"alpha-long", "other"}, 1, "", "prog: plain failure\n"},
	}
	for _, c := range cases {
		var ran []string
		var out, errb bytes.Buffer
		code := testProgram(&ran).Run(c.args, &out, &errb)
		if code != c.code || out.String() != c.stdout || !strings.Contains(errb.String(), c.stderr) || (c.stderr == "" && errb.Len() > 0) {
			t.Errorf("%v: exit %d stdout %q stderr %q; want %d %q %q", c.args, code, out.String(), errb.String(), c.code, c.stdout, c.stderr)
		}
		if c.args != nil && c.args[0] == "zeta" && (len(ran) != 1 || ran[0] != "zeta a b") {
			t.Errorf("zeta ran with %v", ran)
		}
	}
}

func TestParseSubcommandFlagsBeforeAndAfter(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	dir := fs.String("data-dir", "", "")
	all := fs.Bool("all", false, "")
	sub, rest, err := ParseSubcommand(fs, []string{"--all", "list", "--data-dir", "D", "id1", "id2"})
	if err != nil || sub != "list" || *dir != "D" || !*all || strings.Join(rest, ",") != "id1,id2" {
		t.Fatalf("sub %q rest %v dir %q all %v err %v", sub, rest, *dir, *all, err)
	}
	fs = flag.NewFlagSet("x", flag.ContinueOnError)
	var usage bytes.Buffer
	fs.SetOutput(&usage)
	fs.Usage = func() { fmt.Fprint(fs.Output(), "usage of x") }
	var ee *ExitError
	if _, _, err := ParseSubcommand(fs, nil); !errors.As(err, &ee) || ee.Code != 2 || usage.String() != "usage of x" {
		t.Fatalf("no sub-command: %v, usage %q", err, usage.String())
	}
}
