package hotfolder

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzSafeName: whatever a share user names a file, the recorded name is
// valid UTF-8 without control characters, direction overrides, slashes or
// backslashes, at most maxNameBytes long, not empty, and stable (cleaning it
// again changes nothing).
func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"brief.pdf", "Rechnung\x1b[31m\n\u202efdp.pdf", "", " ", "\xff\xfe.pdf", "a/b\\c.pdf",
		strings.Repeat("ä", 300) + ".pdf", "con.pdf", "\u2066x\u2069"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := SafeName(name)
		if !utf8.ValidString(got) || got == "" || len(got) > maxNameBytes {
			t.Fatalf("SafeName(%q) = %q", name, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || isBidi(r) || r == '/' || r == '\\' {
				t.Fatalf("SafeName(%q) = %q keeps %U", name, got, r)
			}
		}
		if again := SafeName(got); again != got {
			t.Fatalf("not stable: %q → %q → %q", name, got, again)
		}
	})
}
