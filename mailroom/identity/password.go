package identity

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"

	"poststelle/mailroom"
)

// Params are the argon2id cost parameters of a password hash. They are
// written into the hash, so hashes made with other parameters stay valid.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams: 64 MiB, 2 passes, 2 lanes — about 60–100 ms on a 2-core
// server (docs/identity.md has the measurement), within RFC 9106's and
// OWASP's recommendations. Memory per login in progress is 64 MiB; Local
// bounds the logins checked at once.
var DefaultParams = Params{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}

// Bounds refused when parsing a hash (a hash from a file must not make a
// login take minutes or gigabytes).
const (
	maxMemory = 1 << 20 // KiB = 1 GiB
	maxTime   = 64
)

// ErrMalformedHash is returned for a string that is not an argon2id PHC hash.
var ErrMalformedHash = errors.New("identity: not an argon2id password hash ($argon2id$v=19$m=…,t=…,p=…$salt$hash)")

// ErrLegacyHash is returned for an old unsalted "sha256:" hash.
var ErrLegacyHash = errors.New("identity: outdated sha256 password hash")

var b64 = base64.RawStdEncoding

// HashPassword hashes password with DefaultParams and a random salt.
func HashPassword(password string) (string, error) { return DefaultParams.Hash(password) }

// Hash hashes password with p and a random salt and returns the PHC string.
func (p Params) Hash(password string) (string, error) {
	if password == "" {
		return "", errors.New("identity: empty password")
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// hash is a parsed PHC string.
type hash struct {
	p         Params
	salt, key []byte
}

// parseHash reads "$argon2id$v=19$m=…,t=…,p=…$salt$hash".
func parseHash(s string) (*hash, error) {
	if strings.HasPrefix(s, mailroom.LegacyHashPrefix) {
		return nil, ErrLegacyHash
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return nil, ErrMalformedHash
	}
	var h hash
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil {
			return nil, ErrMalformedHash
		}
		switch k {
		case "m":
			h.p.Memory = uint32(n)
		case "t":
			h.p.Time = uint32(n)
		case "p":
			if n > 255 {
				return nil, ErrMalformedHash
			}
			h.p.Threads = uint8(n)
		default:
			return nil, ErrMalformedHash
		}
	}
	var err error
	if h.salt, err = b64.DecodeString(parts[4]); err != nil || len(h.salt) < 8 {
		return nil, ErrMalformedHash
	}
	if h.key, err = b64.DecodeString(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 128 {
		return nil, ErrMalformedHash
	}
	if h.p.Time < 1 || h.p.Time > maxTime || h.p.Threads < 1 || h.p.Memory < 8*uint32(h.p.Threads) || h.p.Memory > maxMemory {
		return nil, ErrMalformedHash
	}
	h.p.SaltLen, h.p.KeyLen = uint32(len(h.salt)), uint32(len(h.key))
	return &h, nil
}

func (h *hash) verify(password string) bool {
	got := argon2.IDKey([]byte(password), h.salt, h.p.Time, h.p.Memory, h.p.Threads, h.p.KeyLen)
	return subtle.ConstantTimeCompare(got, h.key) == 1
}

// CheckHash reports whether s is a usable argon2id hash (ErrLegacyHash,
// ErrMalformedHash otherwise).
func CheckHash(s string) error {
	_, err := parseHash(s)
	return err
}

// VerifyPassword reports whether password matches the PHC string. The
// comparison takes constant time. A malformed or legacy hash is an error,
// never a match.
func VerifyPassword(phc, password string) (bool, error) {
	h, err := parseHash(phc)
	if err != nil {
		return false, err
	}
	return h.verify(password), nil
}
