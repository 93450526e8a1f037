package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/identity"
	"poststelle/mailroom/store"
)

func secretFile(t *testing.T, pw string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(p, []byte(pw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// login checks a password through the identity layer over the data dir.
func login(t *testing.T, cfg *mailroom.Config, user, pw string) (mailroom.Principal, error) {
	t.Helper()
	st, err := store.Open(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := identity.New(cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	return svc.Authenticate(context.Background(), user, pw, identity.Client{Via: "test"})
}

func TestOperatorCommands(t *testing.T) {
	bin := binary(t)
	data := t.TempDir()
	dd := "--data-dir=" + data
	pw1, pw2 := secretFile(t, "erstes-Passwort-1"), secretFile(t, "zweites-Passwort-2")
	out, errOut, code := run(t, bin, "operator", "add", "anna", "--role", "pruefung,Freigabe", "--name", "Anna Schmidt", "--password-file", pw1, dd)
	if code != 0 || !strings.Contains(out, "angelegt") {
		t.Fatalf("add: %d %s %s", code, out, errOut)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"add", "anna", "--role", "pruefung", "--password-file", pw1}, "gibt es schon"},
		{[]string{"add", "bert", "--role", "chef", "--password-file", pw1}, `unknown role "chef"`},
		{[]string{"add", "bert", "--password-file", pw1}, "--role is required"},
		{[]string{"add", "Bert", "--role", "pruefung", "--password-file", pw1}, "Kleinbuchstaben"},
		{[]string{"add", "bert", "--role", "pruefung", "--password-file", secretFile(t, "kurz")}, "kürzer als 10"},
		{[]string{"add", "bert", "--role", "pruefung"}, "kein Terminal"},
		{[]string{"passwd", "niemand", "--password-file", pw1}, "gibt es nicht"},
	} {
		_, errOut, code := run(t, bin, append(append([]string{"operator"}, c.args...), dd)...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, %q; want a failure saying %q", c.args, code, errOut, c.want)
		}
	}
	if _, e, code := run(t, bin, "operator", "passwd", "anna", "--password-file", pw2, dd); code != 0 {
		t.Fatalf("passwd: %s", e)
	}
	if _, e, code := run(t, bin, "operator", "disable", "anna", dd); code != 0 {
		t.Fatalf("disable: %s", e)
	}
	out, _, _ = run(t, bin, "operator", "list", "--json", dd)
	rows := jsonLines(t, out)
	if len(rows) != 1 || rows[0]["login"] != "anna" || rows[0]["roles"] != "pruefung,freigabe" || rows[0]["disabled"] != true || rows[0]["hash"] != "argon2id" {
		t.Fatalf("list: %v", rows)
	}
	if strings.Contains(out, "$argon2id$") {
		t.Fatal("list prints the hash")
	}
	cfg, _ := mailroom.Default(data)
	if _, err := login(t, cfg, "anna", "zweites-Passwort-2"); err == nil {
		t.Fatal("disabled operator logged in")
	}
	run(t, bin, "operator", "enable", "anna", dd)
	if _, err := login(t, cfg, "anna", "erstes-Passwort-1"); err == nil {
		t.Fatal("the old password still works")
	}
	p, err := login(t, cfg, "anna", "zweites-Passwort-2")
	if err != nil || p.Name != "Anna Schmidt" || !p.Has(mailroom.RoleFreigabe) {
		t.Fatalf("login after passwd: %+v, %v", p, err)
	}
	st, _ := store.Open(data)
	entries, _ := st.Journal(context.Background(), mailroom.JournalFilter{Text: "operator-"})
	st.Close()
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, ",") != "operator-added,operator-password,operator-disabled,operator-enabled" {
		t.Fatalf("journal %v", actions)
	}
}

// An old sha256 hash in [[operators]] stops every command with the way out;
// `operator passwd NAME` replaces it in the file; `config` then prints no hash.
func TestOperatorLegacyHashPasswdAndConfigMasked(t *testing.T) {
	bin := binary(t)
	data := t.TempDir()
	conf := filepath.Join(t.TempDir(), "poststelle.toml")
	body := "data_dir = " + `"` + data + `"` + `
[[operators]]
login = "anna"
name = "Anna Schmidt"
password_hash = "sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
roles = ["pruefung"]
`
	os.WriteFile(conf, []byte(body), 0o640)
	_, errOut, code := run(t, bin, "status", "--config", conf)
	if code == 0 || !strings.Contains(errOut, "poststelle operator passwd anna") || !strings.Contains(errOut, "Neues Passwort") {
		t.Fatalf("status with a sha256 hash: exit %d, %s", code, errOut)
	}
	out, errOut, code := run(t, bin, "operator", "passwd", "anna", "--password-file", secretFile(t, "neues-Passwort-3"), "--config", conf)
	if code != 0 || !strings.Contains(out, "geändert") {
		t.Fatalf("passwd: %d %s %s", code, out, errOut)
	}
	fi, _ := os.Stat(conf)
	if fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode of the configuration changed to %v", fi.Mode())
	}
	cfg, err := mailroom.Load(conf, "")
	if err != nil {
		t.Fatalf("after passwd: %v", err)
	}
	if !strings.HasPrefix(cfg.Operators[0].PasswordHash, "$argon2id$") {
		t.Fatalf("hash %q", cfg.Operators[0].PasswordHash)
	}
	if p, err := login(t, cfg, "anna", "neues-Passwort-3"); err != nil || p.Login != "anna" {
		t.Fatalf("login with the new password: %+v, %v", p, err)
	}
	out, errOut, code = run(t, bin, "config", "--config", conf)
	if code != 0 || strings.Contains(out, "$argon2id$") || !strings.Contains(out, "verborgen") {
		t.Fatalf("config: exit %d %s\n%s", code, errOut, out)
	}
	out, _, _ = run(t, bin, "operator", "list", "--config", conf)
	if !strings.Contains(out, "anna") || !strings.Contains(out, "config") {
		t.Fatalf("list: %s", out)
	}
}

// Without --password-file the password is asked twice on the terminal and
// not echoed (script(1) gives the command a terminal).
func TestOperatorPasswordPrompt(t *testing.T) {
	bin := binary(t)
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) not found (bsdutils)")
	}
	data := t.TempDir()
	cmd := exec.Command(script, "-qec", bin+" operator add carl --role erfassung --data-dir "+data, "/dev/null")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Type only once the prompt stands (echo is off by then), as a person would.
	var out strings.Builder
	buf := make([]byte, 4096)
	for _, prompt := range []string{"Neues Passwort", "Wiederholen", "angelegt"} {
		for !strings.Contains(out.String(), prompt) {
			n, err := stdout.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				t.Fatalf("waiting for %q: %v; output %q", prompt, err, out.String())
			}
		}
		if prompt != "angelegt" {
			stdin.Write([]byte("Terminal-Passwort-4\n"))
		}
	}
	stdin.Close()
	io.Copy(&out, stdout)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if strings.Contains(out.String(), "Terminal-Passwort-4") {
		t.Fatalf("the password was echoed: %q", out.String())
	}
	cfg, _ := mailroom.Default(data)
	if _, err := login(t, cfg, "carl", "Terminal-Passwort-4"); err != nil {
		t.Fatalf("login with the prompted password: %v", err)
	}
}
