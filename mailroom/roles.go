package mailroom

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Role is what a person may do in the mailroom. A person holds one or more
// roles; the engine checks the role of every action taken on behalf of a
// person (issue 13). The values are the names used in the configuration,
// the operator table and the journal.
type Role string

const (
	// RoleErfassung: scanning and intake (imports, hot-folder stations) and
	// page operations at the desk.
	RoleErfassung Role = "erfassung"
	// RolePruefung: the quality check (QA) of a document in review.
	RolePruefung Role = "pruefung"
	// RoleFreigabe: approval and rejection of documents in review.
	RoleFreigabe Role = "freigabe"
	// RoleVerwaltung: administration — quarantine, outbox, destruction
	// release, operators.
	RoleVerwaltung Role = "verwaltung"
)

// Roles lists every role in a fixed order (the order used when roles are
// printed or stored).
func Roles() []Role { return []Role{RoleErfassung, RolePruefung, RoleFreigabe, RoleVerwaltung} }

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool { return slices.Contains(Roles(), r) }

// Label is the role's name for a clerk: German, then English.
func (r Role) Label() string {
	switch r {
	case RoleErfassung:
		return "Erfassung (Scannen, Eingang, Seiten) / intake (scanning, pages)"
	case RolePruefung:
		return "Prüfung (Qualitätskontrolle) / quality check"
	case RoleFreigabe:
		return "Freigabe (freigeben, zurückweisen) / approval"
	case RoleVerwaltung:
		return "Verwaltung (Quarantäne, Postausgang, Vernichtung, Bearbeiter) / administration"
	}
	return string(r)
}

// ParseRoles turns role names (as written in the configuration or on the
// command line; each element may itself be a comma-separated list) into
// roles: trimmed, lower-cased, de-duplicated and in the order of Roles. An
// unknown name is an error naming it.
func ParseRoles(names ...string) ([]Role, error) {
	seen := map[Role]bool{}
	for _, n := range names {
		for _, part := range strings.Split(n, ",") {
			r := Role(strings.ToLower(strings.TrimSpace(part)))
			if r == "" {
				continue
			}
			if !r.Valid() {
				return nil, fmt.Errorf("unknown role %q (roles: %s)", part, JoinRoles(Roles()))
			}
			seen[r] = true
		}
	}
	var out []Role
	for _, r := range Roles() {
		if seen[r] {
			out = append(out, r)
		}
	}
	return out, nil
}

// JoinRoles writes roles as a comma-separated list ("erfassung,pruefung").
func JoinRoles(roles []Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// AuthMethod says how a person was authenticated.
type AuthMethod string

const (
	// AuthLocal: a local operator (configuration or operator table) with
	// an argon2id password hash.
	AuthLocal AuthMethod = "local"
	// AuthLDAP: a directory account (Active Directory / LDAP), bound as the
	// user; roles come from the group mapping.
	AuthLDAP AuthMethod = "ldap"
	// AuthOSUser: the user of the operating system, taken without a
	// password where no operators are configured (one PC, embedded desk)
	// or for the command line.
	AuthOSUser AuthMethod = "os-user"
)

// Principal is an authenticated person: who they are, what they may do and
// how they proved it. The Login is the name recorded in the journal, the QA
// record and the Transfervermerk (a pseudonym that the operator list or the
// directory resolves to a natural person, TR-RESISCAN A.NB.4 a) and what the
// four-eyes rule compares with "scanned_by".
type Principal struct {
	Login  string     `json:"login"`
	Name   string     `json:"name,omitempty"` // display name; may be empty
	Roles  []Role     `json:"roles"`
	Method AuthMethod `json:"method"`
}

// Has reports whether the person holds role r.
func (p Principal) Has(r Role) bool { return slices.Contains(p.Roles, r) }

// Require returns nil if the person holds role r, else an InputError
// (German / English) that a clerk can read; errors.Is(err, ErrForbidden)
// holds for it.
func (p Principal) Require(r Role) error {
	if p.Has(r) {
		return nil
	}
	return &InputError{
		DE:  fmt.Sprintf("Keine Berechtigung: %s hat die Rolle %q nicht", p.Login, r),
		EN:  fmt.Sprintf("not permitted: %s does not hold the role %q", p.Login, r),
		Err: ErrForbidden,
	}
}

// Display is the name shown to people: "Anna Schmidt (anna)", or the login.
func (p Principal) Display() string {
	if p.Name != "" && p.Name != p.Login {
		return p.Name + " (" + p.Login + ")"
	}
	return p.Login
}

// ErrForbidden is in the chain of every error for a missing role.
var ErrForbidden = errors.New("missing role")
