package mailroom

import (
	"errors"
	"fmt"
	"time"
)

// Via names the channel through which a person acted on the engine.
type Via string

const (
	// ViaDesk: the desk with the engine embedded (same process).
	ViaDesk Via = "desk"
	// ViaAPI: the HTTPS API (a desk in client mode, a scan station, a script).
	ViaAPI Via = "api"
	// ViaCLI: the command line (`poststelle process --approve-as`, quarantine …).
	ViaCLI Via = "cli"
)

// Actor is a person acting on the engine: who, as authenticated (the
// Principal with its roles), and through what. The engine checks the role
// of every action against the Principal and journals the channel.
type Actor struct {
	Principal
	Via Via
	// From is where the action came from: the client address (API), the
	// user of the operating system who ran the command (CLI), the host
	// name (desk).
	From string
}

// JournalDetail is the part of a journal entry's detail that says through
// what the person acted: "via" (desk, api, cli), "method" (local, ldap,
// os-user) and, by channel, "client" (API address), "os_user" (CLI) or
// "host" (desk).
func (a Actor) JournalDetail() map[string]string {
	m := map[string]string{"via": string(a.Via)}
	if a.Method != "" {
		m["method"] = string(a.Method)
	}
	if a.From != "" {
		switch a.Via {
		case ViaAPI:
			m["client"] = a.From
		case ViaCLI:
			m["os_user"] = a.From
		default:
			m["host"] = a.From
		}
	}
	return m
}

// Ref names a document and the version a change was made on. Version 0
// means "the current version" (no check); the desk and the API always send
// the version they showed.
type Ref struct {
	ID      string `json:"id"`
	Version int64  `json:"version"`
}

// DeskLease says who has a document open at a desk, until when. A lease
// that has run out counts as none.
type DeskLease struct {
	Login string    `json:"login"`
	Name  string    `json:"name,omitempty"`
	Until time.Time `json:"until"`
}

// Active reports whether the lease is held at now.
func (l *DeskLease) Active(now time.Time) bool {
	return l != nil && l.Login != "" && now.Before(l.Until)
}

// Display is the holder's name for people: "Anna Schmidt (anna)" or the login.
func (l *DeskLease) Display() string {
	if l == nil {
		return ""
	}
	return Principal{Login: l.Login, Name: l.Name}.Display()
}

// ErrStale is in the chain of every error for a change made on an old
// version of a document.
var ErrStale = errors.New("stale version")

// ErrLocked is in the chain of every error for a change to a document that
// another person has open at a desk.
var ErrLocked = errors.New("document open at another desk")

// StaleError is a change refused because the document changed since the
// version it was made on. It reads as an InputError (German / English).
func StaleError(yours, current int64, by string) error {
	who, whoEN := "", ""
	if by != "" {
		who, whoEN = " von "+by, " by "+by
	}
	return &InputError{
		DE: fmt.Sprintf("Das Dokument wurde inzwischen%s geändert (jetzt Version %d, Ihre Ansicht: Version %d). "+
			"Ihre Änderung wurde nicht gespeichert – bitte das Dokument neu laden und die Änderung wiederholen.", who, current, yours),
		EN: fmt.Sprintf("the document was changed in the meantime%s (now version %d, your view: version %d); "+
			"your change was not saved — reload the document and repeat the change", whoEN, current, yours),
		Err: ErrStale,
	}
}

// LockedError is a change refused because another person has the document
// open at a desk.
func LockedError(l *DeskLease) error {
	return &InputError{
		DE:  fmt.Sprintf("Dokument ist in Bearbeitung durch %s (bis %s)", l.Display(), l.Until.Local().Format("15:04:05")),
		EN:  fmt.Sprintf("document is being worked on by %s (until %s)", l.Display(), l.Until.Local().Format("15:04:05")),
		Err: ErrLocked,
	}
}
