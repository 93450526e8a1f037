package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"poststelle/mailroom/testcorpus"
)

func TestBagMatch(t *testing.T) {
	// "Rechnung," matches "Rechnung" (punctuation trimmed); case is kept;
	// each true word is matched at most as often as it occurs.
	hit, got, want := bagMatch("Rechnung, Nr. 12 nr 12 12", "Rechnung Nr 12 12 Betrag")
	if hit != 4 || got != 6 || want != 5 {
		t.Fatalf("bagMatch = %d %d %d, want 4 6 5", hit, got, want)
	}
}

func TestScoreRepeatsTruthAndKeepsErrors(t *testing.T) {
	truth := []string{"eins zwei", "drei"}
	r := score(benchRun{Name: "x", Seconds: 30, Texts: []string{"eins zwei", "drei", "eins zwei", "drie"}}, truth)
	if r.Pages != 4 || r.PPM != 8 {
		t.Fatalf("pages %d ppm %v", r.Pages, r.PPM)
	}
	// Pages 3 and 4 are scored against truth pages 1 and 2 again: one word of
	// six is wrong ("drie"), at an edit distance of 2 in 26 true characters.
	if math.Abs(r.Recall-5.0/6) > 1e-9 || math.Abs(r.Precision-5.0/6) > 1e-9 || math.Abs(r.F1-5.0/6) > 1e-9 {
		t.Errorf("recall %v precision %v F1 %v", r.Recall, r.Precision, r.F1)
	}
	if want := 2.0 / float64(9+4+9+4); math.Abs(r.CER-want) > 1e-9 {
		t.Errorf("CER %v, want %v", r.CER, want)
	}
	if e := score(benchRun{Name: "y"}, truth); e.Err != "no pages recognised" {
		t.Errorf("empty run: %+v", e)
	}
	if e := score(benchRun{Name: "z", Err: "boom", Texts: []string{"a"}}, truth); e.Err != "boom" || e.PPM != 0 {
		t.Errorf("failed run: %+v", e)
	}
}

func TestLoadTruthCorpusOrder(t *testing.T) {
	dir := filepath.Dir(testcorpus.Path(t, "scans", "batch-visible.pdf"))
	texts, err := loadTruth(dir)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(filepath.Join(dir, "groundtruth", "EN16931_Einfach-1.txt"))
	last, _ := os.ReadFile(filepath.Join(dir, "groundtruth", "XRECHNUNG_Einfach-3.txt"))
	if len(texts) != 11 || texts[0] != string(first) || texts[10] != string(last) {
		t.Fatalf("%d pages; first %.30q", len(texts), texts[0])
	}
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "README.md"), []byte("no list here\n"), 0o600)
	if _, err := loadTruth(empty); err == nil || !strings.Contains(err.Error(), "no page list") {
		t.Errorf("README without a list: %v", err)
	}
}

func TestSortNatural(t *testing.T) {
	files := []string{"/t/p-10.png", "/t/p-2.png", "/t/p-1.png", "/t/p-11.png"}
	sortNatural(files)
	if strings.Join(files, " ") != "/t/p-1.png /t/p-2.png /t/p-10.png /t/p-11.png" {
		t.Fatal(files)
	}
}
