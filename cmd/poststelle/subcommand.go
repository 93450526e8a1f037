package main

import "flag"

// parseSubcommand parses the arguments of a command with sub-commands,
// `poststelle CMD [flags] SUB [flags] [ARGS...]`: flags may stand before or
// after the sub-command (quarantine list --data-dir D). It returns the
// sub-command and the arguments after the flags. Without a sub-command it
// prints fs.Usage and returns exit code 2.
func parseSubcommand(fs *flag.FlagSet, args []string) (sub string, rest []string, err error) {
	if err := fs.Parse(args); err != nil {
		return "", nil, err
	}
	if fs.NArg() < 1 {
		fs.Usage()
		return "", nil, &exitError{code: 2}
	}
	sub = fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return "", nil, err
	}
	return sub, fs.Args(), nil
}
