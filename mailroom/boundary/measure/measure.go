package measure

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"poststelle/mailroom/boundary"
)

// Counts are boundary decisions compared with the known boundaries.
type Counts struct {
	TP, FP, FN int
}

// Add adds c2 to c.
func (c *Counts) Add(c2 Counts) { c.TP, c.FP, c.FN = c.TP+c2.TP, c.FP+c2.FP, c.FN+c2.FN }

// Precision is TP / (TP + FP); 1 when nothing was proposed.
func (c Counts) Precision() float64 {
	if c.TP+c.FP == 0 {
		return 1
	}
	return float64(c.TP) / float64(c.TP+c.FP)
}

// Recall is TP / (TP + FN); 1 when there was nothing to find.
func (c Counts) Recall() float64 {
	if c.TP+c.FN == 0 {
		return 1
	}
	return float64(c.TP) / float64(c.TP+c.FN)
}

// BatchResult is the outcome for one batch.
type BatchResult struct {
	Batch    Batch
	Proposed []int // 1-based positions proposed as starts
	Counts   Counts
	Result   boundary.Result
}

// Report is the outcome of a run.
type Report struct {
	Batches []BatchResult
	ByKind  map[Kind]Counts
	Pages   int           // pages scored (over all batches)
	Score   time.Duration // wall time spent in boundary.Score
	CPU     time.Duration // CPU time of the process meanwhile (nothing else runs then); 0 unknown
}

// PerPage is the scoring time per page: the CPU time where known (on a
// shared machine the wall time mostly measures the neighbours), else the
// wall time.
func (r Report) PerPage() time.Duration {
	if r.Pages == 0 {
		return 0
	}
	if r.CPU > 0 {
		return r.CPU / time.Duration(r.Pages)
	}
	return r.Score / time.Duration(r.Pages)
}

// Run recognises every page of the batches (each distinct page once) and
// scores them.
func Run(ctx context.Context, rec *Recogniser, batches []Batch) (Report, error) {
	var refs []PageRef
	seen := map[PageRef]bool{}
	for _, b := range batches {
		for _, p := range b.Pages {
			if !seen[p] {
				seen[p] = true
				refs = append(refs, p)
			}
		}
	}
	if err := rec.Prefetch(ctx, refs); err != nil {
		return Report{}, err
	}
	rep := Report{ByKind: map[Kind]Counts{}}
	for _, b := range batches {
		pages := make([]boundary.Page, len(b.Pages))
		for i, ref := range b.Pages {
			p, err := rec.Page(ctx, ref)
			if err != nil {
				return rep, err
			}
			p.Source = i + 1
			pages[i] = p
		}
		t0, c0 := time.Now(), cpuTime()
		res := boundary.Score(pages, boundary.Options{})
		rep.Score += time.Since(t0)
		rep.CPU += cpuTime() - c0
		rep.Pages += len(pages)
		br := BatchResult{Batch: b, Result: res}
		for _, p := range res.Proposals {
			br.Proposed = append(br.Proposed, p.Page)
		}
		br.Counts = compare(br.Proposed, b.Starts)
		c := rep.ByKind[b.Kind]
		c.Add(br.Counts)
		rep.ByKind[b.Kind] = c
		rep.Batches = append(rep.Batches, br)
	}
	return rep, nil
}

// Margins are the lowest score at a true boundary and the highest score
// elsewhere ("-" when there is none): how far the decisions are from the
// threshold.
func (b BatchResult) Margins() (minTrue, maxElse string) {
	want := map[int]bool{}
	for _, s := range b.Batch.Starts {
		want[s] = true
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, g := range b.Result.Gaps {
		if want[g.Page] {
			lo = math.Min(lo, g.Score)
		} else {
			hi = math.Max(hi, g.Score)
		}
	}
	f := func(v float64) string {
		if math.IsInf(v, 0) {
			return "-"
		}
		return fmt.Sprintf("%.2f", v)
	}
	return f(lo), f(hi)
}

// Failures lists what falls short of the targets (issue 18): a batch or a
// kind below its precision or recall target, a proposal inside a single
// document.
func (r Report) Failures() []string {
	var out []string
	for _, b := range r.Batches {
		if b.Batch.Kind == Negative {
			if len(b.Proposed) > 0 {
				out = append(out, fmt.Sprintf("%s: one document, but proposed %v", b.Batch.Name, b.Proposed))
			}
			continue
		}
		if min := Targets[b.Batch.Kind]; b.Counts.Precision() < min || b.Counts.Recall() < min {
			out = append(out, fmt.Sprintf("%s: precision %.2f, recall %.2f, want ≥ %.2f", b.Batch.Name,
				b.Counts.Precision(), b.Counts.Recall(), min))
		}
	}
	for _, k := range []Kind{Numbered, Unnumbered} {
		c, min := r.ByKind[k], Targets[k]
		if c.TP+c.FN == 0 {
			out = append(out, fmt.Sprintf("all %s: no boundaries measured", k))
		} else if c.Precision() < min || c.Recall() < min {
			out = append(out, fmt.Sprintf("all %s: precision %.2f, recall %.2f, want ≥ %.2f", k, c.Precision(), c.Recall(), min))
		}
	}
	if r.PerPage() > 5*time.Millisecond {
		out = append(out, fmt.Sprintf("scoring costs %v per page, want ≤ 5 ms", r.PerPage()))
	}
	return out
}

func compare(proposed, starts []int) Counts {
	want := map[int]bool{}
	for _, s := range starts {
		want[s] = true
	}
	var c Counts
	for _, p := range proposed {
		if want[p] {
			c.TP++
			delete(want, p)
		} else {
			c.FP++
		}
	}
	c.FN = len(want)
	return c
}

// Table formats the report: one line per batch, then per kind.
func (r Report) Table() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-26s %-10s %5s  %-14s %-14s %3s %3s %3s %9s %6s %8s %8s\n", "batch", "kind", "pages", "boundaries", "proposed",
		"tp", "fp", "fn", "precision", "recall", "min-true", "max-else")
	for _, b := range r.Batches {
		lo, hi := b.Margins()
		fmt.Fprintf(&sb, "%-26s %-10s %5d  %-14s %-14s %3d %3d %3d %9.2f %6.2f %8s %8s\n", b.Batch.Name, b.Batch.Kind, len(b.Batch.Pages),
			ints(b.Batch.Starts), ints(b.Proposed), b.Counts.TP, b.Counts.FP, b.Counts.FN, b.Counts.Precision(), b.Counts.Recall(), lo, hi)
	}
	for _, k := range []Kind{Numbered, Unnumbered, Negative} {
		c := r.ByKind[k]
		fmt.Fprintf(&sb, "%-26s %-10s %5s  %-14s %-14s %3d %3d %3d %9.2f %6.2f\n", "all", k, "", "", "", c.TP, c.FP, c.FN, c.Precision(), c.Recall())
	}
	fmt.Fprintf(&sb, "scoring: %d pages, %v CPU per page (wall %v per page)\n", r.Pages, r.PerPage(),
		r.Score/time.Duration(max(1, r.Pages)))
	return sb.String()
}

func ints(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return "[" + strings.Join(s, " ") + "]"
}
