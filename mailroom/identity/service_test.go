package identity_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/identity"
	"poststelle/mailroom/store"
)

// cheap parameters keep fixtures fast; verification reads them from the hash.
var cheap = identity.Params{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func cheapHash(t *testing.T, pw string) string {
	t.Helper()
	h, err := cheap.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

type env struct {
	cfg  *mailroom.Config
	st   *store.Store
	svc  *identity.Service
	logs *bytes.Buffer
}

// newEnv makes a store in a temp dir with operators anna (pruefung) and dora
// (disabled), and the service over it; mod may change the configuration.
func newEnv(t *testing.T, mod func(*mailroom.Config)) *env {
	t.Helper()
	cfg, err := mailroom.Default(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if mod != nil {
		mod(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	for _, o := range []store.Operator{
		{Login: "anna", Name: "Anna Schmidt", Roles: []mailroom.Role{mailroom.RolePruefung}, PasswordHash: cheapHash(t, "anna-lokal-1")},
		{Login: "dora", Name: "Dora Aus", Roles: []mailroom.Role{mailroom.RoleFreigabe}, PasswordHash: cheapHash(t, "dora-lokal-1"), Disabled: true},
	} {
		if err := st.AddOperator(ctx, o, "test"); err != nil {
			t.Fatal(err)
		}
	}
	logs := &bytes.Buffer{}
	svc, err := identity.New(cfg, st, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	return &env{cfg, st, svc, logs}
}

// journal returns the entries of action with their detail decoded.
func (e *env) journal(t *testing.T, action string) []map[string]any {
	t.Helper()
	entries, err := e.st.Journal(context.Background(), mailroom.JournalFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, x := range entries {
		m := map[string]any{}
		json.Unmarshal([]byte(x.Detail), &m)
		m["_actor"] = x.Actor
		out = append(out, m)
	}
	return out
}

var desk = identity.Client{Address: "local", Via: "desk"}

func TestServiceLocalOperators(t *testing.T) {
	e := newEnv(t, func(c *mailroom.Config) {
		c.Operators = []mailroom.OperatorConfig{{Login: "Clara", Name: "Clara Conf", Roles: []string{"freigabe", "verwaltung"},
			PasswordHash: cheapHash(t, "clara-conf-1")}}
	})
	ctx := context.Background()
	if err := e.st.AddOperator(ctx, store.Operator{Login: "clara", PasswordHash: cheapHash(t, "clara-tabelle"),
		Roles: []mailroom.Role{mailroom.RoleErfassung}}, "test"); err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.Authenticate(ctx, "anna", "anna-lokal-1", desk)
	if err != nil {
		t.Fatal(err)
	}
	if p.Login != "anna" || p.Name != "Anna Schmidt" || !slices.Equal(p.Roles, []mailroom.Role{mailroom.RolePruefung}) || p.Method != mailroom.AuthLocal {
		t.Fatalf("anna: %+v", p)
	}
	// The configuration wins over the table for the same login; case does not matter.
	p, err = e.svc.Authenticate(ctx, "CLARA", "clara-conf-1", desk)
	if err != nil || p.Login != "Clara" || !p.Has(mailroom.RoleVerwaltung) || p.Has(mailroom.RoleErfassung) {
		t.Fatalf("clara from the configuration: %+v, %v", p, err)
	}
	failures := []struct{ login, pw, reason string }{
		{"anna", "falsch", "bad-password"},
		{"niemand", "anna-lokal-1", "unknown-user"},
		{"dora", "dora-lokal-1", "disabled"},
		{"clara", "clara-tabelle", "bad-password"},
		{"anna", "", "bad-password"},
	}
	for _, f := range failures {
		if _, err := e.svc.Authenticate(ctx, f.login, f.pw, desk); err != identity.ErrLogin {
			t.Errorf("%s/%q: %v, want ErrLogin (the person learns nothing more)", f.login, f.pw, err)
		}
	}
	failed := e.journal(t, "login-failed")
	if len(failed) != len(failures) {
		t.Fatalf("%d login-failed entries, want %d", len(failed), len(failures))
	}
	for i, f := range failures {
		if failed[i]["reason"] != f.reason || failed[i]["login"] != f.login || failed[i]["via"] != "desk" || failed[i]["_actor"] != "desk" {
			t.Errorf("entry %d: %v, want reason %s for %s via desk", i, failed[i], f.reason, f.login)
		}
	}
	ok := e.journal(t, "login")
	if len(ok) != 2 || ok[0]["_actor"] != "anna" || ok[0]["method"] != "local" || ok[1]["_actor"] != "Clara" {
		t.Fatalf("login entries %v", ok)
	}
	if req, _ := e.svc.PasswordRequired(ctx); !req {
		t.Fatal("operators exist but no password required")
	}
}

func TestServiceLegacyHashRefusedAtStart(t *testing.T) {
	cfg, _ := mailroom.Default(t.TempDir())
	cfg.Operators = []mailroom.OperatorConfig{{Login: "anna", Roles: []string{"pruefung"},
		PasswordHash: "sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"}}
	st, err := store.Open(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = identity.New(cfg, st, nil)
	var le *mailroom.LegacyPasswordError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "poststelle operator passwd anna") ||
		!strings.Contains(err.Error(), "Neues Passwort setzen") || !strings.Contains(err.Error(), "Set a new password") {
		t.Fatalf("legacy hash at start: %v", err)
	}
	if err := cfg.Validate(); !errors.As(err, &le) || le.Logins[0] != "anna" {
		t.Fatalf("Validate: %v, want a LegacyPasswordError for anna", err)
	}
}

// Local operators first, then the directory: a directory account cannot
// take over a local login; directory users log in with their groups' roles;
// an unreachable directory does not count as a failed login.
func TestServiceChainLocalThenDirectory(t *testing.T) {
	s := server(t)
	e := newEnv(t, func(c *mailroom.Config) { c.LDAP = directoryConfig(t, s) })
	ctx := context.Background()
	if _, err := e.svc.Authenticate(ctx, "anna", "anna-Passwort-1", desk); err != identity.ErrLogin {
		t.Fatalf("anna's directory password for the local anna: %v, want ErrLogin", err)
	}
	p, err := e.svc.Authenticate(ctx, "bert", "bert-Passwort-2", desk)
	if err != nil || p.Method != mailroom.AuthLDAP || !p.Has(mailroom.RoleFreigabe) {
		t.Fatalf("bert from the directory: %+v, %v", p, err)
	}
	if _, err := e.svc.Authenticate(ctx, "carl", "carl-Passwort-3", desk); !errors.Is(err, identity.ErrNoRole) {
		t.Fatalf("carl: %v, want ErrNoRoleLogin", err)
	}
	logins := e.journal(t, "login")
	if len(logins) != 1 || logins[0]["_actor"] != "bert" || logins[0]["method"] != "ldap" || logins[0]["roles"] != "erfassung,pruefung,freigabe" {
		t.Fatalf("login entries %v", logins)
	}

	down := newEnv(t, func(c *mailroom.Config) {
		c.LDAP = directoryConfig(t, s)
		c.LDAP.URLs = []string{"ldaps://127.0.0.1:1"}
		c.Login.ThrottleAfter = 1
	})
	for range 3 {
		if _, err := down.svc.Authenticate(ctx, "bert", "bert-Passwort-2", desk); !errors.Is(err, identity.ErrUnavailable) {
			t.Fatalf("directory down: %v, want ErrUnavailableLogin", err)
		}
	}
	f := down.journal(t, "login-failed")
	if len(f) != 3 || f[0]["reason"] != "directory-unavailable" || f[2]["wait"] != nil {
		t.Fatalf("directory down: entries %v (no throttling wait expected)", f)
	}
}

func TestServiceThrottle(t *testing.T) {
	e := newEnv(t, func(c *mailroom.Config) {
		c.Login.ThrottleAfter, c.Login.ThrottleAfterAddress = 2, 4
		c.Login.ThrottleDelay.Duration, c.Login.ThrottleMaxDelay.Duration = 400*time.Millisecond, time.Second
	})
	ctx := context.Background()
	from := identity.Client{Address: "10.1.1.1:5000", Via: "api"}
	for range 2 {
		if _, err := e.svc.Authenticate(ctx, "anna", "falsch", from); err != identity.ErrLogin {
			t.Fatal(err)
		}
	}
	if f := e.journal(t, "login-failed"); f[0]["wait"] != nil || f[1]["wait"] != "400ms" || f[1]["from"] != "10.1.1.1:5000" {
		t.Fatalf("failures %v: the second should impose 400ms", f)
	}
	// Even the right password is refused unchecked while the lock lasts.
	for range 2 {
		_, err := e.svc.Authenticate(ctx, "anna", "anna-lokal-1", from)
		var te *identity.ThrottledError
		if !errors.As(err, &te) || te.RetryAfter <= 0 || te.RetryAfter > 400*time.Millisecond {
			t.Fatalf("locked: %v", err)
		}
		if ie, ok := mailroom.AsInputError(err); !ok || !strings.Contains(ie.DE, "erneut versuchen") {
			t.Fatalf("throttled message: %v", err)
		}
	}
	if th := e.journal(t, "login-throttled"); len(th) != 1 || th[0]["login"] != "anna" || th[0]["_actor"] != "api" {
		t.Fatalf("login-throttled entries %v, want one per lock", th)
	}
	time.Sleep(450 * time.Millisecond)
	if _, err := e.svc.Authenticate(ctx, "anna", "anna-lokal-1", from); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
	// Per address: other logins from one address add up (2 for anna so far).
	for _, l := range []string{"x1", "x2"} {
		e.svc.Authenticate(ctx, l, "egal", identity.Client{Address: "10.1.1.1:6000", Via: "api"})
	}
	if _, err := e.svc.Authenticate(ctx, "x3", "egal", identity.Client{Address: "10.1.1.1:7000", Via: "api"}); !errors.As(err, new(*identity.ThrottledError)) {
		t.Fatalf("fifth failure from one address: %v, want throttled", err)
	}
	if _, err := e.svc.Authenticate(ctx, "anna", "anna-lokal-1", identity.Client{Address: "10.2.2.2:5000", Via: "api"}); err != nil {
		t.Fatalf("another address: %v", err)
	}
}

func TestThrottleExponentialBoundedForgotten(t *testing.T) {
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	th := identity.NewThrottle(identity.ThrottleConfig{After: 3, AfterAddress: 100, Delay: time.Second,
		MaxDelay: 8 * time.Second, Forget: time.Hour}, func() time.Time { return now })
	var got []time.Duration
	for range 7 {
		got = append(got, th.Fail("anna", "10.0.0.1"))
	}
	want := []time.Duration{0, 0, 1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
	if !slices.Equal(got, want) {
		t.Fatalf("waits %v, want %v", got, want)
	}
	if w, first := th.Wait("ANNA ", "10.0.0.9"); w != 8*time.Second || !first {
		t.Fatalf("wait %v first %v", w, first)
	}
	if _, first := th.Wait("anna", ""); first {
		t.Fatal("second refusal in one lock reported as first")
	}
	now = now.Add(9 * time.Second)
	if w, _ := th.Wait("anna", ""); w != 0 {
		t.Fatalf("after the lock: wait %v", w)
	}
	if w := th.Fail("anna", ""); w != 8*time.Second {
		t.Fatalf("failure after the lock: %v, want the bound 8s", w)
	}
	now = now.Add(2 * time.Hour)
	if w := th.Fail("anna", ""); w != 0 {
		t.Fatalf("after throttle_forget the count starts afresh: %v", w)
	}
	th.Fail("anna", "")
	th.Success("anna")
	if w := th.Fail("anna", ""); w != 0 {
		t.Fatalf("after a success the count starts afresh: %v", w)
	}
}

// Logins from several desks at once: each is journaled once, the journal's
// hash chain stays intact, and sessions do not mix.
func TestServiceConcurrentLogins(t *testing.T) {
	e := newEnv(t, func(c *mailroom.Config) { c.Login.ThrottleAfter, c.Login.ThrottleAfterAddress = 100, 100 })
	ctx := context.Background()
	const n = 8
	errs := make(chan error, 2*n)
	tokens := make(chan string, n)
	for i := range n {
		go func() {
			from := identity.Client{Address: "10.0.0." + string(rune('1'+i)), Via: "api"}
			token, _, err := e.svc.Login(ctx, "anna", "anna-lokal-1", from)
			errs <- err
			tokens <- token
			_, err = e.svc.Authenticate(ctx, "anna", "falsch", from)
			if err != identity.ErrLogin {
				errs <- err
			} else {
				errs <- nil
			}
		}()
	}
	seen := map[string]bool{}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		tok := <-tokens
		if seen[tok] {
			t.Fatal("one token issued twice")
		}
		seen[tok] = true
	}
	if l, f := e.journal(t, "login"), e.journal(t, "login-failed"); len(l) != n || len(f) != n {
		t.Fatalf("%d login, %d login-failed entries; want %d each", len(l), len(f), n)
	}
	if _, err := e.st.VerifyChain(ctx); err != nil {
		t.Fatal(err)
	}
}
