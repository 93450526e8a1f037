package mailroom

import (
	"fmt"
	"strings"
)

// LoginConfig configures sessions and the throttling of failed logins
// (mailroom/identity). Defaults in defaults/70-login.toml.
type LoginConfig struct {
	// SessionIdle ends a session after this long without a request (30m).
	SessionIdle Duration `toml:"session_idle"`
	// SessionMax ends a session this long after the login at the latest (12h).
	SessionMax Duration `toml:"session_max"`
	// ThrottleAfter: after this many failed logins in a row for one login
	// name (3) the next attempt waits ThrottleDelay, doubling with every
	// further failure up to ThrottleMaxDelay.
	ThrottleAfter int `toml:"throttle_after"`
	// ThrottleAfterAddress is the same for one client address (10).
	ThrottleAfterAddress int      `toml:"throttle_after_address"`
	ThrottleDelay        Duration `toml:"throttle_delay"`     // 1s
	ThrottleMaxDelay     Duration `toml:"throttle_max_delay"` // 5m
	// ThrottleForget: a name or address without a failure this long starts afresh (1h).
	ThrottleForget Duration `toml:"throttle_forget"`
}

// PasswordHashPrefix starts every accepted password hash: the argon2id PHC
// string "$argon2id$v=19$m=…,t=…,p=…$salt$hash" (mailroom/identity).
const PasswordHashPrefix = "$argon2id$"

// LegacyHashPrefix starts the unsalted SHA-256 hashes of earlier versions,
// refused since issue 13.
const LegacyHashPrefix = "sha256:"

// LegacyPasswordError is returned by Config.Validate when [[operators]]
// still carries old "sha256:" password hashes. Validate reports it only
// after every other check passed, so a command that can repair it
// (`poststelle operator passwd`) may go on with the configuration.
type LegacyPasswordError struct {
	Logins []string // the operators with an old hash
}

func (e *LegacyPasswordError) Error() string {
	de, en := e.Texts()
	return de + " / " + en
}

// Texts returns the message in German and in English.
func (e *LegacyPasswordError) Texts() (de, en string) {
	names := strings.Join(e.Logins, ", ")
	cmds := make([]string, len(e.Logins))
	for i, l := range e.Logins {
		cmds[i] = "poststelle operator passwd " + l
	}
	how := strings.Join(cmds, "; ")
	de = fmt.Sprintf("[[operators]] %s: password_hash ist ein veralteter, ungesalzener sha256-Hash und wird nicht mehr "+
		"angenommen. Neues Passwort setzen mit: %s", names, how)
	en = fmt.Sprintf("[[operators]] %s: password_hash is an outdated unsalted sha256 hash and is no longer accepted. "+
		"Set a new password with: %s", names, how)
	return de, en
}

func init() {
	sectionValidators = append(sectionValidators, validateLogin, validateOperators)
}

func validateLogin(c *Config) error {
	l := c.Login
	if l.SessionIdle.Duration <= 0 || l.SessionMax.Duration <= 0 {
		return fmt.Errorf("login.session_idle and login.session_max must be positive")
	}
	if l.SessionIdle.Duration > l.SessionMax.Duration {
		return fmt.Errorf("login.session_idle (%s) is longer than login.session_max (%s)", l.SessionIdle, l.SessionMax)
	}
	if l.ThrottleAfter < 1 || l.ThrottleAfterAddress < 1 {
		return fmt.Errorf("login.throttle_after and login.throttle_after_address must be at least 1")
	}
	if l.ThrottleDelay.Duration <= 0 || l.ThrottleMaxDelay.Duration < l.ThrottleDelay.Duration {
		return fmt.Errorf("login.throttle_delay must be positive and not longer than login.throttle_max_delay")
	}
	if l.ThrottleForget.Duration <= 0 {
		return fmt.Errorf("login.throttle_forget must be positive")
	}
	return nil
}

// validateOperators checks [[operators]]: logins present and unique, roles
// known, password hashes in argon2id form or the legacy form (which
// checkLegacyHashes refuses last).
func validateOperators(c *Config) error {
	seen := map[string]bool{}
	for i, o := range c.Operators {
		if strings.TrimSpace(o.Login) == "" || o.Login != strings.TrimSpace(o.Login) {
			return fmt.Errorf("operators[%d].login %q is empty or has spaces around it", i, o.Login)
		}
		if seen[o.Login] {
			return fmt.Errorf("operators[%d].login %q is used twice", i, o.Login)
		}
		seen[o.Login] = true
		if _, err := ParseRoles(o.Roles...); err != nil {
			return fmt.Errorf("operators[%d] (%s).roles: %w", i, o.Login, err)
		}
		if !strings.HasPrefix(o.PasswordHash, PasswordHashPrefix) && !strings.HasPrefix(o.PasswordHash, LegacyHashPrefix) {
			return fmt.Errorf("operators[%d] (%s).password_hash is not an argon2id hash (%s…); "+
				"make one with `poststelle operator hash`", i, o.Login, PasswordHashPrefix)
		}
	}
	return nil
}

// checkLegacyHashes refuses old "sha256:" operator hashes. Validate calls
// it after every other check (see LegacyPasswordError).
func (c *Config) checkLegacyHashes() error {
	var legacy []string
	for _, o := range c.Operators {
		if strings.HasPrefix(o.PasswordHash, LegacyHashPrefix) {
			legacy = append(legacy, o.Login)
		}
	}
	if len(legacy) > 0 {
		return &LegacyPasswordError{Logins: legacy}
	}
	return nil
}
