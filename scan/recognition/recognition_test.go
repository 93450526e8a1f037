package recognition

import (
	"bytes"
	"context"
	"crypto/sha256"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
	"poststelle/ocr"
	"poststelle/ocr/textscore"
	"poststelle/scan/analysis"
	"poststelle/scan/pages"
)

func TestMain(m *testing.M) {
	ocr.SingleThreaded()
	code := m.Run()
	if testPool != nil {
		testPool.Close()
	}
	os.Exit(code)
}

var (
	poolOnce sync.Once
	testPool *ocr.Pool
	poolErr  error
)

func recognition(t *testing.T, mut func(*mailroom.RecognitionConfig)) *Recognition {
	t.Helper()
	poolOnce.Do(func() { testPool, poolErr = ocr.New(ocr.Options{Languages: "deu+eng", Workers: 2}) })
	if poolErr != nil {
		t.Fatal(poolErr)
	}
	cfg := mailroom.RecognitionConfig{Languages: "deu+eng", DPI: 300, TextLayer: "skip", MaxPixels: 200_000_000,
		LowConfidence: 60, Deskew: true, AutoRotate: true}
	if mut != nil {
		mut(&cfg)
	}
	return New(Options{Config: cfg, Recognizer: testPool, Orienter: testPool, Workers: 2})
}

func recognise(t *testing.T, r *Recognition, src string, keep bool, pages ...int) (mailroom.RecognitionResult, string) {
	t.Helper()
	out := t.TempDir()
	res, err := r.Recognise(context.Background(), mailroom.RecognitionJob{DocumentID: "test", Original: src,
		Pages: pages, OutDir: out, WorkDir: t.TempDir(), KeepOriginal: keep})
	if err != nil {
		t.Fatal(err)
	}
	return res, out
}

// bag returns the words of s (letters and digits only, lower case) with counts.
func bag(s string) map[string]int {
	m := map[string]int{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	}) {
		m[w]++
	}
	return m
}

func recall(got, want string) float64 {
	g, w := bag(got), bag(want)
	hit, total := 0, 0
	for k, n := range w {
		total += n
		hit += min(n, g[k])
	}
	return float64(hit) / float64(max(1, total))
}

func TestRecognitionCardinal(t *testing.T) {
	truth, _ := os.ReadFile(testcorpus.Path(t, "ocrmypdf", "linn.txt"))
	res, _ := recognise(t, recognition(t, nil), testcorpus.Path(t, "ocrmypdf", "cardinal.pdf"), false)
	if len(res.Pages) != 4 {
		t.Fatalf("%d pages", len(res.Pages))
	}
	for _, p := range res.Pages {
		rc := recall(p.Text, string(truth))
		t.Logf("page %d: rotation %d°, skew %.2f°, confidence %.1f, word recall %.3f, flags %v", p.Page, p.Rotation, p.Skew, p.Confidence, rc, p.Flags)
		if rc < 0.8 {
			t.Errorf("page %d does not read upright: word recall %.3f", p.Page, rc)
		}
	}
	if res.Pages[0].Rotation != 0 {
		t.Errorf("upright page turned by %d°", res.Pages[0].Rotation)
	}
	for _, p := range res.Pages[1:] {
		if p.Rotation == 0 || !contains(p.Flags, mailroom.FlagRotated) {
			t.Errorf("page %d: not turned (%d°, %v)", p.Page, p.Rotation, p.Flags)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The output page, rendered again from the written PDF, is straight.
func TestRecognitionSkewResidual(t *testing.T) {
	res, out := recognise(t, recognition(t, nil), testcorpus.Path(t, "ocrmypdf", "skew.pdf"), false)
	p := res.Pages[0]
	if p.Skew == 0 || !contains(p.Flags, mailroom.FlagDeskewed) {
		t.Fatalf("skew.pdf not deskewed: %+v", p.Flags)
	}
	ps, err := pages.NewOpener(pages.Options{DPI: 300}).Open(context.Background(), res.Output, mailroom.MediaPDF)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	pg, err := ps.Page(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	resid, ok := analysis.DetectSkew(ocr.Gray(pg.Image), pg.DPI, 20)
	t.Logf("corrected %.2f°, residual in output %.2f° (%v)", p.Skew, resid, out)
	if !ok || math.Abs(resid) > 0.5 {
		t.Fatalf("residual skew %.2f° > 0.5°", resid)
	}
}

func TestRecognitionPhototest(t *testing.T) {
	truth, _ := os.ReadFile(testcorpus.Path(t, "tesseract", "phototest.txt"))
	pool, err := ocr.New(ocr.Options{Languages: "eng", Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	r := New(Options{Config: mailroom.RecognitionConfig{DPI: 300, TextLayer: "skip", LowConfidence: 60,
		Deskew: true, AutoRotate: true}, Recognizer: pool, Orienter: pool, Workers: 1})
	res, _ := recognise(t, r, testcorpus.Path(t, "tesseract", "phototest.tif"), false)
	c := textscore.CER(res.Pages[0].Text, string(truth))
	t.Logf("phototest CER %.4f (rotation %d, skew %.2f)", c, res.Pages[0].Rotation, res.Pages[0].Skew)
	if c > 0.01 {
		t.Fatalf("CER %.4f > 0.01:\n%s", c, res.Pages[0].Text)
	}
}

func needTool(t *testing.T, name string) {
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s missing (Debian package in .ci/packages.txt)", name)
		}
		t.Skipf("%s not installed", name)
	}
}

// checkPDFA runs the structural checks on a written PDF.
func checkPDFA(t *testing.T, path string, wantWords ...string) {
	t.Helper()
	needTool(t, "qpdf")
	needTool(t, "pdffonts")
	needTool(t, "pdftotext")
	if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil || !bytes.Contains(out, []byte("No syntax or stream encoding errors")) {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command("pdffonts", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdffonts: %v %s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 3 {
		t.Fatalf("pdffonts: no font\n%s", out)
	}
	for _, l := range lines[2:] {
		if f := strings.Fields(l); len(f) < 7 || f[len(f)-5] != "yes" {
			t.Fatalf("font not embedded: %q", l)
		}
	}
	txt, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range wantWords {
		if !strings.Contains(string(txt), w) {
			t.Errorf("pdftotext: %q not found in\n%.500s", w, txt)
		}
	}
	data, _ := os.ReadFile(path)
	for _, want := range []string{"<pdfaid:part>2</pdfaid:part>", "<pdfaid:conformance>B</pdfaid:conformance>", "/OutputIntents", "/GTS_PDFA1", "/DestOutputProfile"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("%s missing", want)
		}
	}
	for _, bad := range []string{"/Encrypt", "/JavaScript", "/JS ", "/JBIG2Decode"} {
		if bytes.Contains(data, []byte(bad)) {
			t.Errorf("%s present", bad)
		}
	}
}

// Structure of the written PDF/A; see also TestPassthroughScannedPDF,
// which checks the same kind of output for the image streams.
func TestRecognitionPDFStructure(t *testing.T) {
	r := recognition(t, nil)
	res, _ := recognise(t, r, testcorpus.Path(t, "ocrmypdf", "linn.pdf"), false)
	if len(res.Pages) != 1 || filepath.Base(res.Output) != mailroom.FileDocument {
		t.Fatalf("result %+v", res)
	}
	// JBIG2 input is rendered; the output holds 1-bit Flate, never JBIG2
	checkPDFA(t, res.Output, "LinnSequencer")
}

func TestRecognitionJPEGAndBlank(t *testing.T) {
	r := recognition(t, nil)
	src := testcorpus.Path(t, "naps2", "notblank.jpg")
	res, _ := recognise(t, r, src, false)
	if contains(res.Pages[0].Flags, mailroom.FlagBlankPage) {
		t.Fatalf("notblank.jpg flagged blank")
	}
	raw, _ := os.ReadFile(src)
	out, _ := os.ReadFile(res.Output)
	if !bytes.Contains(out, raw) {
		t.Fatal("the JPEG was not passed through unchanged")
	}
	res, _ = recognise(t, r, testcorpus.Path(t, "naps2", "blank1.jpg"), false)
	if !contains(res.Pages[0].Flags, mailroom.FlagBlankPage) || !contains(res.Flags, mailroom.FlagBlankPage) {
		t.Fatalf("blank1.jpg not flagged blank: %v", res.Pages[0].Flags)
	}
	checkPDFA(t, res.Output)
}

func sha(t *testing.T, p string) [32]byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestRecognitionSignedAndKeepOriginal(t *testing.T) {
	r := recognition(t, nil)
	// KeepOriginal: a rendition beside the original, which stays as it is.
	src := testcorpus.Path(t, "paperless_barcodes", "patch-code-t.pdf")
	before := sha(t, src)
	res, out := recognise(t, r, src, true)
	if filepath.Base(res.Output) != mailroom.FileRendition || res.Metadata["record"] != "original" {
		t.Fatalf("output %s, metadata %v", res.Output, res.Metadata)
	}
	if _, err := os.Stat(filepath.Join(out, mailroom.FileDocument)); err == nil {
		t.Fatal("document.pdf written for a kept original")
	}
	if sha(t, src) != before {
		t.Fatal("original changed")
	}
	// A signed PDF (signature dictionary appended as an incremental update).
	data, _ := os.ReadFile(src)
	signed := filepath.Join(t.TempDir(), "signed.pdf")
	data = append(data, []byte("\n99 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 30] /Contents <00> >>\nendobj\n")...)
	os.WriteFile(signed, data, 0o600)
	res, _ = recognise(t, r, signed, false)
	if !contains(res.Flags, mailroom.FlagSigned) || filepath.Base(res.Output) != mailroom.FileRendition {
		t.Fatalf("signed PDF: flags %v output %s", res.Flags, res.Output)
	}
}

func TestRecognitionBornDigital(t *testing.T) {
	src := testcorpus.Path(t, "einvoice", "zugferd", "EN16931_Einfach.pdf")
	res, _ := recognise(t, recognition(t, nil), src, false)
	if !contains(res.Flags, mailroom.FlagTextLayer) || sha(t, res.Output) != sha(t, src) {
		t.Fatalf("skip: flags %v; output must be the original unchanged", res.Flags)
	}
	if !strings.Contains(res.Pages[0].Text, "Rechnung") {
		t.Fatalf("text layer not used: %.200q", res.Pages[0].Text)
	}
	res, _ = recognise(t, recognition(t, func(c *mailroom.RecognitionConfig) { c.TextLayer = "force" }), src, false, 1)
	if contains(res.Flags, mailroom.FlagTextLayer) || sha(t, res.Output) == sha(t, src) || !strings.Contains(res.Pages[0].Text, "Rechnung") {
		t.Fatalf("force: flags %v, text %.100q", res.Flags, res.Pages[0].Text)
	}
}

// Every malformed PDF ends as a PDF or as bad input, within 30 s each.
func TestRecognitionBadPDFs(t *testing.T) {
	r := recognition(t, func(c *mailroom.RecognitionConfig) { c.DPI = 100 })
	files, _ := filepath.Glob(filepath.Join(testcorpus.Dir(t), "badpdf", "*.pdf"))
	for _, f := range files {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		res, err := r.Recognise(ctx, mailroom.RecognitionJob{DocumentID: "bad", Original: f, MediaType: mailroom.MediaPDF, OutDir: t.TempDir()})
		cancel()
		if err != nil {
			if _, ok := mailroom.AsInputError(err); !ok {
				t.Errorf("%s: %v is neither success nor bad input", filepath.Base(f), err)
			}
		} else if _, serr := os.Stat(res.Output); serr != nil {
			t.Errorf("%s: no output", filepath.Base(f))
		}
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("%s took %s", filepath.Base(f), d)
		}
	}
}
