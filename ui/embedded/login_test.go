package embedded_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/identity"
	"poststelle/mailroom/store"
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
