package measure

import (
	"context"
	"os"
	"regexp"
	"testing"
	"time"

	"poststelle/mailroom/testcorpus"
	"poststelle/ocr"
)

func TestMain(m *testing.M) {
	ocr.SingleThreaded()
	os.Exit(m.Run())
}

// TestCorpusBatches measures the boundary scorer on the corpus batches and
// fails below the targets: precision and recall ≥ 0.95 with page
// numbering and ≥ 0.8 without, per batch and overall, and not one proposal
// inside a single document.
func TestCorpusBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("recognises about 50 pages with tesseract")
	}
	corpus := testcorpus.Dir(t)
	pool, err := ocr.New(ocr.Options{Languages: "deu+eng", Workers: 2, NoOSD: true})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	rec := &Recogniser{Corpus: corpus, Pool: pool, Log: t.Logf, CacheDir: os.Getenv("POSTSTELLE_AUTOSPLIT_CACHE")}
	t0 := time.Now()
	rep, err := Run(context.Background(), rec, Batches())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("recognised and scored in %v\n%s", time.Since(t0).Round(time.Second), rep.Table())
	checkPainted(t, rec)
	for _, f := range rep.Failures() {
		t.Error(f)
	}
	for _, b := range rep.Batches {
		if len(rep.Failures()) > 0 {
			logGaps(t, b)
		}
	}
	// Failures sees what it checks: a report with a proposal inside a single
	// document and a missed boundary fails.
	bad := Report{Batches: []BatchResult{{Batch: Batch{Name: "x", Kind: Negative}, Proposed: []int{2}},
		{Batch: Batch{Name: "y", Kind: Numbered, Starts: []int{3}}, Counts: Counts{FN: 1}}}, ByKind: map[Kind]Counts{}}
	if len(bad.Failures()) < 3 {
		t.Errorf("Failures of a bad report: %v", bad.Failures())
	}
}

// checkPainted makes sure the unnumbered variants really lost their page
// numbers: none of the painted pages may still read as "Seite N".
func checkPainted(t *testing.T, rec *Recogniser) {
	re := regexp.MustCompile(`(?i)seite\s*\d`)
	n := 0
	for ref, e := range rec.cache {
		if !ref.Paint {
			continue
		}
		n++
		if re.MatchString(e.page.Text) {
			t.Errorf("%s page %d: page number still readable after painting: %q", ref.File, ref.Page, re.FindString(e.page.Text))
		}
	}
	if n == 0 {
		t.Error("no painted pages measured")
	}
}

func logGaps(t *testing.T, b BatchResult) {
	for _, g := range b.Result.Gaps {
		t.Logf("  %s gap before %d: %.2f %+v", b.Batch.Name, g.Page, g.Score, g.Reasons)
	}
}
