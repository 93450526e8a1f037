package mailroom

import (
	"fmt"
	"net/url"
	"strings"
)

// LDAPConfig configures directory logins from Active Directory or another
// LDAP server (mailroom/identity). Defaults in defaults/71-ldap.toml; with no
// URLs directory logins are off.
type LDAPConfig struct {
	// URLs are tried in order: ldaps://host[:636] or ldap://host[:389]
	// with StartTLS. Plain LDAP is refused.
	URLs     []string `toml:"urls"`
	StartTLS bool     `toml:"start_tls"`
	// CAFile is a PEM file of the CAs of the server certificates ("" = the
	// system roots). Certificates are always verified.
	CAFile string `toml:"ca_file"`
	// ServerName is the name expected in the certificate ("" = URL host).
	ServerName string   `toml:"server_name"`
	Timeout    Duration `toml:"timeout"` // connect and each request (10s)

	// BindTemplate binds the user directly: "{login}@example.org" (AD UPN)
	// or "uid={login},ou=people,dc=example,dc=org". "" = search with the
	// service account BindDN first.
	BindTemplate     string `toml:"bind_template"`
	BindDN           string `toml:"bind_dn"`
	BindPasswordFile string `toml:"bind_password_file"`
	BindPasswordEnv  string `toml:"bind_password_env"`
	// BaseDN and UserFilter find the user's entry; {login} is replaced, escaped.
	BaseDN        string `toml:"base_dn"`
	UserFilter    string `toml:"user_filter"`
	NameAttribute string `toml:"name_attribute"` // displayName

	// GroupAttribute of the user's entry lists its groups (memberOf); ""
	// searches GroupBaseDN with GroupFilter ({dn}, {login} replaced, escaped).
	GroupAttribute string `toml:"group_attribute"`
	GroupBaseDN    string `toml:"group_base_dn"`
	GroupFilter    string `toml:"group_filter"`
	// Groups maps directory groups to roles.
	Groups []LDAPGroupRoles `toml:"groups"`
}

// LDAPGroupRoles gives the members of one directory group their roles.
type LDAPGroupRoles struct {
	// Group is a full DN or only the group's CN.
	Group string   `toml:"group"`
	Roles []string `toml:"roles"`
}

// Enabled reports whether directory logins are configured.
func (l *LDAPConfig) Enabled() bool { return len(l.URLs) > 0 }

func init() {
	sectionValidators = append(sectionValidators, func(c *Config) error { return c.LDAP.Validate() })
}

// Validate checks the [ldap] section and names the first bad field.
func (l *LDAPConfig) Validate() error {
	if !l.Enabled() {
		return nil
	}
	for i, u := range l.URLs {
		pu, err := url.Parse(u)
		if err != nil || pu.Host == "" {
			return fmt.Errorf("ldap.urls[%d]: %q is not an ldap:// or ldaps:// URL", i, u)
		}
		switch pu.Scheme {
		case "ldaps":
			if l.StartTLS {
				return fmt.Errorf("ldap.urls[%d]: %q is ldaps:// — start_tls is only for ldap:// URLs", i, u)
			}
		case "ldap":
			if !l.StartTLS {
				return fmt.Errorf("ldap.urls[%d]: %q has no TLS: use ldaps:// or set ldap.start_tls = true "+
					"(passwords are never sent in plain text)", i, u)
			}
		default:
			return fmt.Errorf("ldap.urls[%d]: %q is not an ldap:// or ldaps:// URL", i, u)
		}
	}
	if l.Timeout.Duration <= 0 {
		return fmt.Errorf("ldap.timeout must be positive")
	}
	if l.BindTemplate != "" && !strings.Contains(l.BindTemplate, "{login}") {
		return fmt.Errorf("ldap.bind_template %q does not contain {login}", l.BindTemplate)
	}
	if l.BindTemplate == "" && l.BindDN == "" {
		return fmt.Errorf("ldap: set bind_template (the user binds directly) or bind_dn (a service account searches)")
	}
	if l.BindDN != "" && l.BindPasswordFile == "" && l.BindPasswordEnv == "" {
		return fmt.Errorf("ldap.bind_dn is set but neither bind_password_file nor bind_password_env")
	}
	if l.BaseDN == "" {
		return fmt.Errorf("ldap.base_dn is empty (where the user's entry is searched)")
	}
	if !strings.Contains(l.UserFilter, "{login}") {
		return fmt.Errorf("ldap.user_filter %q does not contain {login}", l.UserFilter)
	}
	if l.GroupAttribute == "" {
		if l.GroupBaseDN == "" || l.GroupFilter == "" {
			return fmt.Errorf("ldap: with group_attribute = \"\" set group_base_dn and group_filter (group search)")
		}
		if !strings.Contains(l.GroupFilter, "{dn}") && !strings.Contains(l.GroupFilter, "{login}") {
			return fmt.Errorf("ldap.group_filter %q contains neither {dn} nor {login}", l.GroupFilter)
		}
	}
	if len(l.Groups) == 0 {
		return fmt.Errorf("ldap.groups is empty: no directory user would get a role")
	}
	for i, g := range l.Groups {
		if strings.TrimSpace(g.Group) == "" {
			return fmt.Errorf("ldap.groups[%d].group is empty", i)
		}
		roles, err := ParseRoles(g.Roles...)
		if err != nil {
			return fmt.Errorf("ldap.groups[%d] (%s).roles: %w", i, g.Group, err)
		}
		if len(roles) == 0 {
			return fmt.Errorf("ldap.groups[%d] (%s).roles is empty", i, g.Group)
		}
	}
	return nil
}
