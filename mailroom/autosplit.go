package mailroom

import (
	"encoding/json"
	"sort"
)

// Automatic splitting ([separators] auto_split): after recognition the
// boundary scorer (package mailroom/boundary) proposes where a new document
// starts inside a document that arrived without separator sheets.

// Auto-split modes.
const (
	AutoSplitOff     = "off"     // no proposals
	AutoSplitPropose = "propose" // proposals are stored on the document and shown at the desk
	AutoSplitApply   = "apply"   // the document is split at every proposal, as at a separator sheet
)

// MetaProposedSplits is the metadata key holding a document's open split
// proposals: a JSON list of SplitProposal. Proposals accepted or dismissed
// at the desk leave the list; MetaDismissedSplits remembers the dismissed
// source pages so that re-recognition does not propose them again.
const (
	MetaProposedSplits  = "proposed_splits"
	MetaDismissedSplits = "dismissed_splits"
	// MetaAutoSplit holds, on a document cut off automatically (apply
	// mode), the proposal that started it (JSON SplitProposal).
	MetaAutoSplit = "auto_split"
	// MetaAutoSplitDone marks a document that was split automatically, so
	// it is never split automatically again (a merge at the desk stays).
	MetaAutoSplitDone = "auto_split_done"
)

// SplitReason is one signal that speaks for (weight > 0) or against
// (weight < 0) a document boundary.
type SplitReason struct {
	Signal string  `json:"signal"`           // e.g. "numbering-first", "address-field"
	Weight float64 `json:"weight"`           // contribution to the score
	Detail string  `json:"detail,omitempty"` // what was seen, e.g. "Seite 1 von 2"
}

// SplitProposal proposes that source page Page (1-based) starts a new
// document.
type SplitProposal struct {
	Page    int           `json:"page"`
	Score   float64       `json:"score"`
	Reasons []SplitReason `json:"reasons"`
}

// ProposedSplits returns the open proposals of d that still fall inside it:
// the page belongs to d and is not its first page. A proposal whose page
// left the document (split, moved, deleted) is not returned.
func ProposedSplits(d *Document) []SplitProposal {
	var all []SplitProposal
	if s := d.Metadata[MetaProposedSplits]; s == "" || json.Unmarshal([]byte(s), &all) != nil {
		return nil
	}
	pos := map[int]int{}
	for i, p := range d.Pages {
		pos[p] = i
	}
	var out []SplitProposal
	for _, p := range all {
		if i, ok := pos[p.Page]; ok && i > 0 {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return pos[out[i].Page] < pos[out[j].Page] })
	return out
}

// SetProposedSplits stores the proposals on d (or removes the key when
// there are none).
func SetProposedSplits(d *Document, ps []SplitProposal) {
	if len(ps) == 0 {
		delete(d.Metadata, MetaProposedSplits)
		return
	}
	b, _ := json.Marshal(ps)
	if d.Metadata == nil {
		d.Metadata = map[string]string{}
	}
	d.Metadata[MetaProposedSplits] = string(b)
}

// DismissedSplits returns the source pages whose proposals were dismissed.
func DismissedSplits(d *Document) map[int]bool {
	out := map[int]bool{}
	var pages []int
	if json.Unmarshal([]byte(d.Metadata[MetaDismissedSplits]), &pages) == nil {
		for _, p := range pages {
			out[p] = true
		}
	}
	return out
}

// AddDismissedSplit remembers that the proposal at source page was dismissed.
func AddDismissedSplit(d *Document, page int) {
	m := DismissedSplits(d)
	m[page] = true
	pages := make([]int, 0, len(m))
	for p := range m {
		pages = append(pages, p)
	}
	sort.Ints(pages)
	b, _ := json.Marshal(pages)
	if d.Metadata == nil {
		d.Metadata = map[string]string{}
	}
	d.Metadata[MetaDismissedSplits] = string(b)
}
