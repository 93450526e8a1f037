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
	r := score(benchRun{Name: "x", Seconds: 30, Texts: []string{"eins zwei", "drei", "eins zwei", "drie"}}, truth, 4)
	if r.Pages != 4 || r.PPM != 8 || r.Err != "" {
		t.Fatalf("pages %d ppm %v err %q", r.Pages, r.PPM, r.Err)
	}
	// Pages 3 and 4 are scored against truth pages 1 and 2 again: one word of
	// six is wrong ("drie"), at an edit distance of 2 in 26 true characters.
	if math.Abs(r.Recall-5.0/6) > 1e-9 || math.Abs(r.Precision-5.0/6) > 1e-9 || math.Abs(r.F1-5.0/6) > 1e-9 {
		t.Errorf("recall %v precision %v F1 %v", r.Recall, r.Precision, r.F1)
	}
	if want := 2.0 / float64(9+4+9+4); math.Abs(r.CER-want) > 1e-9 {
		t.Errorf("CER %v, want %v", r.CER, want)
	}
	if r.InMemory != nil {
		t.Errorf("in-memory score without in-memory texts: %+v", r.InMemory)
	}
	if e := score(benchRun{Name: "y"}, truth, 2); e.Err != "0 pages of text for 2 pages" {
		t.Errorf("empty run: %+v", e)
	}
	if e := score(benchRun{Name: "w", Seconds: 1, Texts: []string{"eins zwei"}}, truth, 2); e.Err != "1 pages of text for 2 pages" {
		t.Errorf("a page missing: %+v", e)
	}
	if e := score(benchRun{Name: "z", Err: "boom", Texts: []string{"a"}}, truth, 1); e.Err != "boom" || e.PPM != 0 {
		t.Errorf("failed run: %+v", e)
	}
	m := score(benchRun{Name: "m", Seconds: 1, Texts: []string{"eins"}, memTexts: []string{"eins zwei"}}, truth, 1)
	if m.InMemory == nil || m.InMemory.F1 != 1 || m.F1 == 1 {
		t.Errorf("in-memory texts are scored apart: %+v %+v", m, m.InMemory)
	}
}

func TestDivideByFloor(t *testing.T) {
	runs := []benchRun{{Key: sysOCRmyPDF, Seconds: 30}, {Key: sysTesseract, Err: "boom", Seconds: 5},
		{Key: sysFloor, Seconds: 10}, {Key: sysPoststelle, Seconds: 12}}
	if !divideByFloor(runs) {
		t.Fatal("no floor found")
	}
	for i, want := range []float64{3, 0, 1, 1.2} {
		if math.Abs(runs[i].FloorRatio-want) > 1e-9 {
			t.Errorf("%s: ratio %v, want %v", runs[i].Key, runs[i].FloorRatio, want)
		}
	}
	if divideByFloor([]benchRun{{Key: sysFloor, Err: "failed", Seconds: 3}, {Key: sysPoststelle, Seconds: 2}}) {
		t.Error("a failed floor gave ratios")
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
	jpegs := []string{"/t/p-1000.jpg", "/t/p-010.jpg", "/t/p-000.jpg", "/t/p-999.jpg"}
	sortNatural(jpegs)
	if strings.Join(jpegs, " ") != "/t/p-000.jpg /t/p-010.jpg /t/p-999.jpg /t/p-1000.jpg" {
		t.Fatal(jpegs)
	}
}
