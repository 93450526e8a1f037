package mailroom

import (
	"strings"
	"testing"
)

func TestProposedSplitsFollowThePages(t *testing.T) {
	d := &Document{Pages: []int{1, 2, 3, 4, 5}, Metadata: map[string]string{}}
	SetProposedSplits(d, []SplitProposal{{Page: 4, Score: 3}, {Page: 1, Score: 5}, {Page: 2, Score: 2.5}})
	got := ProposedSplits(d)
	if len(got) != 2 || got[0].Page != 2 || got[1].Page != 4 {
		t.Fatalf("proposals %+v, want pages 2 and 4 (page 1 is the first page)", got)
	}
	// After a split the tail keeps only its own, and not its first page.
	tail := &Document{Pages: []int{4, 5}, Metadata: d.Metadata}
	if got := ProposedSplits(tail); len(got) != 0 {
		t.Fatalf("tail proposals %+v", got)
	}
	AddDismissedSplit(d, 4)
	AddDismissedSplit(d, 2)
	if m := DismissedSplits(d); !m[2] || !m[4] || len(m) != 2 || d.Metadata[MetaDismissedSplits] != "[2,4]" {
		t.Fatalf("dismissed %v %q", m, d.Metadata[MetaDismissedSplits])
	}
	SetProposedSplits(d, nil)
	if _, ok := d.Metadata[MetaProposedSplits]; ok {
		t.Fatal("empty proposals left the key")
	}
}

func TestAutoSplitConfig(t *testing.T) {
	c, err := Default(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if c.Separators.AutoSplit != AutoSplitPropose || (SeparatorConfig{}).AutoSplitMode() != AutoSplitPropose {
		t.Fatalf("default %q", c.Separators.AutoSplit)
	}
	c.Separators.AutoSplit = "sometimes"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "separators.auto_split") {
		t.Fatalf("bad mode: %v", err)
	}
	for _, m := range []string{AutoSplitOff, AutoSplitApply} {
		c.Separators.AutoSplit = m
		if err := c.Validate(); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
	}
}
