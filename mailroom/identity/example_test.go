package identity_test

import (
	"context"
	"fmt"
	"os"

	"poststelle/mailroom"
	"poststelle/mailroom/identity"
	"poststelle/mailroom/store"
)

// An API server's use of the service: log in, resolve the bearer token of
// each request, check the role of the action, log out.
func ExampleService() {
	dir, _ := os.MkdirTemp("", "identity-example-")
	defer os.RemoveAll(dir)
	cfg, _ := mailroom.Default(dir)
	st, _ := store.Open(cfg.DataDir)
	defer st.Close()
	ctx := context.Background()

	// What `poststelle operator add anna --role pruefung` does.
	h, _ := identity.HashPassword("Anna-Passwort-1")
	st.AddOperator(ctx, store.Operator{Login: "anna", Name: "Anna Schmidt", PasswordHash: h,
		Roles: []mailroom.Role{mailroom.RolePruefung}}, "admin")

	svc, err := identity.New(cfg, st, nil)
	if err != nil {
		fmt.Println(err) // e.g. an old sha256 hash in [[operators]]
		return
	}
	from := identity.Client{Address: "192.0.2.7:50123", Via: "api"}
	if _, _, err := svc.Login(ctx, "anna", "falsch", from); err != nil {
		fmt.Println(err) // the InputError's English text; DE for the clerk
	}
	token, _, _ := svc.Login(ctx, "anna", "Anna-Passwort-1", from) // → {"token": …}

	// Every request: Authorization: Bearer TOKEN.
	sess, err := svc.Resolve(ctx, token)
	if err != nil {
		return // 401
	}
	fmt.Println(sess.Principal.Display(), sess.Principal.Require(mailroom.RolePruefung) == nil)
	if err := sess.Principal.Require(mailroom.RoleFreigabe); err != nil {
		fmt.Println(err) // 403
	}
	svc.Logout(ctx, token, from)
	_, err = svc.Resolve(ctx, token)
	fmt.Println(err)
	// Output:
	// login failed: wrong user or password
	// Anna Schmidt (anna) true
	// not permitted: anna does not hold the role "freigabe": missing role
	// not logged in or session expired: please log in again
}
