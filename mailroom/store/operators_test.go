package store

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom"
)

const fakeHash = "$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"

func TestOperatorTable(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if has, err := s.HasOperators(ctx); has || err != nil {
		t.Fatalf("empty table: %v %v", has, err)
	}
	anna := Operator{Login: "anna", Name: "Anna Schmidt", Roles: []mailroom.Role{mailroom.RoleErfassung, mailroom.RolePruefung}, PasswordHash: fakeHash}
	if err := s.AddOperator(ctx, anna, "root"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddOperator(ctx, anna, "root"); !errors.Is(err, ErrOperatorExists) {
		t.Fatalf("second add: %v, want ErrOperatorExists", err)
	}
	if err := s.AddOperator(ctx, Operator{Login: "bert"}, "root"); err == nil {
		t.Fatal("operator without a hash added")
	}
	got, err := s.Operator(ctx, "anna")
	if err != nil || got.Name != "Anna Schmidt" || !slices.Equal(got.Roles, anna.Roles) || got.PasswordHash != fakeHash || got.Disabled {
		t.Fatalf("anna: %+v, %v", got, err)
	}
	if got.CreatedAt.IsZero() || !got.CreatedAt.Equal(got.ChangedAt) {
		t.Fatalf("times %v %v", got.CreatedAt, got.ChangedAt)
	}
	if _, err := s.Operator(ctx, "niemand"); !errors.Is(err, ErrNoOperator) {
		t.Fatalf("unknown: %v", err)
	}
	s.now = func() time.Time { return time.Now().UTC().Add(time.Hour) }
	if _, err := s.SetOperatorDisabled(ctx, "anna", true, "root"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetOperatorRoles(ctx, "anna", []mailroom.Role{mailroom.RoleFreigabe}, "root"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetOperatorPassword(ctx, "anna", strings.Replace(fakeHash, "m=8192", "m=9000", 1), "root"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetOperatorPassword(ctx, "niemand", fakeHash, "root"); !errors.Is(err, ErrNoOperator) {
		t.Fatalf("password of an unknown operator: %v", err)
	}
	got, _ = s.Operator(ctx, "anna")
	if !got.Disabled || !slices.Equal(got.Roles, []mailroom.Role{mailroom.RoleFreigabe}) || !strings.Contains(got.PasswordHash, "m=9000") || !got.ChangedAt.After(got.CreatedAt) {
		t.Fatalf("after changes: %+v", got)
	}
	// A disabled operator still means "operators exist": the desk keeps asking for a password.
	if has, _ := s.HasOperators(ctx); !has {
		t.Fatal("HasOperators false with a disabled operator")
	}
	list, _ := s.Operators(ctx)
	if len(list) != 1 {
		t.Fatalf("list %+v", list)
	}
	entries, _ := s.Journal(ctx, mailroom.JournalFilter{})
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		if strings.Contains(e.Detail, "argon2id") || strings.Contains(e.Detail, "c2FsdHNhbHRz") {
			t.Fatalf("hash in the journal: %s", e.Detail)
		}
		if e.Actor != "root" {
			t.Fatalf("actor %q", e.Actor)
		}
	}
	if strings.Join(actions, ",") != "operator-added,operator-disabled,operator-roles,operator-password" {
		t.Fatalf("journal %v", actions)
	}
	if _, err := s.VerifyChain(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSessionTable(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	now := time.Now().UTC()
	x := Session{ID: "s1", TokenHash: "h1", Principal: mailroom.Principal{Login: "anna", Name: "Anna",
		Roles: []mailroom.Role{mailroom.RolePruefung}, Method: mailroom.AuthLDAP}, Client: "10.0.0.1", Via: "api",
		CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateSession(ctx, x, Note{Actor: "anna", Action: "login", Detail: map[string]string{"session": "s1"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, x, Note{Actor: "anna", Action: "login"}); err == nil {
		t.Fatal("same token hash twice")
	}
	got, err := s.SessionByToken(ctx, "h1")
	if err != nil || got.Principal.Method != mailroom.AuthLDAP || got.Principal.Roles[0] != mailroom.RolePruefung || !got.ExpiresAt.Equal(x.ExpiresAt) {
		t.Fatalf("session %+v, %v", got, err)
	}
	if err := s.TouchSession(ctx, "s1", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	s.TouchSession(ctx, "s1", now) // never backwards
	got, _ = s.SessionByToken(ctx, "h1")
	if !got.LastSeen.Equal(now.Add(time.Minute)) {
		t.Fatalf("last seen %v", got.LastSeen)
	}
	exp, _ := s.ExpiredSessions(ctx, now.Add(2*time.Minute), now.Add(30*time.Second))
	if len(exp) != 0 {
		t.Fatalf("expired %+v", exp)
	}
	exp, _ = s.ExpiredSessions(ctx, now.Add(time.Hour), now)
	if len(exp) != 1 {
		t.Fatalf("past its absolute expiry: %+v", exp)
	}
	if ended, err := s.EndSession(ctx, "s1", Note{Actor: "anna", Action: "logout"}); !ended || err != nil {
		t.Fatalf("end: %v %v", ended, err)
	}
	if ended, _ := s.EndSession(ctx, "s1", Note{Actor: "anna", Action: "logout"}); ended {
		t.Fatal("ended twice")
	}
	if _, err := s.SessionByToken(ctx, "h1"); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after end: %v", err)
	}
	entries, _ := s.Journal(ctx, mailroom.JournalFilter{})
	if len(entries) != 2 || entries[0].Action != "login" || entries[1].Action != "logout" {
		t.Fatalf("journal %+v (one login, one logout)", entries)
	}
	var d map[string]string
	json.Unmarshal([]byte(entries[0].Detail), &d)
	if d["session"] != "s1" {
		t.Fatalf("detail %q", entries[0].Detail)
	}
}
