package barcode

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
)

// maxMedianPerPage is the time budget of Detect per page (issue 16).
const maxMedianPerPage = 60 * time.Millisecond

// TestDetectTimePerPage measures Detect on one core per page: the 11 pages
// of scans/batch-visible.pdf rendered at 300 dpi (RGBA, as the engine gets
// them), the paperless separator pages and the zxing images. Each page is
// timed three times in CPU time of its thread (the machine is shared: time
// spent waiting for a core does not count) and its fastest run counts; the
// median over the pages of each group must stay within maxMedianPerPage.
// Wall times are logged beside.
func TestDetectTimePerPage(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	groups := map[string][]mailroom.Page{}
	groups["batch-visible.pdf at 300 dpi"] = loadPages(t, testcorpus.Path(t, "scans", "batch-visible.pdf"))
	for _, f := range []string{"split-by-asn-1.pdf", "split-by-tag-basic.pdf", "patch-code-t-double.pdf"} {
		groups["paperless_barcodes"] = append(groups["paperless_barcodes"], loadPages(t, testcorpus.Path(t, "paperless_barcodes", f))...)
	}
	for _, set := range []string{"qrcode-1", "code128-1", "code39-1", "datamatrix-1", "falsepositives-2"} {
		for _, c := range zxingSet(t, set) {
			groups["zxing"] = append(groups["zxing"], mailroom.Page{Image: loadImage(t, c.path)})
		}
	}
	d := New(Options{})
	for _, name := range []string{"batch-visible.pdf at 300 dpi", "paperless_barcodes", "zxing"} {
		var per, walls []time.Duration
		for _, p := range groups[name] {
			best, bestWall := time.Duration(1<<63-1), time.Duration(1<<63-1)
			for r := 0; r < 3; r++ {
				var err error
				wall, cpu := cpuTimed(func() { _, err = d.Detect(context.Background(), p) })
				if err != nil {
					t.Fatal(err)
				}
				best, bestWall = min(best, cpu), min(bestWall, wall)
			}
			per, walls = append(per, best), append(walls, bestWall)
		}
		slices.Sort(per)
		slices.Sort(walls)
		med := per[len(per)/2]
		t.Logf("%s: %d pages, CPU median %.1f ms, max %.1f ms; wall median %.1f ms (one core, fastest of 3 runs per page)",
			name, len(per), ms(med), ms(per[len(per)-1]), ms(walls[len(walls)/2]))
		if med > maxMedianPerPage {
			t.Errorf("%s: median %.1f ms per page, budget %v", name, ms(med), maxMedianPerPage)
		}
	}
}
