package scan

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
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
	if len(res.Pages) != 2 || filepath.Base(res.Output) != DocumentFile {
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

// The decoded copy of a passed-through page matches MuPDF's rendering of
// it (same orientation, same polarity, same size).
func TestPassthroughDecodeMatchesRender(t *testing.T) {
	for _, f := range [][]string{{"scans", "batch-visible.pdf"}, {"ocrmypdf", "ccitt.pdf"}} {
		ps, err := NewOpener(Options{DPI: 100}).Open(context.Background(), testcorpus.Path(t, f...), mailroom.MediaPDF)
		if err != nil {
			t.Fatal(err)
		}
		ri, err := ps.(*pdfSet).rawImage(0)
		if err != nil {
			t.Fatalf("%s: %v", f[1], err)
		}
		pg, err := ps.Page(context.Background(), 0, ri.dpi/4)
		ps.Close()
		if err != nil {
			t.Fatal(err)
		}
		rg := ocr.Gray(pg.Image)
		small := shrink(ri.gray, 4)
		b := rg.Bounds()
		if d := small.Bounds().Dx() - b.Dx(); d < -2 || d > 2 {
			t.Fatalf("%s: size %v vs rendered %v", f[1], small.Bounds(), b)
		}
		// mean absolute difference over the common area
		var sum, n float64
		for y := 0; y < min(b.Dy(), small.Bounds().Dy()); y++ {
			for x := 0; x < min(b.Dx(), small.Bounds().Dx()); x++ {
				d := float64(rg.GrayAt(x, y).Y) - float64(small.GrayAt(x, y).Y)
				if d < 0 {
					d = -d
				}
				sum += d
				n++
			}
		}
		t.Logf("%s: %.0f dpi, mean difference to MuPDF %.1f levels", f[1], ri.dpi, sum/n)
		if sum/n > 12 {
			t.Errorf("%s: decoded copy differs from the rendered page (mean %.1f levels)", f[1], sum/n)
		}
	}
}

// shrink averages k×k blocks.
func shrink(g *image.Gray, k int) *image.Gray {
	b := g.Bounds()
	w, h := b.Dx()/k, b.Dy()/k
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			s := 0
			for yy := 0; yy < k; yy++ {
				for xx := 0; xx < k; xx++ {
					s += int(g.Pix[g.PixOffset(b.Min.X+x*k+xx, b.Min.Y+y*k+yy)])
				}
			}
			out.Pix[y*out.Stride+x] = uint8(s / (k * k))
		}
	}
	return out
}

// render returns page i (0-based) of pdf rendered by MuPDF at dpi, gray.
func render(t *testing.T, pdf string, i int, dpi float64) *image.Gray {
	t.Helper()
	ps, err := NewOpener(Options{}).Open(context.Background(), pdf, mailroom.MediaPDF)
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
		want := Correction{Rotate: c.turn}.Apply(render(t, src, c.page-1, 30))
		got := render(t, res.Output, 0, 30)
		d, ok := sameLook(want, got)
		t.Logf("%s: difference to the source page turned %d°: %.1f levels", c.file[1], c.turn, d)
		if !ok || d > 8 {
			t.Errorf("%s: output page is not the source turned by %d° (difference %.1f, sizes ok %v)", c.file[1], c.turn, d, ok)
		}
	}
}

// The reader copes with classic xref tables, xref and object streams; pages
// that are not one full-page image are rendered instead.
func TestPassthroughReaderVariants(t *testing.T) {
	needTool(t, "qpdf")
	dir := t.TempDir()
	orig := testcorpus.Path(t, "scans", "batch-visible.pdf")
	try := func(name string, args ...string) (*rawPageImage, error) {
		t.Helper()
		p := filepath.Join(dir, name+".pdf")
		if out, err := exec.Command("qpdf", append(append([]string{"--empty", "--pages", orig, "1", "--"}, args...), p)...).CombinedOutput(); err != nil {
			t.Fatalf("qpdf: %v %s", err, out)
		}
		return rawFirst(t, p)
	}
	for _, v := range [][]string{{"--object-streams=generate"}, {"--object-streams=disable"}, {"--qdf"}} {
		ri, err := try(strings.Trim(v[0], "-="), v...)
		if err != nil || ri.pdf.Filter != "DCTDecode" || ri.dpi != 300 || ri.gray.Bounds().Dx() != 2480 {
			t.Errorf("%v: %v", v, err)
		}
	}
	// Edited placements: half the page, mirrored.
	qdf := filepath.Join(dir, "qdf.pdf")
	data, _ := os.ReadFile(qdf)
	for name, cm := range map[string]string{
		"half":     "297.6 0 0 420.96 0 0 cm",
		"mirrored": "-595.2 0 0 841.92 595.2 0 cm",
		"text":     "595.2 0 0 841.92 0 0 cm /Im0 Do Q BT ET q",
	} {
		i := strings.Index(string(data), "595.2000 0 0 841.9200 0.0000 0.0000 cm")
		if i < 0 {
			t.Fatal("content stream not found in qdf file")
		}
		edited := string(data[:i]) + cm + string(data[i+len("595.2000 0 0 841.9200 0.0000 0.0000 cm"):])
		p := filepath.Join(dir, name+".pdf")
		os.WriteFile(p, []byte(edited), 0o600)
		fixed := filepath.Join(dir, name+"-fixed.pdf")
		if out, err := exec.Command("qpdf", p, fixed).CombinedOutput(); err != nil && !strings.Contains(string(out), "warning") {
			t.Fatalf("qpdf: %v %s", err, out)
		}
		_, err := rawFirst(t, fixed)
		t.Logf("%s: %v", name, err)
		if !errors.Is(err, errNoPassthrough) {
			t.Errorf("%s: taken over (err %v)", name, err)
		}
	}
}

func rawFirst(t *testing.T, p string) (*rawPageImage, error) {
	ps, err := NewOpener(Options{}).Open(context.Background(), p, mailroom.MediaPDF)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	return ps.(*pdfSet).rawImage(0)
}
