package identity_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/identity"
	"poststelle/mailroom/identity/ldaptest"
)

// The people of the test directory.
var directoryUsers = []ldaptest.User{
	{UID: "anna", Name: "Anna Schmidt", Password: "anna-Passwort-1", Groups: []string{"Poststelle-Pruefung"}},
	{UID: "bert", Name: "Bert Meier", Password: "bert-Passwort-2", Groups: []string{"Poststelle-Erfassung", "Poststelle-Freigabe"}},
	{UID: "carl", Name: "Carl Ohnerolle", Password: "carl-Passwort-3", Groups: []string{"Kantine"}},
}

// server starts a slapd with the test people for one test.
func server(t *testing.T) *ldaptest.Server {
	t.Helper()
	return ldaptest.Start(t, directoryUsers...)
}

// directoryConfig is [ldap] for the test server: LDAPS, bind by DN
// template, groups from memberOf; the group rules mix a full DN in other
// case and spacing, and a bare CN.
func directoryConfig(t *testing.T, s *ldaptest.Server) mailroom.LDAPConfig {
	t.Helper()
	cfg, err := mailroom.Default(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	l := cfg.LDAP
	l.URLs = []string{s.LDAPSURL}
	l.CAFile = s.CAFile
	l.BindTemplate = "uid={login}," + ldaptest.PeopleDN
	l.BaseDN = ldaptest.BaseDN
	l.Groups = []mailroom.LDAPGroupRoles{
		{Group: "CN=Poststelle-Pruefung, OU=Groups, DC=Poststelle, DC=Test", Roles: []string{"pruefung"}},
		{Group: "Poststelle-Erfassung", Roles: []string{"erfassung"}},
		{Group: "cn=Poststelle-Freigabe," + ldaptest.GroupsDN, Roles: []string{"freigabe", "pruefung"}},
	}
	return l
}

// serviceAccount switches the config to StartTLS, a service-account search
// and a group search.
func serviceAccount(t *testing.T, s *ldaptest.Server, l mailroom.LDAPConfig) mailroom.LDAPConfig {
	pw := filepath.Join(t.TempDir(), "bind.secret")
	os.WriteFile(pw, []byte(ldaptest.ServicePassword+"\n"), 0o600)
	l.URLs = []string{s.LDAPURL}
	l.StartTLS = true
	l.BindTemplate = ""
	l.BindDN = ldaptest.ServiceDN
	l.BindPasswordFile = pw
	l.GroupAttribute = ""
	l.GroupBaseDN = ldaptest.GroupsDN
	return l
}

func newDirectory(t *testing.T, l mailroom.LDAPConfig) *identity.Directory {
	t.Helper()
	d, err := identity.NewDirectory(l)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDirectoryLDAPSTemplateMemberOf(t *testing.T) {
	s := server(t)
	d := newDirectory(t, directoryConfig(t, s))
	checkDirectory(t, d, false)
}

func TestDirectoryStartTLSServiceAccountGroupSearch(t *testing.T) {
	s := server(t)
	d := newDirectory(t, serviceAccount(t, s, directoryConfig(t, s)))
	checkDirectory(t, d, true)
}

// checkDirectory runs the cases both binding modes share.
func checkDirectory(t *testing.T, d *identity.Directory, search bool) {
	t.Helper()
	ctx := context.Background()
	p, err := d.Authenticate(ctx, "Bert", "bert-Passwort-2")
	if err != nil {
		t.Fatal(err)
	}
	want := []mailroom.Role{mailroom.RoleErfassung, mailroom.RolePruefung, mailroom.RoleFreigabe}
	if p.Login != "bert" || p.Name != "Bert Meier" || !slices.Equal(p.Roles, want) || p.Method != mailroom.AuthLDAP {
		t.Fatalf("bert: %+v, want login bert, name Bert Meier, roles %v, method ldap", p, want)
	}
	p, err = d.Authenticate(ctx, "anna", "anna-Passwort-1")
	if err != nil || !slices.Equal(p.Roles, []mailroom.Role{mailroom.RolePruefung}) {
		t.Fatalf("anna (group rule by full DN in other case): %+v, %v", p, err)
	}
	if _, err := d.Authenticate(ctx, "anna", "falsch"); !errors.Is(err, identity.ErrBadPassword) {
		t.Fatalf("wrong password: %v, want ErrBadPassword", err)
	}
	if _, err := d.Authenticate(ctx, "anna", ""); !errors.Is(err, identity.ErrBadPassword) {
		t.Fatalf("empty password (an unauthenticated bind would succeed): %v", err)
	}
	if _, err := d.Authenticate(ctx, "carl", "carl-Passwort-3"); !errors.Is(err, identity.ErrNoRole) {
		t.Fatalf("carl is in no mapped group: %v, want ErrNoRole", err)
	}
	_, err = d.Authenticate(ctx, "niemand", "egal-Passwort")
	if search && !errors.Is(err, identity.ErrUnknownUser) {
		t.Fatalf("unknown user with a search: %v, want ErrUnknownUser", err)
	}
	if !search && !errors.Is(err, identity.ErrBadPassword) {
		t.Fatalf("unknown user with a bind template: %v, want ErrBadPassword", err)
	}
	for _, evil := range []string{"*", "anna)(uid=*", "anna,ou=x", `anna\2a`} {
		if _, err := d.Authenticate(ctx, evil, "anna-Passwort-1"); !errors.Is(err, identity.ErrUnknownUser) {
			t.Fatalf("login %q with filter/DN syntax: %v, want ErrUnknownUser", evil, err)
		}
	}
}

// A server certificate that does not chain to ldap.ca_file, or that does
// not name the host, is refused — for LDAPS and for StartTLS — and the
// password is not sent.
func TestDirectoryCertificateVerification(t *testing.T) {
	s := server(t)
	ctx := context.Background()
	cases := map[string]func(l *mailroom.LDAPConfig){
		"ldaps wrong CA":     func(l *mailroom.LDAPConfig) { l.CAFile = s.OtherCAFile },
		"ldaps wrong name":   func(l *mailroom.LDAPConfig) { l.ServerName = "ldap.example.org" },
		"ldaps system roots": func(l *mailroom.LDAPConfig) { l.CAFile = "" },
		"starttls wrong CA": func(l *mailroom.LDAPConfig) {
			l.URLs, l.StartTLS, l.CAFile = []string{s.LDAPURL}, true, s.OtherCAFile
		},
	}
	before := strings.Count(s.Log(), "BIND dn=")
	for name, mod := range cases {
		l := directoryConfig(t, s)
		mod(&l)
		d := newDirectory(t, l)
		_, err := d.Authenticate(ctx, "anna", "anna-Passwort-1")
		if !errors.Is(err, identity.ErrUnavailable) || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("%s: %v, want ErrUnavailable naming the certificate", name, err)
		}
	}
	if after := strings.Count(s.Log(), "BIND dn="); after != before {
		t.Errorf("slapd saw %d binds over connections with a refused certificate", after-before)
	}
	// The right CA on the StartTLS port works.
	l := directoryConfig(t, s)
	l.URLs, l.StartTLS = []string{s.LDAPURL}, true
	if _, err := newDirectory(t, l).Authenticate(ctx, "anna", "anna-Passwort-1"); err != nil {
		t.Fatalf("StartTLS with the right CA: %v", err)
	}
}

// Plain ldap:// without StartTLS is refused by the configuration.
func TestDirectoryPlainLDAPRefused(t *testing.T) {
	l := mailroom.LDAPConfig{URLs: []string{"ldap://127.0.0.1:389"}, Timeout: mailroom.Duration{Duration: 1e9},
		BindTemplate: "uid={login},dc=x", BaseDN: "dc=x", UserFilter: "(uid={login})", GroupAttribute: "memberOf",
		Groups: []mailroom.LDAPGroupRoles{{Group: "g", Roles: []string{"pruefung"}}}}
	if _, err := identity.NewDirectory(l); err == nil || !strings.Contains(err.Error(), "start_tls") {
		t.Fatalf("plain LDAP: %v, want a refusal naming start_tls", err)
	}
	l.StartTLS = true
	if _, err := identity.NewDirectory(l); err != nil {
		t.Fatalf("with StartTLS: %v", err)
	}
}

// Unreachable servers are tried in order; the first that answers is used.
func TestDirectoryFailover(t *testing.T) {
	s := server(t)
	l := directoryConfig(t, s)
	l.URLs = []string{"ldaps://127.0.0.1:1", s.LDAPSURL}
	if _, err := newDirectory(t, l).Authenticate(context.Background(), "anna", "anna-Passwort-1"); err != nil {
		t.Fatalf("second server: %v", err)
	}
	l.URLs = []string{"ldaps://127.0.0.1:1"}
	if _, err := newDirectory(t, l).Authenticate(context.Background(), "anna", "anna-Passwort-1"); !errors.Is(err, identity.ErrUnavailable) {
		t.Fatalf("no server: %v, want ErrUnavailable", err)
	}
}
