package identity

import (
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/store"
)

// Client says where an attempt or request comes from, for the journal and
// the throttle.
type Client struct {
	// Address is the remote address ("10.0.0.5:51234" or "10.0.0.5"); the
	// throttle counts by its host part. "local" or "" on the same machine.
	Address string
	// Via names the channel: "desk", "api", "cli".
	Via string
}

// The journal entries written by this package (action: actor; detail):
//
//	login            the person; method, name, via, from, session (if one was opened)
//	login-failed     the channel (via); login as typed, reason, via, from, wait (if now throttled)
//	login-throttled  the channel; login, via, from, retry_after — once per lock
//	logout           the person; session, via, from
//	session-expired  the person; session, reason (idle, max), via, from (of the login)
//
// Passwords, hashes and tokens never appear; the session is named by its
// random id, which is not derived from the token.

func loginNote(p mailroom.Principal, from Client, session string) store.Note {
	d := map[string]any{"method": string(p.Method), "name": p.Name, "via": from.Via, "from": from.Address,
		"roles": mailroom.JoinRoles(p.Roles)}
	if session != "" {
		d["session"] = session
	}
	return store.Note{Actor: p.Login, Action: "login", Detail: d}
}

func failedNote(login string, from Client, why string, wait time.Duration) store.Note {
	d := map[string]any{"login": login, "reason": why, "via": from.Via, "from": from.Address}
	if wait > 0 {
		d["wait"] = wait.String()
	}
	return store.Note{Actor: actor(from), Action: "login-failed", Detail: d}
}

func throttledNote(login string, from Client, wait time.Duration) store.Note {
	return store.Note{Actor: actor(from), Action: "login-throttled",
		Detail: map[string]any{"login": login, "via": from.Via, "from": from.Address, "retry_after": wait.Round(time.Second).String()}}
}

func logoutNote(x *store.Session, from Client) store.Note {
	return store.Note{Actor: x.Principal.Login, Action: "logout",
		Detail: map[string]any{"session": x.ID, "via": from.Via, "from": from.Address}}
}

func expiredNote(x *store.Session, why string) store.Note {
	return store.Note{Actor: x.Principal.Login, Action: "session-expired",
		Detail: map[string]any{"session": x.ID, "reason": why, "via": x.Via, "from": x.Client}}
}

func actor(from Client) string {
	if from.Via != "" {
		return from.Via
	}
	return "login"
}
