//go:build !windows

package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"poststelle/mailroom/testcorpus"
)

// twoPages writes the first two pages of the scanned batch and their ground
// truth into a temp dir.
func twoPages(t *testing.T) (pdf, truthDir string) {
	t.Helper()
	dir := t.TempDir()
	pdf = filepath.Join(dir, "two.pdf")
	batch := testcorpus.Path(t, "scans", "batch-visible.pdf")
	if out, err := exec.Command("qpdf", "--empty", "--pages", batch, "1-2", "--", pdf).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v %s", err, out)
	}
	os.MkdirAll(filepath.Join(dir, "groundtruth"), 0o700)
	for _, name := range []string{"EN16931_Einfach-1", "EN16931_Einfach-2"} {
		gt, err := os.ReadFile(testcorpus.Path(t, "scans", "groundtruth", name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "groundtruth", name+".txt"), gt, 0o600)
	}
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("Pages:\n1. EN16931_Einfach-1\n2. EN16931_Einfach-2\n"), 0o600)
	return pdf, dir
}

// TestOCRBenchSmoke is the smoke run of `poststelle-bench ocr` (CI): two
// pages of the scanned batch, one worker, all four systems. OCRmyPDF may be
// left out only where it is not installed and CI is unset.
func TestOCRBenchSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("OCR of two pages by four systems: not in -short")
	}
	for _, tool := range []string{"qpdf", "pdftoppm", "pdfimages", "pdftotext", "tesseract"} {
		needTool(t, tool)
	}
	args := []string{"ocr", "-workers", "1", "-json"}
	want := []string{sysOCRmyPDF, sysTesseract, sysFloor, sysPoststelle}
	if _, err := exec.LookPath("ocrmypdf"); err != nil && os.Getenv("CI") == "" {
		t.Log("ocrmypdf not installed: its row is skipped")
		args = append(args, "-skip-ocrmypdf")
	}
	bin := binary(t)
	in, truth := twoPages(t)
	out, stderr, code := run(t, bin, append(args, "-input", in, "-truth", truth)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	var rep ocrReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	if rep.Input != in || rep.Pages != 2 || rep.Workers != 1 || rep.Languages != "deu+eng" || len(rep.Runs) != len(want) {
		t.Fatalf("report: %+v", rep)
	}
	floor := rep.Runs[2]
	for i, r := range rep.Runs {
		if r.Key != want[i] {
			t.Errorf("row %d is %q, want %q", i, r.Key, want[i])
		}
		if r.Err == "skipped (-skip-ocrmypdf)" && r.Key == sysOCRmyPDF {
			continue
		}
		if r.Err != "" || r.Pages != 2 || r.Seconds <= 0 || r.PeakRSSMB <= 0 || r.F1 <= 0.8 {
			t.Errorf("%s: %+v", r.Name, r)
		}
		if floor.Seconds > 0 && math.Abs(r.FloorRatio-r.Seconds/floor.Seconds) > 1e-9 {
			t.Errorf("%s: ratio %v, want %v / %v", r.Name, r.FloorRatio, r.Seconds, floor.Seconds)
		}
	}
	if floor.ScoredOn != "Text()" || rep.Runs[3].ScoredOn != "pdftotext" || rep.Runs[3].InMemory == nil {
		t.Errorf("scoring: floor %q, poststelle %q %+v", floor.ScoredOn, rep.Runs[3].ScoredOn, rep.Runs[3].InMemory)
	}
	t.Logf("%s", out)
}

// The turned variant turns the image of page 2 itself: a landscape gray
// 300-dpi JPEG without /Rotate, page 1 unchanged.
func TestTurnedPDF(t *testing.T) {
	for _, tool := range []string{"qpdf", "pdftoppm", "pdfimages", "pdfinfo"} {
		needTool(t, tool)
	}
	in, _ := twoPages(t)
	dir := t.TempDir()
	pdf, turned, err := turnedPDF(t.Context(), in, 2, dir)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(turned, " ") != "2:+90°" {
		t.Errorf("turned: %v", turned)
	}
	list, err := exec.Command("pdfimages", "-list", pdf).Output()
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSpace(string(list)), "\n")[2:]
	if len(rows) != 2 {
		t.Fatalf("images:\n%s", list)
	}
	f1, f2 := strings.Fields(rows[0]), strings.Fields(rows[1])
	if f1[3] != "2480" || f1[4] != "3508" || f2[3] != "3508" || f2[4] != "2480" || f2[5] != "gray" || f2[8] != "jpeg" || f2[12] != "300" {
		t.Errorf("images:\n%s", list)
	}
	if !onlyJPEGs(t.Context(), pdf, 2) {
		t.Error("turned PDF: pages are not single JPEGs without /Rotate")
	}
}

func TestTurnAngle(t *testing.T) {
	want := map[int]int{1: 0, 2: 90, 3: 0, 5: 0, 6: 180, 10: 270, 11: 0, 14: 90, 18: 180}
	for p, deg := range want {
		if got := turnAngle(p); got != deg {
			t.Errorf("page %d: %d°, want %d°", p, got, deg)
		}
	}
}

// The turned pages' JPEGs say 300 dpi, and jfifDPI reads it back.
func TestGrayJPEG300(t *testing.T) {
	data, err := grayJPEG300(image.NewGray(image.Rect(0, 0, 40, 30)))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.ColorModel != color.GrayModel || cfg.Width != 40 {
		t.Fatalf("%+v %v", cfg, err)
	}
	if d := jfifDPI(data); d != 300 {
		t.Errorf("jfifDPI %d", d)
	}
	if d := jfifDPI([]byte{0xFF, 0xD8, 0xFF, 0xDB}); d != 300 {
		t.Errorf("no JFIF: %d", d)
	}
}

func TestDecodePGM(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 3, 2))
	copy(g.Pix, []byte{1, 2, 3, 4, 5, 255})
	back, err := decodePGM(append([]byte("P5\n# pdftoppm\n3 2\n255\n"), g.Pix...))
	if err != nil || !bytes.Equal(back.Pix, g.Pix) || back.Rect != g.Rect {
		t.Fatalf("%v %v", back, err)
	}
	for _, bad := range []string{"P6\n3 2\n255\n", "P5\n3 2\n65535\n\x00\x00", "P5\n3 2\n255\n\x01"} {
		if _, err := decodePGM([]byte(bad)); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
}
