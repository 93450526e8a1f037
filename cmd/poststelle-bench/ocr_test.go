//go:build !windows

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"poststelle/mailroom/testcorpus"
)

// TestOCRBenchOnePage runs `ocr -json` on one page of the scanned batch with
// its ground truth: Poststelle's recognition (in the child process this
// program starts of itself) and bare tesseract both read the page.
func TestOCRBenchOnePage(t *testing.T) {
	if testing.Short() {
		t.Skip("OCR of a page: not in -short")
	}
	for _, tool := range []string{"qpdf", "pdftoppm", "tesseract"} {
		needTool(t, tool)
	}
	bin := binary(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "page.pdf")
	batch := testcorpus.Path(t, "scans", "batch-visible.pdf")
	if out, err := exec.Command("qpdf", "--empty", "--pages", batch, "1", "--", in).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v %s", err, out)
	}
	os.MkdirAll(filepath.Join(dir, "groundtruth"), 0o700)
	gt, err := os.ReadFile(testcorpus.Path(t, "scans", "groundtruth", "EN16931_Einfach-1.txt"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "groundtruth", "EN16931_Einfach-1.txt"), gt, 0o600)
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("Pages:\n1. EN16931_Einfach-1\n"), 0o600)

	out, stderr, code := run(t, bin, "ocr", "-input", in, "-truth", dir, "-skip-ocrmypdf", "-workers", "1", "-json")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	var res struct {
		Input string     `json:"input"`
		Runs  []benchRun `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	if res.Input != in || len(res.Runs) != 2 || res.Runs[0].Name != "poststelle" || !strings.HasPrefix(res.Runs[1].Name, "tesseract CLI") {
		t.Fatalf("runs: %+v", res)
	}
	for _, r := range res.Runs {
		if r.Err != "" || r.Pages != 1 || r.Seconds <= 0 || r.PPM <= 0 || r.PeakRSSMB <= 0 || r.Recall < 0.8 || r.CER > 0.5 {
			t.Errorf("%s: %+v", r.Name, r)
		}
	}
}
