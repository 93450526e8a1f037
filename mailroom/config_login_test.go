package mailroom

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

const argonHash = "$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"

func TestLoginAndLDAPDefaults(t *testing.T) {
	c, err := Default(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if c.Login.SessionIdle.Duration != 30*time.Minute || c.Login.SessionMax.Duration != 12*time.Hour ||
		c.Login.ThrottleAfter != 3 || c.Login.ThrottleMaxDelay.Duration != 5*time.Minute {
		t.Fatalf("[login] defaults %+v", c.Login)
	}
	if c.LDAP.Enabled() || c.LDAP.GroupAttribute != "memberOf" || c.LDAP.Timeout.Duration != 10*time.Second {
		t.Fatalf("[ldap] defaults %+v", c.LDAP)
	}
	for _, want := range []string{"[login]", "[ldap]", "# [[ldap.groups]]", "# [[operators]]"} {
		if !strings.Contains(string(DefaultTOML()), want) {
			t.Errorf("the commented defaults lack %s", want)
		}
	}
}

func TestOperatorsConfig(t *testing.T) {
	c, err := Load(writeConfig(t, `
[[operators]]
login = "anna"
name = "Anna Schmidt"
password_hash = "`+argonHash+`"
roles = ["Pruefung", "freigabe"]
`), "")
	if err != nil {
		t.Fatal(err)
	}
	if roles, _ := ParseRoles(c.Operators[0].Roles...); !slices.Equal(roles, []Role{RolePruefung, RoleFreigabe}) {
		t.Fatalf("roles %v", roles)
	}
	for body, want := range map[string]string{
		`login = "anna"` + "\npassword_hash = \"" + argonHash + "\"\nroles = [\"chef\"]": `unknown role "chef"`,
		`login = "anna"` + "\npassword_hash = \"geheim\"":                                "not an argon2id hash",
		`login = " anna"` + "\npassword_hash = \"" + argonHash + "\"":                    "spaces",
	} {
		_, err := Load(writeConfig(t, "[[operators]]\n"+body+"\n"), "")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}

// An old sha256 hash is refused with a German and English message naming
// the command; the error comes only after every other check, and the
// configuration is still returned (for `poststelle operator passwd`).
func TestLegacyOperatorHashRefused(t *testing.T) {
	legacy := `
[[operators]]
login = "anna"
password_hash = "sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
roles = ["pruefung"]
[[operators]]
login = "bert"
password_hash = "sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
`
	c, err := Load(writeConfig(t, legacy), "")
	var le *LegacyPasswordError
	if !errors.As(err, &le) || !slices.Equal(le.Logins, []string{"anna", "bert"}) {
		t.Fatalf("legacy hashes: %v", err)
	}
	for _, want := range []string{"veralteter", "Neues Passwort setzen mit: poststelle operator passwd anna; poststelle operator passwd bert",
		"outdated unsalted sha256", "Set a new password with"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	if c == nil || len(c.Operators) != 2 {
		t.Fatal("the configuration is not returned with the legacy error")
	}
	_, err = Load(writeConfig(t, legacy+"[log]\nlevel = \"laut\"\n"), "")
	if errors.As(err, &le) || !strings.Contains(err.Error(), "log.level") {
		t.Fatalf("with another error too: %v, want the other error first", err)
	}
}

func TestLDAPConfigValidate(t *testing.T) {
	base := `
[ldap]
urls = ["ldaps://dc1.example.org"]
bind_template = "{login}@example.org"
base_dn = "DC=example,DC=org"
user_filter = "(&(objectClass=user)(sAMAccountName={login}))"
[[ldap.groups]]
group = "CN=Poststelle-Pruefung,OU=Gruppen,DC=example,DC=org"
roles = ["pruefung"]
`
	c, err := Load(writeConfig(t, base), "")
	if err != nil {
		t.Fatal(err)
	}
	if !c.LDAP.Enabled() || c.LDAP.Groups[0].Roles[0] != "pruefung" {
		t.Fatalf("ldap %+v", c.LDAP)
	}
	for _, c := range []struct{ from, to, want string }{
		{`urls = ["ldaps://dc1.example.org"]`, `urls = ["ldap://dc1.example.org"]`, "start_tls"},
		{`urls = ["ldaps://dc1.example.org"]`, `urls = ["http://dc1.example.org"]`, "not an ldap"},
		{`bind_template = "{login}@example.org"`, `bind_template = ""`, "bind_dn"},
		{`bind_template = "{login}@example.org"`, `bind_template = "anna@example.org"`, "{login}"},
		{`user_filter = "(&(objectClass=user)(sAMAccountName={login}))"`, `user_filter = "(objectClass=user)"`, "user_filter"},
		{`roles = ["pruefung"]`, `roles = []`, "roles is empty"},
		{`roles = ["pruefung"]`, `roles = ["chef"]`, `unknown role "chef"`},
		{`group = "CN=Poststelle-Pruefung,OU=Gruppen,DC=example,DC=org"`, `group = ""`, "group is empty"},
		{`base_dn = "DC=example,DC=org"`, `base_dn = ""`, "base_dn"},
	} {
		_, err := Load(writeConfig(t, strings.Replace(base, c.from, c.to, 1)), "")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming %q", c.to, err, c.want)
		}
	}
}
