package boundary

import (
	"fmt"
	"testing"
)

// densePage is a page of running text: 60 lines of 14 words (840 words),
// more than a letter or an invoice carries, with a footer page number.
func densePage(src int) Page {
	var ls []at
	for i := 0; i < 60; i++ {
		ls = append(ls, at{25, 20 + float64(i)*4.2,
			fmt.Sprintf("und die Verwaltung der Stadt prüft den Antrag Nr. %d vom 05.03.2024 mit allen Unterlagen sorgfältig", i)})
	}
	ls = append(ls, at{160, 288, fmt.Sprintf("Seite %d von 9", src)})
	return page(src, ls...)
}

// BenchmarkScore measures the cost per page of scoring a batch (the
// issue's budget is 5 ms per page on top of recognition).
func BenchmarkScore(b *testing.B) {
	pages := make([]Page, 9)
	for i := range pages {
		pages[i] = densePage(i + 1)
	}
	words := 0
	for _, p := range pages {
		words += len(p.Words)
	}
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		Score(pages, Options{})
	}
	n := float64(b.N * len(pages))
	b.ReportMetric(float64(b.Elapsed().Microseconds())/n/1000, "ms/page")
	if c := cpuTime() - c0; c > 0 {
		b.ReportMetric(c*1000/n, "cpu-ms/page")
	}
	b.ReportMetric(float64(words/len(pages)), "words/page")
}
