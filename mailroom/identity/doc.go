// Package identity authenticates the people who work with Poststelle and
// keeps their sessions (issue 13).
//
// The parts, each usable on its own:
//
//   - HashPassword / VerifyPassword: argon2id password hashes as PHC strings
//     ("$argon2id$v=19$m=65536,t=2,p=2$salt$hash"), random salt,
//     constant-time comparison.
//   - Local: local operators from the configuration ([[operators]]) and from
//     the operator table of the store (`poststelle operator`).
//   - Directory: Active Directory / LDAP accounts, bound as the user over
//     LDAPS or StartTLS with certificate verification, groups mapped to roles.
//   - Chain: local operators first, then the directory.
//   - Throttle: exponential, bounded waits after failed logins, per login
//     name and per client address.
//   - Sessions: opaque random bearer tokens, stored only as SHA-256 hashes,
//     with idle and absolute expiry and logout.
//   - Service: all of the above as configured, with every login, failure,
//     throttling, logout and expiry journaled (Store.Append) with who and from
//     where. No password, hash or token is ever logged or journaled.
//
// The roles and the authenticated person (mailroom.Principal) are domain
// types in package mailroom; enforcing roles is the engine's job.
package identity
