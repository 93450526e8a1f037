package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"poststelle/mailroom"
)

// Every action a person takes on a document goes through the engine with
// the acting mailroom.Actor (who, with which roles, through what) — for the
// API, the embedded desk and the command line alike. The engine checks the
// role, the version the change was made on and the desk lease, and journals
// who acted and via what (docs/api.md, "Roles").

// DefaultDeskLease is how long a desk lease lasts without renewal.
const DefaultDeskLease = 2 * time.Minute

// roleNeeded lists, per action, the roles of which the person must hold one.
var roleNeeded = map[string][]mailroom.Role{
	"qa":                  {mailroom.RolePruefung},
	"approve":             {mailroom.RoleFreigabe},
	"reject":              {mailroom.RoleFreigabe},
	"metadata":            {mailroom.RoleErfassung, mailroom.RolePruefung, mailroom.RoleFreigabe},
	"protection":          {mailroom.RoleErfassung, mailroom.RolePruefung, mailroom.RoleFreigabe},
	"page-op":             {mailroom.RoleErfassung},
	"import":              {mailroom.RoleErfassung},
	"quarantine-retry":    {mailroom.RoleVerwaltung},
	"quarantine-release":  {mailroom.RoleVerwaltung},
	"export-retry":        {mailroom.RoleVerwaltung},
	"destruction-release": {mailroom.RoleVerwaltung},
}

// RolesFor returns the roles of which a person needs one for action (nil:
// any authenticated person, e.g. reading or holding a desk lease).
func RolesFor(action string) []mailroom.Role { return roleNeeded[action] }

// journal is what the checks need to journal a refusal.
type journal interface {
	Append(ctx context.Context, actor, action, documentID, batchID string, detail any) (mailroom.JournalEntry, error)
}

// authorize checks that act may do action. A refusal is an InputError
// (German / English) with mailroom.ErrForbidden in its chain, journaled as
// "forbidden" with the action, the roles needed and the channel.
func authorize(ctx context.Context, j journal, act mailroom.Actor, action, docID string) error {
	if strings.TrimSpace(act.Login) == "" {
		return fmt.Errorf("%s: the acting person must be named", action)
	}
	need := roleNeeded[action]
	for _, r := range need {
		if act.Has(r) {
			return nil
		}
	}
	if len(need) == 0 {
		return nil
	}
	err := act.Require(need[0])
	if len(need) > 1 {
		err = &mailroom.InputError{
			DE:  fmt.Sprintf("Keine Berechtigung: %s hat keine der Rollen %s", act.Login, mailroom.JoinRoles(need)),
			EN:  fmt.Sprintf("not permitted: %s holds none of the roles %s", act.Login, mailroom.JoinRoles(need)),
			Err: mailroom.ErrForbidden,
		}
	}
	det := map[string]any{"action": action, "needs": mailroom.JoinRoles(need), "roles": mailroom.JoinRoles(act.Roles)}
	for k, v := range act.JournalDetail() {
		det[k] = v
	}
	if _, jerr := j.Append(ctx, act.Login, "forbidden", docID, "", det); jerr != nil {
		return errors.Join(err, jerr)
	}
	return err
}

// Authorize checks that act may do action (one of the names of RolesFor)
// and journals a refusal. The engine's own actions call it; commands that
// act outside the engine (destruction release) call it before they act.
func (e *Engine) Authorize(ctx context.Context, act mailroom.Actor, action, docID string) error {
	return authorize(ctx, e.Store, act, action, docID)
}

// guard is the check run inside a change's transaction: the change was
// made on the current version, and no other person has the document open
// at a desk.
func guard(act mailroom.Actor, ref mailroom.Ref, d *mailroom.Document) error {
	if ref.Version != 0 && d.Version != ref.Version {
		return &staleVersion{yours: ref.Version, current: d.Version}
	}
	if d.Desk.Active(time.Now()) && !strings.EqualFold(d.Desk.Login, act.Login) {
		return mailroom.LockedError(d.Desk)
	}
	return nil
}

// staleVersion is guard's refusal before explain names who changed it.
type staleVersion struct{ yours, current int64 }

func (s *staleVersion) Error() string {
	return fmt.Sprintf("stale version %d (now %d)", s.yours, s.current)
}

func (s *staleVersion) Unwrap() error { return mailroom.ErrStale }

// explain turns guard's stale-version refusal into the clerk's message,
// naming who made the last change (from the journal).
func explain(ctx context.Context, st mailroom.Store, docID string, err error) error {
	var sv *staleVersion
	if !errors.As(err, &sv) {
		return err
	}
	by := ""
	if es, jerr := st.Journal(ctx, mailroom.JournalFilter{DocumentID: docID, Newest: true, Limit: 1}); jerr == nil && len(es) > 0 {
		by = es[0].Actor
	}
	return mailroom.StaleError(sv.yours, sv.current, by)
}

// via is the channel part of a journal entry's detail.
func via(act mailroom.Actor) map[string]string { return act.JournalDetail() }

// withVia adds the channel to a page operation's journal detail.
func withVia(det map[string]any, act mailroom.Actor) map[string]any {
	for k, v := range act.JournalDetail() {
		det[k] = v
	}
	return det
}

// Hold takes or renews the desk lease of a document for act (DeskLease
// long), or returns the lease of the other person who has it open.
func (e *Engine) Hold(ctx context.Context, act mailroom.Actor, docID string) (*mailroom.DeskLease, error) {
	ls, ok := e.Store.(DeskLeases)
	if !ok {
		return nil, fmt.Errorf("desk leases: the store does not keep them")
	}
	return ls.HoldDesk(ctx, docID, act.Login, act.Name, e.deskLease())
}

// Leave drops act's desk lease of a document.
func (e *Engine) Leave(ctx context.Context, act mailroom.Actor, docID string) error {
	ls, ok := e.Store.(DeskLeases)
	if !ok {
		return nil
	}
	return ls.LeaveDesk(ctx, docID, act.Login)
}

// DeskLeases is the store's side of desk leases (mailroom/store).
type DeskLeases interface {
	HoldDesk(ctx context.Context, docID, login, name string, ttl time.Duration) (*mailroom.DeskLease, error)
	LeaveDesk(ctx context.Context, docID, login string) error
}

func (e *Engine) deskLease() time.Duration {
	if e.DeskLease > 0 {
		return e.DeskLease
	}
	return DefaultDeskLease
}
