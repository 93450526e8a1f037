package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"poststelle/mailroom/testcorpus"
)

// TestProcessProposesSplits: the corpus' scanned batch (four invoices, no
// separator sheets) stays one document under the default auto_split =
// propose, and its batch line carries the proposed boundaries before pages
// 3, 5 and 9, each with score and reasons (docs/cli.md).
func TestProcessProposesSplits(t *testing.T) {
	if testing.Short() {
		t.Skip("recognises 11 pages")
	}
	bin := binary(t)
	src := testcorpus.Path(t, "scans", "batch-visible.pdf")
	out, stderr, code := run(t, bin, "process", "--data-dir", t.TempDir(), src)
	if code != 0 {
		t.Fatalf("process exit %d: %s", code, stderr)
	}
	lines := jsonLines(t, out)
	if len(lines) != 2 || lines[0]["type"] != "batch" {
		t.Fatalf("want a batch and one document line:\n%s", out)
	}
	ps, ok := lines[0]["proposed_splits"].([]any)
	if !ok {
		t.Fatalf("batch line without proposed_splits: %v", lines[0])
	}
	var pages []float64
	for _, p := range ps {
		m := p.(map[string]any)
		pages = append(pages, m["page"].(float64))
		if m["score"].(float64) < 2 || len(m["reasons"].([]any)) == 0 {
			t.Errorf("proposal without score or reasons: %v", m)
		}
		r := m["reasons"].([]any)[0].(map[string]any)
		if r["signal"] == "" || r["weight"] == nil {
			t.Errorf("reason without signal or weight: %v", r)
		}
	}
	if len(pages) != 3 || pages[0] != 3 || pages[1] != 5 || pages[2] != 9 {
		t.Fatalf("proposed pages %v, want [3 5 9]", pages)
	}
	meta := lines[1]["metadata"].(map[string]any)
	if s, _ := meta["proposed_splits"].(string); !strings.Contains(s, `"page":5`) {
		t.Errorf("document metadata proposed_splits = %q", s)
	}
}

func TestAutoSplitConfigChecked(t *testing.T) {
	bin := binary(t)
	cfg := filepath.Join(t.TempDir(), "poststelle.toml")
	os.WriteFile(cfg, []byte("[separators]\nauto_split = \"sometimes\"\n"), 0o644)
	in := filepath.Join(t.TempDir(), "x.txt")
	os.WriteFile(in, []byte("x"), 0o644)
	_, stderr, code := run(t, bin, "process", "--config", cfg, "--data-dir", t.TempDir(), in)
	if code == 0 || !strings.Contains(stderr, "separators.auto_split") {
		t.Fatalf("exit %d, stderr %q: want an error naming separators.auto_split", code, stderr)
	}
}
