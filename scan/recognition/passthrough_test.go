package recognition

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
	"poststelle/ocr"
	"poststelle/scan/analysis"
	"poststelle/scan/pages"
)

// pageImages extracts the image streams of pages first..last with poppler's
// pdfimages -all (stream data as stored for JPEG and CCITT) and returns
// their SHA-256 and file extension ("jpg", "ccitt", "png", …) in page order.
func pageImages(t *testing.T, pdf string, first, last int) (sums []string, exts []string) {
	t.Helper()
	needTool(t, "pdfimages")
	dir := t.TempDir()
	args := []string{"-all"}
	if first > 0 {
		args = append(args, "-f", itoa(first), "-l", itoa(last))
	}
	if out, err := exec.Command("pdfimages", append(args, pdf, filepath.Join(dir, "im"))...).CombinedOutput(); err != nil {
		t.Fatalf("pdfimages: %v %s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "im-*"))
	sort.Strings(files)
	for _, f := range files {
		if strings.HasSuffix(f, ".params") {
			continue
		}
		b, _ := os.ReadFile(f)
		s := sha256.Sum256(b)
		sums = append(sums, string(s[:]))
		exts = append(exts, strings.TrimPrefix(filepath.Ext(f), "."))
	}
	return sums, exts
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// Scanner JPEGs go into the PDF/A byte for byte; CCITT stays CCITT.
func TestPassthroughScannedPDF(t *testing.T) {
	r := recognition(t, nil)
	src := testcorpus.Path(t, "scans", "batch-visible.pdf")
	res, _ := recognise(t, r, src, false, 2, 3)
	if len(res.Pages) != 2 || filepath.Base(res.Output) != mailroom.FileDocument {
		t.Fatalf("result %+v", res)
	}
	in, inExt := pageImages(t, src, 2, 3)
	out, outExt := pageImages(t, res.Output, 0, 0)
	if len(in) != 2 || len(out) != 2 {
		t.Fatalf("images: %d in, %d out", len(in), len(out))
	}
	for i := range in {
		if inExt[i] != "jpg" || outExt[i] != "jpg" || in[i] != out[i] {
			t.Errorf("page %d: image not taken over unchanged (%s → %s, equal %v)", i+2, inExt[i], outExt[i], in[i] == out[i])
		}
	}
	checkPDFA(t, res.Output, "Rechnung")
	for _, p := range res.Pages {
		if p.Confidence < 80 || len(p.Text) < 200 {
			t.Errorf("page %d: confidence %.1f, %d characters", p.Page, p.Confidence, len(p.Text))
		}
	}

	src = testcorpus.Path(t, "ocrmypdf", "ccitt.pdf")
	res, _ = recognise(t, r, src, false)
	in, inExt = pageImages(t, src, 0, 0)
	out, outExt = pageImages(t, res.Output, 0, 0)
	if len(out) != 1 || outExt[0] != "ccitt" || in[0] != out[0] {
		t.Fatalf("ccitt.pdf: image not kept as CCITT (%v → %v)", inExt, outExt)
	}
	if !strings.Contains(res.Pages[0].Text, "Linn") {
		t.Errorf("ccitt.pdf: OCR on the decoded copy failed: %.200q", res.Pages[0].Text)
	}
	checkPDFA(t, res.Output, "LinnSequencer")
}

// render returns page i (0-based) of pdf rendered by MuPDF at dpi, gray.
func render(t *testing.T, pdf string, i int, dpi float64) *image.Gray {
	t.Helper()
	ps, err := pages.NewOpener(pages.Options{}).Open(context.Background(), pdf, mailroom.MediaPDF)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	pg, err := ps.Page(context.Background(), i, dpi)
	if err != nil {
		t.Fatal(err)
	}
	return ocr.Gray(pg.Image)
}

// sameLook compares two renderings: sizes within 2 pixels, mean absolute
// difference of the common area.
func sameLook(a, b *image.Gray) (float64, bool) {
	ab, bb := a.Bounds(), b.Bounds()
	if d := ab.Dx() - bb.Dx(); d < -2 || d > 2 {
		return 255, false
	}
	if d := ab.Dy() - bb.Dy(); d < -2 || d > 2 {
		return 255, false
	}
	var sum, n float64
	for y := 0; y < min(ab.Dy(), bb.Dy()); y++ {
		for x := 0; x < min(ab.Dx(), bb.Dx()); x++ {
			d := float64(a.Pix[a.PixOffset(ab.Min.X+x, ab.Min.Y+y)]) - float64(b.Pix[b.PixOffset(bb.Min.X+x, bb.Min.Y+y)])
			if d < 0 {
				d = -d
			}
			sum += d
			n++
		}
	}
	return sum / n, true
}

// A page with /Rotate keeps its image and comes out looking as the source
// page looks.
func TestPassthroughPageRotate(t *testing.T) {
	needTool(t, "qpdf")
	src := filepath.Join(t.TempDir(), "rotated.pdf")
	if out, err := exec.Command("qpdf", "--empty", "--pages", testcorpus.Path(t, "scans", "batch-visible.pdf"), "1", "--", "--rotate=+90:1", src).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v %s", err, out)
	}
	r := recognition(t, func(c *mailroom.RecognitionConfig) { c.AutoRotate = false; c.Deskew = false })
	res, _ := recognise(t, r, src, false)
	in, _ := pageImages(t, src, 0, 0)
	out, ext := pageImages(t, res.Output, 0, 0)
	if len(out) != 1 || ext[0] != "jpg" || in[0] != out[0] {
		t.Fatalf("image not taken over (%v)", ext)
	}
	if res.Pages[0].Rotation != 0 {
		t.Errorf("the source's own /Rotate recorded as a correction: %d", res.Pages[0].Rotation)
	}
	d, ok := sameLook(render(t, src, 0, 30), render(t, res.Output, 0, 30))
	t.Logf("difference to the source page: %.1f levels", d)
	if !ok || d > 6 {
		t.Fatalf("output page does not look like the /Rotate 90 source (difference %.1f, sizes ok %v)", d, ok)
	}
	// Upside down by /Rotate 180: orientation detection turns it upright
	// (OSD is confident for 180°, not always for 90° on this page).
	src2 := filepath.Join(t.TempDir(), "upside-down.pdf")
	if out, err := exec.Command("qpdf", "--empty", "--pages", testcorpus.Path(t, "scans", "batch-visible.pdf"), "1", "--", "--rotate=+180:1", src2).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v %s", err, out)
	}
	res, _ = recognise(t, recognition(t, nil), src2, false)
	if p := res.Pages[0]; p.Rotation != 180 || !strings.Contains(p.Text, "Rechnung") {
		t.Errorf("upside-down page: rotation %d, text %.200q", p.Rotation, p.Text)
	}
	d, ok = sameLook(render(t, testcorpus.Path(t, "scans", "batch-visible.pdf"), 0, 30), render(t, res.Output, 0, 30))
	if !ok || d > 8 {
		t.Errorf("turned page does not look like the upright original (difference %.1f)", d)
	}
}

// Rotations made at the desk (metadata page_rotations) are applied, kept
// against orientation detection and recorded, for passed-through pages
// and for rendered ones.
func TestRecognitionDeskRotations(t *testing.T) {
	r := recognition(t, nil)
	for _, c := range []struct {
		file  []string
		page  int
		turn  int
		pages []int
	}{
		{[]string{"scans", "batch-visible.pdf"}, 1, 90, []int{1, 2}}, // JPEG, passed through
		{[]string{"ocrmypdf", "cardinal.pdf"}, 1, 180, []int{1}},     // JBIG2, rendered
	} {
		src := testcorpus.Path(t, c.file...)
		meta := map[string]string{mailroom.MetaPageRotations: `{"` + itoa(c.page) + `": ` + itoa(c.turn) + `}`}
		res, err := r.Recognise(context.Background(), mailroom.RecognitionJob{DocumentID: "desk", Original: src,
			Pages: c.pages, OutDir: t.TempDir(), WorkDir: t.TempDir(), Metadata: meta})
		if err != nil {
			t.Fatal(err)
		}
		p := res.Pages[0]
		t.Logf("%s page %d: rotation %d, skew %.2f, flags %v", c.file[1], p.Page, p.Rotation, p.Skew, p.Flags)
		if p.Rotation != c.turn || !contains(p.Flags, mailroom.FlagRotated) {
			t.Errorf("%s: desk turn %d recorded as %d (%v)", c.file[1], c.turn, p.Rotation, p.Flags)
		}
		if len(res.Pages) > 1 && res.Pages[1].Rotation != 0 {
			t.Errorf("%s: unturned page recorded as turned %d", c.file[1], res.Pages[1].Rotation)
		}
		want := analysis.Correction{Rotate: c.turn}.Apply(render(t, src, c.page-1, 30))
		got := render(t, res.Output, 0, 30)
		d, ok := sameLook(want, got)
		t.Logf("%s: difference to the source page turned %d°: %.1f levels", c.file[1], c.turn, d)
		if !ok || d > 8 {
			t.Errorf("%s: output page is not the source turned by %d° (difference %.1f, sizes ok %v)", c.file[1], c.turn, d, ok)
		}
	}
}
