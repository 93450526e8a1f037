package mailroom

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseRoles(t *testing.T) {
	got, err := ParseRoles("Freigabe, erfassung", "pruefung,freigabe", "")
	if err != nil || !slices.Equal(got, []Role{RoleErfassung, RolePruefung, RoleFreigabe}) {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := ParseRoles("pruefung,admin"); err == nil || !strings.Contains(err.Error(), `"admin"`) {
		t.Fatalf("unknown role: %v", err)
	}
	if JoinRoles(Roles()) != "erfassung,pruefung,freigabe,verwaltung" {
		t.Fatal(JoinRoles(Roles()))
	}
}

func TestPrincipalRequire(t *testing.T) {
	p := Principal{Login: "anna", Name: "Anna Schmidt", Roles: []Role{RolePruefung}, Method: AuthLDAP}
	if p.Require(RolePruefung) != nil || !p.Has(RolePruefung) || p.Has(RoleFreigabe) {
		t.Fatal("roles")
	}
	err := p.Require(RoleFreigabe)
	ie, ok := AsInputError(err)
	if !ok || !errors.Is(err, ErrForbidden) || !strings.Contains(ie.DE, "Keine Berechtigung") || !strings.Contains(ie.EN, `"freigabe"`) {
		t.Fatalf("missing role: %v", err)
	}
	if p.Display() != "Anna Schmidt (anna)" {
		t.Fatal(p.Display())
	}
}
