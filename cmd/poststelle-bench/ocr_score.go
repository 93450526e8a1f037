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

// The systems, in the order of the table. The floor is the reference every
// time is divided by.
const (
	sysOCRmyPDF   = "ocrmypdf"
	sysTesseract  = "tesseract"
	sysFloor      = "floor"
	sysPoststelle = "poststelle"
)

// textScore is a text's score against the ground truth: the character
// error rate and the words as bags (docs: the corpus README).
type textScore struct {
	CER       float64 `json:"cer"`
	Recall    float64 `json:"word_recall"`
	Precision float64 `json:"word_precision"`
	F1        float64 `json:"word_f1"`
}

// benchRun is one system's outcome. Seconds is the timed span, FloorRatio
// Seconds divided by the floor's Seconds.
type benchRun struct {
	Key        string  `json:"key"`
	Name       string  `json:"name"`
	Command    string  `json:"command"`
	ScoredOn   string  `json:"scored_on"` // "pdftotext" of the PDF it wrote, or "Text()" (the floor)
	Pages      int     `json:"pages"`
	Seconds    float64 `json:"seconds"`
	PPM        float64 `json:"pages_per_minute"`
	FloorRatio float64 `json:"time_ratio_to_floor,omitempty"`
	textScore
	PeakRSSMB      float64    `json:"peak_rss_mb_summed"`
	EngineSeconds  float64    `json:"engine_seconds,omitempty"`  // part of Seconds spent creating engines (children)
	ProcessSeconds float64    `json:"process_seconds,omitempty"` // wall time of the child process
	DecodeSeconds  float64    `json:"decode_seconds,omitempty"`  // floor: part of Seconds spent decoding JPEGs in Go (summed over workers)
	Rotations      []int      `json:"rotations,omitempty"`       // Poststelle: degrees each page was turned
	InMemory       *textScore `json:"in_memory,omitempty"`       // Poststelle: its page texts before the PDF, for comparison
	Err            string     `json:"error,omitempty"`
	Texts          []string   `json:"-"`
	memTexts       []string
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

// score fills pages per minute, CER and bag-of-words figures for a run
// that should have read pages pages. Ground truth repeats when the input
// was repeated.
func score(r benchRun, truth []string, pages int) benchRun {
	r.Pages = len(r.Texts)
	if r.Err == "" && r.Pages != pages {
		r.Err = fmt.Sprintf("%d pages of text for %d pages", r.Pages, pages)
	}
	if r.Err != "" {
		return r
	}
	if r.Seconds > 0 {
		r.PPM = float64(r.Pages) / r.Seconds * 60
	}
	r.textScore = scoreTexts(r.Texts, truth)
	if r.memTexts != nil {
		s := scoreTexts(r.memTexts, truth)
		r.InMemory = &s
	}
	return r
}

// scoreTexts scores page texts against the truth, page i against truth
// page i modulo its length.
func scoreTexts(texts, truth []string) textScore {
	var s textScore
	var dist, tlen, hit, got, want int
	for i, t := range texts {
		gt := truth[i%len(truth)]
		d, n := textscore.EditDistance(textscore.Normalize(t), textscore.Normalize(gt))
		dist += d
		tlen += n
		h, g, w := bagMatch(t, gt)
		hit, got, want = hit+h, got+g, want+w
	}
	s.CER = float64(dist) / float64(max(1, tlen))
	s.Recall = float64(hit) / float64(max(1, want))
	s.Precision = float64(hit) / float64(max(1, got))
	if s.Recall+s.Precision > 0 {
		s.F1 = 2 * s.Recall * s.Precision / (s.Recall + s.Precision)
	}
	return s
}

// divideByFloor sets every successful run's time ratio to the floor row's
// seconds. It returns false when there is no successful floor row.
func divideByFloor(runs []benchRun) bool {
	var floor float64
	for _, r := range runs {
		if r.Key == sysFloor && r.Err == "" && r.Seconds > 0 {
			floor = r.Seconds
		}
	}
	if floor == 0 {
		return false
	}
	for i := range runs {
		if runs[i].Err == "" && runs[i].Seconds > 0 {
			runs[i].FloorRatio = runs[i].Seconds / floor
		}
	}
	return true
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
		b := filepath.Base(s)
		b = strings.TrimSuffix(b, filepath.Ext(b))
		n, _ := strconv.Atoi(b[strings.LastIndex(b, "-")+1:])
		return n
	}
	for i := 1; i < len(files); i++ {
		for j := i; j > 0 && num(files[j]) < num(files[j-1]); j-- {
			files[j], files[j-1] = files[j-1], files[j]
		}
	}
}
