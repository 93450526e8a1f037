package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"poststelle/cmd/internal/clitest"
)

func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s missing (Debian package in .ci/packages.txt)", name)
		}
		t.Skipf("%s not installed", name)
	}
}

func binary(t *testing.T) string { return clitest.Binary(t, ".", "poststelle-bench") }

func run(t *testing.T, bin string, args ...string) (string, string, int) {
	t.Helper()
	return clitest.Run(t, bin, args...)
}

// The program lists both benchmarks and refuses unknown flags and a missing
// zbarimg with the exit codes of `poststelle bench-barcodes`.
func TestUsageAndFlagErrors(t *testing.T) {
	bin := binary(t)
	_, stderr, code := run(t, bin)
	if code != 2 || !strings.Contains(stderr, "usage: poststelle-bench COMMAND") ||
		!strings.Contains(stderr, "  barcodes  measure barcode detection") ||
		(runtime.GOOS != "windows" && !strings.Contains(stderr, "  ocr       compare recognition")) {
		t.Fatalf("usage: exit %d\n%s", code, stderr)
	}
	if _, _, code := run(t, bin, "barcodes", "--no-such-flag"); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
	_, stderr, code = run(t, bin, "barcodes", "--corpus", t.TempDir(), "--zbarimg", filepath.Join(t.TempDir(), "none"))
	if code != 1 || !strings.Contains(stderr, "zbarimg not found") {
		t.Errorf("missing zbarimg: exit %d, %q", code, stderr)
	}
}
