//go:build !windows

package main

import (
	"strings"
	"testing"
)

func TestAutosplitListedAndFlags(t *testing.T) {
	bin := binary(t)
	_, stderr, _ := run(t, bin)
	if !strings.Contains(stderr, "  splits    precision and recall") {
		t.Errorf("usage does not list splits:\n%s", stderr)
	}
	if _, _, code := run(t, bin, "splits", "--no-such-flag"); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
}
