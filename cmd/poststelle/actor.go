package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"poststelle/cmd/internal/cli"
	"poststelle/mailroom"
	"poststelle/mailroom/identity"
	"poststelle/mailroom/store"
)

// How the command line proves who acts (docs/cli.md, "Who acts"):
//
//   - Without operators (no operator table entry, no [[operators]], no
//     [ldap]) there are no identities to prove, as on one PC with the
//     embedded desk: the name given (default: the OS user) acts with every
//     role, and the journal records the OS user who ran the command beside it.
//   - With operators, the person named must log in: the password comes from
//     --password-file (a file, or "-" for standard input) or is asked on the
//     terminal without echo. The login goes through mailroom/identity (local
//     operators and the directory, throttling, journaled as "login" with
//     via "cli"), and the engine checks the person's roles. No password, a
//     wrong one or a missing role ends the command with exit code 1 and a
//     message; nobody can act under another person's name.

// actorFlags are the flags of a command that acts on behalf of a person.
type actorFlags struct {
	name         string
	passwordFile string
	flagName     string
}

// add defines --NAME (the person) and --password-file. def is the default
// person ("" = none).
func (a *actorFlags) add(fs *flag.FlagSet, flagName, def, usage string) {
	a.flagName = flagName
	fs.StringVar(&a.name, flagName, def, usage)
	fs.StringVar(&a.passwordFile, "password-file", "", "with operators configured: the password of the person acting (file, - = stdin); else it is asked")
}

// actorStore is what resolving a person needs of the store.
type actorStore interface {
	identity.ServiceStore
}

var _ actorStore = (*store.Store)(nil)

// resolve returns the person acting, authenticated as described above.
func (a *actorFlags) resolve(ctx context.Context, cfg *mailroom.Config, st actorStore) (mailroom.Actor, error) {
	osUser := identity.OSUser()
	name := strings.TrimSpace(a.name)
	svc, err := identity.New(cfg, st, nil)
	if err != nil {
		return mailroom.Actor{}, err
	}
	need, err := svc.PasswordRequired(ctx)
	if err != nil {
		return mailroom.Actor{}, err
	}
	if !need {
		if name == "" {
			name = osUser.Login
		}
		return mailroom.Actor{Principal: mailroom.Principal{Login: name, Name: name, Roles: mailroom.Roles(), Method: mailroom.AuthOSUser},
			Via: mailroom.ViaCLI, From: osUser.Login}, nil
	}
	if name == "" {
		return mailroom.Actor{}, &cli.ExitError{Code: 1, Msg: fmt.Sprintf("Bearbeiter sind eingerichtet: --%s NAME angeben (Anmeldung mit Passwort) / "+
			"operators are configured: give --%s NAME (login with password)", a.flagName, a.flagName)}
	}
	pw, err := readLoginPassword(a.passwordFile, name)
	if err != nil {
		return mailroom.Actor{}, &cli.ExitError{Code: 1, Msg: err.Error()}
	}
	p, err := svc.Authenticate(ctx, name, pw, identity.Client{Address: "cli:" + osUser.Login, Via: string(mailroom.ViaCLI)})
	if err != nil {
		return mailroom.Actor{}, &cli.ExitError{Code: 1, Msg: clerkText(err)}
	}
	return mailroom.Actor{Principal: p, Via: mailroom.ViaCLI, From: osUser.Login}, nil
}

// clerkText is an error as a person reads it: German / English for an
// InputError (a refused login, a missing role), else the error.
func clerkText(err error) string {
	if ie, ok := mailroom.AsInputError(err); ok {
		return ie.DE + " / " + ie.EN
	}
	return err.Error()
}

// readLoginPassword reads the password of login from file ("-": standard
// input) or asks it once on the terminal without echo.
func readLoginPassword(file, login string) (string, error) {
	switch {
	case file == "-":
		b, err := io.ReadAll(io.LimitReader(os.Stdin, 4096))
		if err != nil {
			return "", err
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("--password-file: %w", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", errors.New("Anmeldung nötig, aber kein Terminal: --password-file angeben / login needed but no terminal: give --password-file")
	}
	fmt.Fprintf(os.Stderr, "Passwort für / password for %s: ", login)
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", fmt.Errorf("abgebrochen / cancelled: %w", err)
	}
	return string(b), nil
}

// forbidden turns the engine's refusal into the command's exit: code 1
// with the German / English message.
func forbidden(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := mailroom.AsInputError(err); ok {
		return &cli.ExitError{Code: 1, Msg: clerkText(err)}
	}
	return err
}
