package identity_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom/identity"
)

var phc = regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=2,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestPasswordHashFormatAndVerify(t *testing.T) {
	h1, err := identity.HashPassword("Geheimnis-1")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := identity.HashPassword("Geheimnis-1")
	if !phc.MatchString(h1) {
		t.Fatalf("hash %q is not a PHC argon2id string with the default parameters", h1)
	}
	if h1 == h2 {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	if strings.Contains(h1, "Geheimnis") {
		t.Fatal("password in the hash")
	}
	for _, c := range []struct {
		pw   string
		want bool
	}{{"Geheimnis-1", true}, {"Geheimnis-2", false}, {"geheimnis-1", false}, {"", false}} {
		ok, err := identity.VerifyPassword(h1, c.pw)
		if err != nil || ok != c.want {
			t.Errorf("verify %q: %v, %v; want %v", c.pw, ok, err, c.want)
		}
	}
	// Parameters are read from the hash: a cheaper one made elsewhere verifies.
	cheap := identity.Params{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	h3, _ := cheap.Hash("anders")
	if !strings.HasPrefix(h3, "$argon2id$v=19$m=8192,t=1,p=1$") {
		t.Fatalf("cheap hash %q", h3)
	}
	if ok, err := identity.VerifyPassword(h3, "anders"); !ok || err != nil {
		t.Fatalf("cheap hash: %v %v", ok, err)
	}
}

func TestPasswordHashMalformedAndLegacyRefused(t *testing.T) {
	good, _ := identity.HashPassword("x")
	parts := strings.Split(good, "$")
	bad := []string{
		"",
		"geheim",
		"$argon2i$v=19$m=65536,t=2,p=2$" + parts[4] + "$" + parts[5],
		"$argon2id$v=16$m=65536,t=2,p=2$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=65536,t=0,p=2$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=4194304,t=2,p=2$" + parts[4] + "$" + parts[5], // 4 GiB: refused, not computed
		"$argon2id$v=19$m=65536,t=2,p=2$" + parts[4] + "$",
		"$argon2id$v=19$m=65536,t=2,p=2,x=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=65536,t=2,p=2$!!!$" + parts[5],
	}
	for _, h := range bad {
		ok, err := identity.VerifyPassword(h, "x")
		if ok || !errors.Is(err, identity.ErrMalformedHash) {
			t.Errorf("%q: %v, %v; want ErrMalformedHash", h, ok, err)
		}
	}
	// The old unsalted form, sha256("x").
	legacy := "sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
	if ok, err := identity.VerifyPassword(legacy, "x"); ok || !errors.Is(err, identity.ErrLegacyHash) {
		t.Fatalf("legacy hash: %v, %v; want ErrLegacyHash", ok, err)
	}
}

// TestPasswordHashCost measures one verification with the default
// parameters; the brief asks for about 50–100 ms on a 2-core server. It
// fails only far outside (a broken parameter set), since the machine is
// shared.
func TestPasswordHashCost(t *testing.T) {
	h, _ := identity.HashPassword("Messung")
	identity.VerifyPassword(h, "Messung")
	const n = 5
	start := time.Now()
	for range n {
		identity.VerifyPassword(h, "Messung")
	}
	per := time.Since(start) / n
	t.Logf("argon2id m=64MiB t=2 p=2: %v per verification (mean of %d)", per.Round(time.Millisecond), n)
	if per < 10*time.Millisecond || per > 2*time.Second {
		t.Fatalf("%v per verification: parameters far from the intended 50–100 ms", per)
	}
}
