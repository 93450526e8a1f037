package barcode

import (
	"context"
	"testing"

	"poststelle/mailroom/testcorpus"
)

// BenchmarkDetectA4 times Detect on 300-dpi A4 pages as the engine gets them
// (go-fitz renders RGBA): a letter page without codes and an ASN page.
func BenchmarkDetectA4(b *testing.B) {
	pages := loadPages(b, testcorpus.Path(b, "scans", "batch-visible.pdf"))[:1]
	pages = append(pages, loadPages(b, testcorpus.Path(b, "paperless_barcodes", "split-by-asn-1.pdf"))[2])
	d := New(Options{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Detect(context.Background(), pages[i%len(pages)])
	}
}

// BenchmarkMatrixCandidates times the search for small 2D codes (without
// decoding) on the 11 dense text pages of batch-visible.pdf at 300 dpi.
func BenchmarkMatrixCandidates(b *testing.B) {
	var fulls, smalls []*gray
	for _, p := range loadPages(b, testcorpus.Path(b, "scans", "batch-visible.pdf")) {
		g := toGray(p.Image)
		fulls, smalls = append(fulls, g), append(smalls, g.reduce(2))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % len(fulls)
		matrixCandidates(fullResGray(fulls[j]), smalls[j], 2, 300, nil)
	}
}
