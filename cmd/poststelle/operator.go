package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"unicode"

	"golang.org/x/term"

	"poststelle/cmd/internal/cli"
	"poststelle/mailroom"
	"poststelle/mailroom/identity"
	"poststelle/mailroom/store"
)

func init() {
	register("operator", "manage local operators: add, list, passwd, roles, disable, enable, hash", runOperator)
}

// minPassword is the shortest password `operator` accepts.
const minPassword = 10

type operatorFlags struct {
	configFlags
	roles, name, passwordFile string
	asJSON                    bool
}

func runOperator(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("operator", flag.ContinueOnError)
	var of operatorFlags
	of.Add(fs)
	fs.StringVar(&of.roles, "role", "", "roles, comma-separated: erfassung, pruefung, freigabe, verwaltung")
	fs.StringVar(&of.name, "name", "", "display name (add; default: the login)")
	fs.StringVar(&of.passwordFile, "password-file", "", "read the password from this file (\"-\": standard input); default: prompt")
	fs.BoolVar(&of.asJSON, "json", false, "list as JSON lines")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: poststelle operator [flags] add NAME --role ROLE[,ROLE…] [--name \"Vorname Name\"] [--password-file F]\n"+
			"       poststelle operator [flags] list | passwd NAME | roles NAME --role … | disable NAME | enable NAME | hash\n")
		fs.PrintDefaults()
	}
	sub, rest, err := cli.ParseSubcommand(fs, args)
	if err != nil {
		return err
	}
	var login string
	if sub != "list" && sub != "hash" {
		if len(rest) < 1 {
			fs.Usage()
			return &cli.ExitError{Code: 2}
		}
		// Flags may also follow the name: operator add anna --role pruefung.
		login = rest[0]
		if err := fs.Parse(rest[1:]); err != nil {
			return err
		}
		rest = fs.Args()
	}
	if len(rest) > 0 {
		return &cli.ExitError{Code: 2, Msg: fmt.Sprintf("operator %s: unexpected argument %q", sub, rest[0])}
	}
	if sub == "hash" {
		return operatorHash(of)
	}
	cfg, err := of.Load()
	var legacy *mailroom.LegacyPasswordError
	if errors.As(err, &legacy) {
		// Everything else is valid; this command is how the hashes are fixed.
		de, en := legacy.Texts()
		fmt.Fprintf(os.Stderr, "Hinweis: %s\nNote: %s\n", de, en)
	} else if err != nil {
		return err
	}
	st, err := store.Open(cfg.DataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	oc := &operatorCmd{cfg: cfg, st: st, flags: of, actor: identity.OSUser().Login}
	switch sub {
	case "add":
		return oc.add(ctx, login)
	case "list":
		return oc.list(ctx, os.Stdout)
	case "passwd":
		return oc.passwd(ctx, login)
	case "roles":
		return oc.setRoles(ctx, login)
	case "disable", "enable":
		return oc.setDisabled(ctx, login, sub == "disable")
	}
	fs.Usage()
	return &cli.ExitError{Code: 2, Msg: fmt.Sprintf("operator: unknown sub-command %q", sub)}
}

// operatorCmd carries what the sub-commands share.
type operatorCmd struct {
	cfg   *mailroom.Config
	st    *store.Store
	flags operatorFlags
	actor string // the OS user, journaled as who acted
}

func (oc *operatorCmd) add(ctx context.Context, login string) error {
	if err := checkNewLogin(login); err != nil {
		return err
	}
	if _, ok := oc.configured(login); ok {
		return fmt.Errorf("Bearbeiter %s steht schon in der Konfiguration ([[operators]]) / operator %s is already in the configuration", login, login)
	}
	roles, err := mailroom.ParseRoles(oc.flags.roles)
	if err != nil {
		return &cli.ExitError{Code: 2, Msg: err.Error()}
	}
	if len(roles) == 0 {
		return &cli.ExitError{Code: 2, Msg: "operator add: --role is required (erfassung, pruefung, freigabe, verwaltung)"}
	}
	h, err := newPasswordHash(oc.flags.passwordFile)
	if err != nil {
		return err
	}
	name := oc.flags.name
	if name == "" {
		name = login
	}
	err = oc.st.AddOperator(ctx, store.Operator{Login: login, Name: name, Roles: roles, PasswordHash: h}, oc.actor)
	if errors.Is(err, store.ErrOperatorExists) {
		return fmt.Errorf("Bearbeiter %s gibt es schon (Passwort ändern: poststelle operator passwd %s) / operator %s exists", login, login, login)
	}
	if err != nil {
		return err
	}
	fmt.Printf("Bearbeiter %s angelegt (Rollen: %s) / operator %s added\n", login, mailroom.JoinRoles(roles), login)
	return nil
}

// operatorRow is one line of `operator list`; there is no hash in it.
type operatorRow struct {
	Login    string `json:"login"`
	Name     string `json:"name"`
	Roles    string `json:"roles"`
	Disabled bool   `json:"disabled"`
	Source   string `json:"source"` // table, config
	Hash     string `json:"hash"`   // the scheme only: argon2id, sha256 (outdated)
	Changed  string `json:"changed,omitempty"`
}

func (oc *operatorCmd) list(ctx context.Context, w io.Writer) error {
	var rows []operatorRow
	for _, o := range oc.cfg.Operators {
		rows = append(rows, operatorRow{Login: o.Login, Name: o.Name, Roles: strings.Join(o.Roles, ","),
			Source: "config", Hash: hashScheme(o.PasswordHash)})
	}
	ops, err := oc.st.Operators(ctx)
	if err != nil {
		return err
	}
	for _, o := range ops {
		rows = append(rows, operatorRow{Login: o.Login, Name: o.Name, Roles: mailroom.JoinRoles(o.Roles), Disabled: o.Disabled,
			Source: "table", Hash: hashScheme(o.PasswordHash), Changed: o.ChangedAt.Local().Format("2006-01-02 15:04")})
	}
	if oc.flags.asJSON {
		enc := json.NewEncoder(w)
		for _, r := range rows {
			enc.Encode(r)
		}
		return nil
	}
	if len(rows) == 0 {
		fmt.Fprintln(w, "Keine Bearbeiter: Anmeldung als Systembenutzer mit allen Rollen / no operators: the OS user holds every role")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOGIN\tNAME\tROLLEN/ROLES\tSTATUS\tQUELLE/SOURCE\tHASH\tGEÄNDERT/CHANGED")
	for _, r := range rows {
		status := "aktiv"
		if r.Disabled {
			status = "gesperrt/disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Login, r.Name, r.Roles, status, r.Source, r.Hash, r.Changed)
	}
	return tw.Flush()
}

func hashScheme(h string) string {
	switch {
	case strings.HasPrefix(h, mailroom.LegacyHashPrefix):
		return "sha256 (veraltet/outdated)"
	case identity.CheckHash(h) == nil:
		return "argon2id"
	}
	return "ungültig/invalid"
}

func (oc *operatorCmd) passwd(ctx context.Context, login string) error {
	if o, ok := oc.configured(login); ok {
		return oc.passwdConfig(o)
	}
	if _, err := oc.st.Operator(ctx, strings.ToLower(login)); err != nil {
		return notFound(login, err)
	}
	h, err := newPasswordHash(oc.flags.passwordFile)
	if err != nil {
		return err
	}
	n, err := oc.st.SetOperatorPassword(ctx, strings.ToLower(login), h, oc.actor)
	if err != nil {
		return err
	}
	fmt.Printf("Passwort von %s geändert, %d Sitzung(en) beendet / password of %s changed, %d session(s) ended\n", login, n, login, n)
	return nil
}

// passwdConfig sets a new password for an operator of the configuration
// file: the old hash is replaced in the file where it stands exactly once,
// else the line to put there is printed.
func (oc *operatorCmd) passwdConfig(o mailroom.OperatorConfig) error {
	h, err := newPasswordHash(oc.flags.passwordFile)
	if err != nil {
		return err
	}
	path := oc.cfg.Path()
	if err := replaceInConfig(path, o.PasswordHash, h); err != nil {
		fmt.Fprintf(os.Stderr, "Konfiguration nicht geändert / configuration not changed: %v\n", err)
		fmt.Printf("In [[operators]] bei login = %q eintragen / put into [[operators]] for login = %q:\npassword_hash = %q\n", o.Login, o.Login, h)
		return nil
	}
	fmt.Printf("Passwort von %s in %s geändert (argon2id); Engine und Arbeitsplätze neu starten / "+
		"password of %s changed in %s; restart the engine and desks\n", o.Login, path, o.Login, path)
	return nil
}

// replaceInConfig replaces the quoted old hash by the new one in the
// configuration file, in place (owner and mode stay), and checks that the
// file still loads; on failure the old content is written back.
func replaceInConfig(path, old, new string) error {
	if path == "" {
		return errors.New("no configuration file (--config)")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	quoted := []byte(`"` + old + `"`)
	if old == "" || bytes.Count(data, quoted) != 1 {
		return fmt.Errorf("the old password_hash does not stand exactly once in %s", path)
	}
	changed := bytes.Replace(data, quoted, []byte(`"`+new+`"`), 1)
	if err := writeInPlace(path, changed); err != nil {
		return err
	}
	if _, err := mailroom.Load(path, ""); err != nil {
		var le *mailroom.LegacyPasswordError
		if !errors.As(err, &le) { // other operators may still have old hashes
			writeInPlace(path, data)
			return fmt.Errorf("the changed file does not load (%v); the old content is back", err)
		}
	}
	return nil
}

func writeInPlace(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (oc *operatorCmd) setRoles(ctx context.Context, login string) error {
	if _, ok := oc.configured(login); ok {
		return configOnly(login)
	}
	roles, err := mailroom.ParseRoles(oc.flags.roles)
	if err != nil || len(roles) == 0 {
		return &cli.ExitError{Code: 2, Msg: fmt.Sprintf("operator roles: --role: %v", orText(err, "at least one role"))}
	}
	n, err := oc.st.SetOperatorRoles(ctx, strings.ToLower(login), roles, oc.actor)
	if err != nil {
		return notFound(login, err)
	}
	fmt.Printf("Rollen von %s: %s, %d Sitzung(en) beendet / roles of %s set, %d session(s) ended\n", login, mailroom.JoinRoles(roles), n, login, n)
	return nil
}

func (oc *operatorCmd) setDisabled(ctx context.Context, login string, disabled bool) error {
	if _, ok := oc.configured(login); ok {
		return configOnly(login)
	}
	n, err := oc.st.SetOperatorDisabled(ctx, strings.ToLower(login), disabled, oc.actor)
	if err != nil {
		return notFound(login, err)
	}
	if disabled {
		fmt.Printf("Bearbeiter %s gesperrt, %d Sitzung(en) beendet / operator %s disabled, %d session(s) ended\n", login, n, login, n)
	} else {
		fmt.Printf("Bearbeiter %s entsperrt / operator %s enabled\n", login, login)
	}
	return nil
}

// operatorHash prints an argon2id hash for password_hash in [[operators]].
func operatorHash(of operatorFlags) error {
	h, err := newPasswordHash(of.passwordFile)
	if err != nil {
		return err
	}
	fmt.Printf("password_hash = %q\n", h)
	return nil
}

// maskOperatorHashes hides the password hashes of [[operators]] before the
// configuration is printed (`poststelle config`).
func maskOperatorHashes(cfg *mailroom.Config) {
	for i := range cfg.Operators {
		if cfg.Operators[i].PasswordHash != "" {
			cfg.Operators[i].PasswordHash = "(verborgen / hidden: " + hashScheme(cfg.Operators[i].PasswordHash) + ")"
		}
	}
}

// configured returns the operator of [[operators]] with this login (case
// does not matter).
func (oc *operatorCmd) configured(login string) (mailroom.OperatorConfig, bool) {
	for _, o := range oc.cfg.Operators {
		if strings.EqualFold(o.Login, login) {
			return o, true
		}
	}
	return mailroom.OperatorConfig{}, false
}

func configOnly(login string) error {
	return fmt.Errorf("Bearbeiter %s steht in der Konfiguration ([[operators]]): dort ändern / "+
		"operator %s is in the configuration file: change it there", login, login)
}

func notFound(login string, err error) error {
	if errors.Is(err, store.ErrNoOperator) {
		return fmt.Errorf("Bearbeiter %s gibt es nicht (poststelle operator list) / no operator %s", login, login)
	}
	return err
}

func orText(err error, s string) string {
	if err != nil {
		return err.Error()
	}
	return s
}

// checkNewLogin admits lower-case logins of letters, digits and ". _ - @",
// at most 64 characters: the name recorded in the journal and compared by
// the four-eyes rule.
func checkNewLogin(login string) error {
	ok := login != "" && len(login) <= 64
	for _, r := range login {
		if unicode.IsUpper(r) || !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-@", r)) {
			ok = false
		}
	}
	if !ok {
		return &cli.ExitError{Code: 2, Msg: fmt.Sprintf("Login %q: nur Kleinbuchstaben, Ziffern und . _ - @, höchstens 64 Zeichen / "+
			"only lower-case letters, digits and . _ - @, at most 64 characters", login)}
	}
	return nil
}

// newPasswordHash reads a new password (readNewPassword) and hashes it.
func newPasswordHash(file string) (string, error) {
	pw, err := readNewPassword(file)
	if err != nil {
		return "", err
	}
	return identity.HashPassword(pw)
}

// readNewPassword reads the password from a file ("-": standard input) or,
// without one, prompts twice on the terminal without echo.
func readNewPassword(file string) (string, error) {
	var pw string
	switch {
	case file == "-":
		b, err := io.ReadAll(io.LimitReader(os.Stdin, 4096))
		if err != nil {
			return "", err
		}
		pw = strings.TrimRight(string(b), "\r\n")
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("--password-file: %w", err)
		}
		pw = strings.TrimRight(string(b), "\r\n")
	default:
		var err error
		if pw, err = promptPassword(); err != nil {
			return "", err
		}
	}
	if len([]rune(pw)) < minPassword {
		return "", fmt.Errorf("das Passwort ist kürzer als %d Zeichen / the password is shorter than %d characters", minPassword, minPassword)
	}
	return pw, nil
}

// promptPassword asks twice. The terminal stays without echo for both
// prompts (raw mode, x/term's line editor), so nothing typed ahead is shown.
func promptPassword() (string, error) {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", errors.New("kein Terminal: --password-file angeben / no terminal: give --password-file")
	}
	old, err := term.MakeRaw(fd)
	if err != nil {
		return "", err
	}
	defer term.Restore(fd, old)
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{os.Stdin, os.Stderr}, "")
	a, err := t.ReadPassword("Neues Passwort / new password: ")
	if err != nil {
		return "", fmt.Errorf("abgebrochen / cancelled: %w", err)
	}
	b, err := t.ReadPassword("Wiederholen / repeat: ")
	if err != nil {
		return "", fmt.Errorf("abgebrochen / cancelled: %w", err)
	}
	if a != b {
		return "", errors.New("die Passwörter stimmen nicht überein / the passwords differ")
	}
	return a, nil
}
