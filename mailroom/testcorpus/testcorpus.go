// Package testcorpus finds the shared public test corpus (../shared/corpus
// beside the repository) for tests and benchmarks.
package testcorpus

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the corpus directory: $POSTSTELLE_CORPUS, or shared/corpus found
// by walking up from the working directory. Without it the test is skipped
// locally and fails under CI (CI=true), where the corpus must be present.
func Dir(tb testing.TB) string {
	tb.Helper()
	if d := Find(); d != "" {
		return d
	}
	if os.Getenv("CI") != "" {
		tb.Fatal("test corpus not found: set POSTSTELLE_CORPUS or place shared/corpus beside the repository")
	}
	tb.Skip("test corpus not found (set POSTSTELLE_CORPUS)")
	return ""
}

// Path returns a file inside the corpus.
func Path(tb testing.TB, rel ...string) string {
	tb.Helper()
	return filepath.Join(append([]string{Dir(tb)}, rel...)...)
}

// Find returns the corpus directory or "".
func Find() string {
	if d := os.Getenv("POSTSTELLE_CORPUS"); d != "" {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			return d
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		for _, c := range []string{filepath.Join(d, "shared", "corpus"), filepath.Join(d, "..", "shared", "corpus")} {
			if fi, err := os.Stat(filepath.Join(c, "README.md")); err == nil && !fi.IsDir() {
				abs, _ := filepath.Abs(c)
				return abs
			}
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}
