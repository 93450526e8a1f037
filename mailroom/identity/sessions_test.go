package identity_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/identity"
	"poststelle/mailroom/identity/ldaptest"
	"poststelle/mailroom/store"
)

func TestSessionLoginResolveLogout(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	from := identity.Client{Address: "10.0.0.7:40000", Via: "api"}
	token, x, err := e.svc.Login(ctx, "anna", "anna-lokal-1", from)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, identity.TokenPrefix) || len(token) < 40 || x.TokenHash != identity.HashToken(token) {
		t.Fatalf("token %q / session %+v", token, x)
	}
	got, err := e.svc.Resolve(ctx, token)
	if err != nil || got.Principal.Login != "anna" || !got.Principal.Has(mailroom.RolePruefung) || got.Client != from.Address {
		t.Fatalf("resolve: %+v, %v", got, err)
	}
	for _, bad := range []string{"", "pst_", token + "x", strings.TrimPrefix(token, identity.TokenPrefix), x.TokenHash} {
		if _, err := e.svc.Resolve(ctx, bad); err != identity.ErrUnauthenticated {
			t.Errorf("token %q: %v, want ErrUnauthenticated", bad, err)
		}
	}
	if err := e.svc.Logout(ctx, token, from); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Resolve(ctx, token); err != identity.ErrUnauthenticated {
		t.Fatalf("after logout: %v", err)
	}
	if err := e.svc.Logout(ctx, token, from); err != identity.ErrUnauthenticated {
		t.Fatalf("second logout: %v", err)
	}
	login, logout := e.journal(t, "login"), e.journal(t, "logout")
	if len(login) != 1 || login[0]["session"] != x.ID || login[0]["via"] != "api" || login[0]["from"] != from.Address {
		t.Fatalf("login entries %v", login)
	}
	if len(logout) != 1 || logout[0]["_actor"] != "anna" || logout[0]["session"] != x.ID {
		t.Fatalf("logout entries %v", logout)
	}
}

// Sessions live in the store: a new service over the reopened store (an
// engine restart) still knows the token.
func TestSessionSurvivesRestart(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	token, _, err := e.svc.Login(ctx, "anna", "anna-lokal-1", desk)
	if err != nil {
		t.Fatal(err)
	}
	e.st.Close()
	st, err := store.Open(e.cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := identity.New(e.cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if x, err := svc.Resolve(ctx, token); err != nil || x.Principal.Login != "anna" {
		t.Fatalf("after restart: %+v, %v", x, err)
	}
}

func TestSessionIdleAndAbsoluteExpiry(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	ss := identity.NewSessions(e.st, 10*time.Minute, time.Hour, func() time.Time { return now })
	anna := mailroom.Principal{Login: "anna", Roles: []mailroom.Role{mailroom.RolePruefung}, Method: mailroom.AuthLocal}

	idle, _, _ := ss.Create(ctx, anna, desk)
	now = now.Add(9 * time.Minute)
	if _, err := ss.Resolve(ctx, idle); err != nil {
		t.Fatalf("after 9 min: %v", err)
	}
	now = now.Add(9 * time.Minute) // 9 min after the last request
	if _, err := ss.Resolve(ctx, idle); err != nil {
		t.Fatalf("9 min after the last request: %v", err)
	}
	now = now.Add(10 * time.Minute)
	if _, err := ss.Resolve(ctx, idle); err != identity.ErrUnauthenticated {
		t.Fatalf("10 min idle: %v, want ErrUnauthenticated", err)
	}

	busy, _, _ := ss.Create(ctx, anna, desk)
	for range 11 { // a request every 5 minutes: never idle, 55 min
		now = now.Add(5 * time.Minute)
		if _, err := ss.Resolve(ctx, busy); err != nil {
			t.Fatalf("busy session at %s: %v", now, err)
		}
	}
	now = now.Add(5 * time.Minute)
	if _, err := ss.Resolve(ctx, busy); err != identity.ErrUnauthenticated {
		t.Fatalf("after session_max: %v", err)
	}

	// Sweep ends the sessions nobody asks for any more.
	a, _, _ := ss.Create(ctx, anna, desk)
	ss.Create(ctx, anna, identity.Client{Via: "api"})
	now = now.Add(11 * time.Minute)
	n, err := ss.Sweep(ctx)
	if err != nil || n != 2 {
		t.Fatalf("sweep: %d, %v; want 2", n, err)
	}
	if _, err := ss.Resolve(ctx, a); err != identity.ErrUnauthenticated {
		t.Fatalf("swept session: %v", err)
	}
	exp := e.journal(t, "session-expired")
	var reasons []string
	for _, x := range exp {
		reasons = append(reasons, x["reason"].(string))
	}
	if strings.Join(reasons, ",") != "idle,max,idle,idle" {
		t.Fatalf("session-expired reasons %v", reasons)
	}
}

// Disabling an operator, a new password or new roles end their sessions.
func TestSessionEndsWhenOperatorChanges(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	for _, change := range []func() (int, error){
		func() (int, error) { return e.st.SetOperatorDisabled(ctx, "anna", true, "admin") },
		func() (int, error) {
			return e.st.SetOperatorPassword(ctx, "anna", cheapHash(t, "anna-lokal-1"), "admin")
		},
		func() (int, error) { return e.st.SetOperatorRoles(ctx, "anna", mailroom.Roles(), "admin") },
	} {
		e.st.SetOperatorDisabled(ctx, "anna", false, "admin")
		token, _, err := e.svc.Login(ctx, "anna", "anna-lokal-1", desk)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := change(); n != 1 || err != nil {
			t.Fatalf("change: %d sessions ended, %v", n, err)
		}
		if _, err := e.svc.Resolve(ctx, token); err != identity.ErrUnauthenticated {
			t.Fatalf("session after the change: %v", err)
		}
	}
}

// No password, hash or token reaches the log, the journal or the database
// file: a whole run of logins, failures, throttling, a directory login and
// logouts is searched for each secret.
func TestNoSecretsInLogsJournalOrDatabase(t *testing.T) {
	s := server(t)
	e := newEnv(t, func(c *mailroom.Config) {
		c.LDAP = serviceAccount(t, s, directoryConfig(t, s))
		c.Login.ThrottleAfter = 2
	})
	ctx := context.Background()
	from := identity.Client{Address: "192.0.2.10:51000", Via: "api"}
	// raw: must not be anywhere; stored: by design in the database (the
	// token's hash, the operators' hashes) but in no log or journal.
	raw := []string{"anna-lokal-1", "falsch-geheim", "bert-Passwort-2", "fast-richtig-9", ldaptest.ServicePassword}
	var stored []string
	var tokens []string
	for _, c := range []struct{ login, pw string }{
		{"anna", "anna-lokal-1"}, {"anna", "falsch-geheim"}, {"anna", "falsch-geheim"}, {"anna", "anna-lokal-1"},
		{"bert", "bert-Passwort-2"}, {"bert", "fast-richtig-9"},
	} {
		if token, _, err := e.svc.Login(ctx, c.login, c.pw, from); err == nil {
			tokens = append(tokens, token)
		}
	}
	if len(tokens) != 2 {
		t.Fatalf("%d sessions, want 2 (anna, bert)", len(tokens))
	}
	for _, tok := range tokens {
		if _, err := e.svc.Resolve(ctx, tok); err != nil {
			t.Fatal(err)
		}
		e.svc.Logout(ctx, tok, from)
		raw = append(raw, tok, strings.TrimPrefix(tok, identity.TokenPrefix))
		stored = append(stored, identity.HashToken(tok))
	}
	ops, _ := e.st.Operators(ctx)
	for _, o := range ops {
		stored = append(stored, o.PasswordHash, strings.Split(o.PasswordHash, "$")[5])
	}
	entries, _ := e.st.Journal(ctx, mailroom.JournalFilter{})
	var journal strings.Builder
	for _, x := range entries {
		journal.WriteString(x.Actor + " " + x.Action + " " + x.Detail + "\n")
	}
	for _, want := range []string{"login-failed", "login-throttled", "logout", `"method":"ldap"`} {
		if !strings.Contains(journal.String(), want) {
			t.Fatalf("journal lacks %s — the run did not cover it:\n%s", want, journal.String())
		}
	}
	e.st.Close()
	var db []byte
	for _, f := range []string{"poststelle.db", "poststelle.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(e.cfg.DataDir, f))
		db = append(db, b...)
	}
	if len(db) == 0 {
		t.Fatal("database file not read")
	}
	for _, sec := range raw {
		if strings.Contains(string(db), sec) {
			t.Errorf("secret %.6s… in the database file", sec)
		}
	}
	for _, sec := range append(raw, stored...) {
		if strings.Contains(e.logs.String(), sec) {
			t.Errorf("secret %.6s… in the log", sec)
		}
		if strings.Contains(journal.String(), sec) {
			t.Errorf("secret %.6s… in the journal", sec)
		}
	}
	if !strings.Contains(e.logs.String(), `"msg":"login throttled"`) {
		t.Fatalf("the log lacks the throttling:\n%s", e.logs.String())
	}
}
