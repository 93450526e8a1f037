package embedded_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/identity"
	"poststelle/mailroom/store"
	"poststelle/ui/embedded"
)

// Operators of the operator table (poststelle operator add) log in at the
// desk; with one, the OS user no longer gets in without a password.
func TestLoginOperatorTable(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.st.AddOperator(ctx, store.Operator{Login: "bert", Name: "Bert Meier", PasswordHash: hash("bert-1"),
		Roles: []mailroom.Role{mailroom.RoleFreigabe}}, "admin"); err != nil {
		t.Fatal(err)
	}
	if !f.m.NeedsPassword() {
		t.Fatal("an operator in the table but no password needed")
	}
	if _, err := f.m.Login(ctx, identity.OSUser().Login, ""); err == nil {
		t.Fatal("the OS user got in without a password")
	}
	op, err := f.m.Login(ctx, "bert", "bert-1")
	if err != nil || op.Person() != "bert" || len(op.Roles) != 1 || op.Roles[0] != "freigabe" {
		t.Fatalf("bert: %+v, %v", op, err)
	}
}

// An old sha256 hash (set directly, as tests and old code may) is refused
// with the way to a new password, in German and English.
func TestLoginLegacyHashRefused(t *testing.T) {
	f := newFixture(t, mailroom.OperatorConfig{Login: "anna", Roles: []string{"pruefung"},
		PasswordHash: "sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"})
	if !f.m.NeedsPassword() {
		t.Fatal("no password asked")
	}
	_, err := f.m.Login(context.Background(), "anna", "x")
	ie, ok := mailroom.AsInputError(err)
	if !ok || !strings.Contains(ie.DE, "poststelle operator passwd anna") || !strings.Contains(ie.EN, "Set a new password") {
		t.Fatalf("legacy hash: %v", err)
	}
	if errors.Is(err, identity.ErrLogin) {
		t.Fatal("legacy hash reported as a wrong password")
	}
}

// The embedded desk acts for the person logged in, and the engine checks
// their roles: a pruefung operator may record the QA but not approve or
// turn pages; the journal names the desk as the channel.
func TestRolesEnforcedAtEmbeddedDesk(t *testing.T) {
	f := newFixture(t, mailroom.OperatorConfig{Login: "petra", PasswordHash: hash("petra-geheim"), Roles: []string{"pruefung"}})
	ctx := context.Background()
	docs := f.intake(t, normal, nil, "ocrmypdf", "multipage.pdf")
	f.login(t, "petra", "petra-geheim")
	ref := f.ref(t, docs[0].ID)
	err := f.m.Approve(ctx, ref)
	ie, ok := mailroom.AsInputError(err)
	if !errors.Is(err, mailroom.ErrForbidden) || !ok || !strings.Contains(ie.DE, `petra hat die Rolle "freigabe" nicht`) {
		t.Fatalf("approve by pruefung: %v", err)
	}
	if err := f.m.Rotate(ctx, ref, 0, 90); !errors.Is(err, mailroom.ErrForbidden) {
		t.Fatalf("rotate by pruefung: %v", err)
	}
	if err := f.m.RecordQA(ctx, ref, mailroom.QAResult{Complete: true, Legible: true, Matches: true}); err != nil {
		t.Fatal(err)
	}
	es, _ := f.st.Journal(ctx, mailroom.JournalFilter{DocumentID: docs[0].ID, Action: "qa"})
	if len(es) != 1 || es[0].Actor != "petra" || !strings.Contains(es[0].Detail, `"via":"desk"`) {
		t.Fatalf("qa entry %+v", es)
	}
	// Before a login nothing can be changed.
	other := embedded.New(f.cfg, f.st, f.e, nil)
	if err := other.Approve(ctx, ref); err == nil {
		t.Fatal("a change without a login")
	}
}
