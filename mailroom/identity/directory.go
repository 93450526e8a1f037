package identity

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"unicode"

	"github.com/go-ldap/ldap/v3"

	"poststelle/mailroom"
)

// Directory authenticates accounts of Active Directory or another LDAP
// server: it binds as the user (the password is checked by the directory
// and goes nowhere else), over LDAPS or StartTLS with the server certificate
// verified, reads the user's groups (memberOf or a group search) and maps
// them to roles ([[ldap.groups]]). A user without a mapped role cannot log
// in (ErrNoRole). Logins are lower-cased: directories compare them without
// regard to case, and the journal and the four-eyes rule must see one name.
type Directory struct {
	cfg         mailroom.LDAPConfig
	roots       *x509.CertPool // nil: the system roots
	svcPassword string
	rules       []groupRule
}

type groupRule struct {
	dn    *ldap.DN // full DN, or
	cn    string   // only the CN
	roles []mailroom.Role
}

var _ Authenticator = (*Directory)(nil)

// NewDirectory checks the [ldap] section and reads the CA file and the
// service account's password.
func NewDirectory(cfg mailroom.LDAPConfig) (*Directory, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := &Directory{cfg: cfg}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ldap.ca_file: %w", err)
		}
		d.roots = x509.NewCertPool()
		if !d.roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ldap.ca_file %s: no PEM certificate in it", cfg.CAFile)
		}
	}
	if cfg.BindDN != "" {
		pw, err := mailroom.Secret(cfg.BindPasswordFile, cfg.BindPasswordEnv)
		if err != nil {
			return nil, fmt.Errorf("ldap bind password: %w", err)
		}
		if pw == "" {
			return nil, fmt.Errorf("ldap: the service account's password is empty")
		}
		d.svcPassword = pw
	}
	for i, g := range cfg.Groups {
		roles, _ := mailroom.ParseRoles(g.Roles...) // checked by Validate
		r := groupRule{roles: roles}
		if strings.Contains(g.Group, "=") {
			dn, err := ldap.ParseDN(g.Group)
			if err != nil {
				return nil, fmt.Errorf("ldap.groups[%d].group %q: %w", i, g.Group, err)
			}
			r.dn = dn
		} else {
			r.cn = strings.TrimSpace(g.Group)
		}
		d.rules = append(d.rules, r)
	}
	return d, nil
}

// Authenticate implements Authenticator.
func (d *Directory) Authenticate(ctx context.Context, login, password string) (mailroom.Principal, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	if !validLogin(login) {
		return mailroom.Principal{}, ErrUnknownUser
	}
	if password == "" || len(password) > maxPassword {
		// Never bind with an empty password: LDAP takes it as an
		// unauthenticated bind, which succeeds.
		return mailroom.Principal{}, ErrBadPassword
	}
	conn, err := d.connect(ctx)
	if err != nil {
		return mailroom.Principal{}, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	entry, err := d.bindUser(conn, login, password)
	if err != nil {
		return mailroom.Principal{}, err
	}
	groups, err := d.groups(conn, entry, login)
	if err != nil {
		return mailroom.Principal{}, err
	}
	roles := d.roles(groups)
	if len(roles) == 0 {
		return mailroom.Principal{}, fmt.Errorf("%w: %s is in none of the groups of [[ldap.groups]]", ErrNoRole, login)
	}
	name := login
	if d.cfg.NameAttribute != "" {
		if v := entry.GetEqualFoldAttributeValue(d.cfg.NameAttribute); v != "" {
			name = v
		}
	}
	return mailroom.Principal{Login: login, Name: name, Roles: roles, Method: mailroom.AuthLDAP}, nil
}

// Check connects to the directory and, with a service account, binds as it
// (for `poststelle doctor`).
func (d *Directory) Check(ctx context.Context) error {
	conn, err := d.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if d.cfg.BindDN != "" {
		if err := conn.Bind(d.cfg.BindDN, d.svcPassword); err != nil {
			return fmt.Errorf("%w: service account bind (%s): %v", ErrUnavailable, d.cfg.BindDN, err)
		}
	}
	return nil
}

// connect opens a TLS connection to the first server that answers.
func (d *Directory) connect(ctx context.Context) (*ldap.Conn, error) {
	var errs []error
	for _, raw := range d.cfg.URLs {
		conn, err := d.dial(ctx, raw)
		if err == nil {
			return conn, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", raw, err))
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("%w: %w", ErrUnavailable, errors.Join(errs...))
}

func (d *Directory) dial(ctx context.Context, raw string) (*ldap.Conn, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	tc := &tls.Config{RootCAs: d.roots, ServerName: d.cfg.ServerName, MinVersion: tls.VersionTLS12}
	if tc.ServerName == "" {
		tc.ServerName = u.Hostname()
	}
	dialer := &net.Dialer{Timeout: d.cfg.Timeout.Duration}
	if dl, ok := ctx.Deadline(); ok {
		dialer.Deadline = dl
	}
	opts := []ldap.DialOpt{ldap.DialWithDialer(dialer)}
	if u.Scheme == "ldaps" {
		opts = append(opts, ldap.DialWithTLSConfig(tc))
	}
	conn, err := ldap.DialURL(raw, opts...)
	if err != nil {
		return nil, err
	}
	conn.SetTimeout(d.cfg.Timeout.Duration)
	if u.Scheme == "ldap" {
		// Validate refuses ldap:// without start_tls.
		if err := conn.StartTLS(tc); err != nil {
			conn.Close()
			return nil, fmt.Errorf("StartTLS: %w", err)
		}
	}
	return conn, nil
}

// bindUser proves the password by binding as the user and returns the
// user's entry.
func (d *Directory) bindUser(conn *ldap.Conn, login, password string) (*ldap.Entry, error) {
	if d.cfg.BindTemplate != "" {
		if err := bindAs(conn, d.bindName(login), password); err != nil {
			return nil, err
		}
		return d.findUser(conn, login)
	}
	if err := conn.Bind(d.cfg.BindDN, d.svcPassword); err != nil {
		return nil, fmt.Errorf("%w: service account bind (%s): %v", ErrUnavailable, d.cfg.BindDN, err)
	}
	entry, err := d.findUser(conn, login)
	if err != nil {
		return nil, err
	}
	if err := bindAs(conn, entry.DN, password); err != nil {
		return nil, err
	}
	if d.cfg.GroupAttribute == "" {
		// The group search runs as the service account again.
		if err := conn.Bind(d.cfg.BindDN, d.svcPassword); err != nil {
			return nil, fmt.Errorf("%w: service account bind (%s): %v", ErrUnavailable, d.cfg.BindDN, err)
		}
	}
	return entry, nil
}

// bindName fills the template: escaped as a DN value when the template is
// a DN, as is for a UPN ("{login}@example.org"; validLogin keeps it plain).
func (d *Directory) bindName(login string) string {
	v := login
	if strings.Contains(d.cfg.BindTemplate, "=") {
		v = ldap.EscapeDN(login)
	}
	return strings.ReplaceAll(d.cfg.BindTemplate, "{login}", v)
}

func bindAs(conn *ldap.Conn, name, password string) error {
	err := conn.Bind(name, password)
	switch {
	case err == nil:
		return nil
	case ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials):
		return ErrBadPassword
	}
	return fmt.Errorf("%w: bind: %v", ErrUnavailable, err)
}

func (d *Directory) findUser(conn *ldap.Conn, login string) (*ldap.Entry, error) {
	var attrs []string
	for _, a := range []string{d.cfg.NameAttribute, d.cfg.GroupAttribute} {
		if a != "" {
			attrs = append(attrs, a)
		}
	}
	filter := strings.ReplaceAll(d.cfg.UserFilter, "{login}", ldap.EscapeFilter(login))
	res, err := conn.Search(ldap.NewSearchRequest(d.cfg.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		2, int(d.cfg.Timeout.Seconds()), false, filter, attrs, nil))
	if err != nil && !ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) {
		return nil, fmt.Errorf("%w: user search: %v", ErrUnavailable, err)
	}
	switch {
	case res == nil || len(res.Entries) == 0:
		return nil, fmt.Errorf("%w: no entry for %s below %s", ErrUnknownUser, login, d.cfg.BaseDN)
	case len(res.Entries) > 1:
		return nil, fmt.Errorf("%w: several entries for %s below %s (ldap.user_filter)", ErrUnknownUser, login, d.cfg.BaseDN)
	}
	return res.Entries[0], nil
}

// groups returns the DNs of the user's groups.
func (d *Directory) groups(conn *ldap.Conn, entry *ldap.Entry, login string) ([]string, error) {
	if d.cfg.GroupAttribute != "" {
		return entry.GetEqualFoldAttributeValues(d.cfg.GroupAttribute), nil
	}
	filter := strings.NewReplacer("{dn}", ldap.EscapeFilter(entry.DN), "{login}", ldap.EscapeFilter(login)).Replace(d.cfg.GroupFilter)
	res, err := conn.Search(ldap.NewSearchRequest(d.cfg.GroupBaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		1000, int(d.cfg.Timeout.Seconds()), false, filter, []string{"cn"}, nil))
	if err != nil {
		return nil, fmt.Errorf("%w: group search: %v", ErrUnavailable, err)
	}
	out := make([]string, len(res.Entries))
	for i, e := range res.Entries {
		out[i] = e.DN
	}
	return out, nil
}

// roles maps group DNs to roles through [[ldap.groups]].
func (d *Directory) roles(groups []string) []mailroom.Role {
	var names []string
	for _, g := range groups {
		dn, err := ldap.ParseDN(g)
		if err != nil || len(dn.RDNs) == 0 {
			continue
		}
		for _, r := range d.rules {
			if r.matches(dn) {
				names = append(names, mailroom.JoinRoles(r.roles))
			}
		}
	}
	roles, _ := mailroom.ParseRoles(names...)
	return roles
}

func (r groupRule) matches(dn *ldap.DN) bool {
	if r.dn != nil {
		return r.dn.EqualFold(dn)
	}
	for _, a := range dn.RDNs[0].Attributes {
		if strings.EqualFold(a.Type, "cn") && strings.EqualFold(a.Value, r.cn) {
			return true
		}
	}
	return false
}

// validLogin admits the characters of directory logins: letters, digits,
// ". _ - @", at most 64. Anything else is no directory login (and cannot
// smuggle filter or DN syntax).
func validLogin(login string) bool {
	if login == "" || len(login) > 64 {
		return false
	}
	for _, r := range login {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("._-@", r) {
			return false
		}
	}
	return true
}
