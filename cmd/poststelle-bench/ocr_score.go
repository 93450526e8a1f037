package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"poststelle/ocr/textscore"
)

// benchRun is one system's outcome.
type benchRun struct {
	Name      string   `json:"name"`
	Pages     int      `json:"pages"`
	Seconds   float64  `json:"seconds"`
	PPM       float64  `json:"pages_per_minute"`
	PeakRSSMB float64  `json:"peak_rss_mb"`
	CER       float64  `json:"cer"`
	Recall    float64  `json:"word_recall"`
	Precision float64  `json:"word_precision"`
	F1        float64  `json:"word_f1"`
	Texts     []string `json:"-"`
	Err       string   `json:"error,omitempty"`
}

// loadTruth reads the page list "N. NAME" from README.md in dir and the
// texts groundtruth/NAME.txt.
func loadTruth(dir string) ([]string, error) {
	f, err := os.Open(filepath.Join(dir, "README.md"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	re := regexp.MustCompile(`^(\d+)\. (\S+)\s*$`)
	var texts []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := re.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, "groundtruth", m[2]+".txt"))
		if err != nil {
			return nil, err
		}
		texts = append(texts, string(data))
	}
	if len(texts) == 0 {
		return nil, fmt.Errorf("no page list in %s/README.md", dir)
	}
	return texts, nil
}

// score fills pages per minute, CER and bag-of-words figures. Ground truth
// repeats when the input was repeated.
func score(r benchRun, truth []string) benchRun {
	r.Pages = len(r.Texts)
	if r.Err != "" || r.Pages == 0 {
		if r.Err == "" {
			r.Err = "no pages recognised"
		}
		return r
	}
	r.PPM = float64(r.Pages) / r.Seconds * 60
	var dist, tlen, hit, got, want int
	for i, t := range r.Texts {
		gt := truth[i%len(truth)]
		d, n := textscore.EditDistance(textscore.Normalize(t), textscore.Normalize(gt))
		dist += d
		tlen += n
		h, g, w := bagMatch(t, gt)
		hit, got, want = hit+h, got+g, want+w
	}
	r.CER = float64(dist) / float64(max(1, tlen))
	r.Recall = float64(hit) / float64(max(1, want))
	r.Precision = float64(hit) / float64(max(1, got))
	if r.Recall+r.Precision > 0 {
		r.F1 = 2 * r.Recall * r.Precision / (r.Recall + r.Precision)
	}
	return r
}

// bagMatch compares words (whitespace-separated, surrounding punctuation
// removed, case kept) as bags: matched, recognised and true word counts.
func bagMatch(got, truth string) (int, int, int) {
	bag := func(s string) map[string]int {
		m := map[string]int{}
		for _, w := range strings.Fields(s) {
			w = strings.Trim(w, ".,;:!?()[]{}\"'«»„“”‚‘’*|")
			if w != "" {
				m[w]++
			}
		}
		return m
	}
	g, t := bag(got), bag(truth)
	hit, ng, nt := 0, 0, 0
	for w, n := range t {
		nt += n
		hit += min(n, g[w])
	}
	for _, n := range g {
		ng += n
	}
	return hit, ng, nt
}

func sortNatural(files []string) {
	num := func(s string) int {
		b := strings.TrimSuffix(filepath.Base(s), ".png")
		n, _ := strconv.Atoi(b[strings.LastIndex(b, "-")+1:])
		return n
	}
	for i := 1; i < len(files); i++ {
		for j := i; j > 0 && num(files[j]) < num(files[j-1]); j-- {
			files[j], files[j-1] = files[j-1], files[j]
		}
	}
}
