package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, rel)
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestViolationsAreFound(t *testing.T) {
	root := t.TempDir()
	long := "package a\n\nfunc Long() {\n" + strings.Repeat("\t_ = 1\n", 85) + "}\n"
	write(t, root, "a/a.go", long)
	write(t, root, "a/a_test.go", long) // tests may be long
	write(t, root, "mailroom/m.go", "package mailroom\n\nimport _ \"poststelle/mailroom/store\"\n")
	write(t, root, "mailroom/ok.go", "package mailroom\n\nimport _ \"poststelle/mailroom/safefile\"\n")
	write(t, root, "x/xtest/server.go", "package xtest\n"+strings.Repeat("// line\n", 700)) // a test double
	write(t, root, "big/big.go", "package big\n"+strings.Repeat("// line\n", 700))
	files, err := scan(root)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	n := report(&out, files)
	got := out.String()
	for _, want := range []string{"function over 80 lines: " + filepath.Join(root, "a/a.go") + ":3 Long (87)",
		"imports an adapter: " + filepath.Join(root, "mailroom/m.go") + " imports poststelle/mailroom/store",
		"file over 600 lines: " + filepath.Join(root, "big/big.go")} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if n != 3 || strings.Contains(got, "xtest") || strings.Contains(got, "ok.go") {
		t.Fatalf("%d violations, want 3 (test files, test doubles and leaf imports allowed):\n%s", n, got)
	}
}
