package recognition

import (
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
	"poststelle/scan/analysis"
)

var batchTruth = []string{"EN16931_Einfach-1", "EN16931_Einfach-2", "EN16931_Gutschrift-1", "EN16931_Gutschrift-2",
	"EN16931_Miete-1", "EN16931_Miete-2", "EN16931_Miete-3", "EN16931_Miete-4"}

// Sideways and upside-down sheets of the scanned batch come out upright,
// including those tesseract's OSD is unsure about (confidence below 2 for
// the sideways pages here): the orientation check by recognition decides
// them. The pages are turned by the PDF's /Rotate, so the images go through
// the passthrough path.
func TestOrientationSidewaysBatch(t *testing.T) {
	needTool(t, "qpdf")
	turns := []int{90, 180, 270, 90, 270, 0, 270, 90}
	args := []string{"--empty", "--pages", testcorpus.Path(t, "scans", "batch-visible.pdf"), "1-8", "--"}
	for i, d := range turns {
		if d != 0 {
			args = append(args, "--rotate=+"+itoa(d)+":"+itoa(i+1))
		}
	}
	src := filepath.Join(t.TempDir(), "turned.pdf")
	if out, err := exec.Command("qpdf", append(args, src)...).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v %s", err, out)
	}
	t0 := time.Now()
	res, _ := recognise(t, recognition(t, nil), src, false)
	t.Logf("%d pages in %v", len(res.Pages), time.Since(t0))
	for i, p := range res.Pages {
		truth, err := os.ReadFile(testcorpus.Path(t, "scans", "groundtruth", batchTruth[i]+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		want := (360 - turns[i]) % 360
		rc := recall(p.Text, string(truth))
		t.Logf("page %d turned %d°: corrected %d°, flags %v, confidence %.1f, word recall %.3f", p.Page, turns[i], p.Rotation, p.Flags, p.Confidence, rc)
		if p.Rotation != want || (want != 0) != contains(p.Flags, mailroom.FlagRotated) {
			t.Errorf("page %d turned %d°: corrected by %d°, want %d° (flags %v)", p.Page, turns[i], p.Rotation, want, p.Flags)
		}
		if rc < 0.8 {
			t.Errorf("page %d does not read upright: word recall %.3f", p.Page, rc)
		}
	}
}

// tesseract's rotated phototest pages come out upright through the whole
// recognition; a picture without text and a blank page are not turned.
func TestOrientationPhototestPictureBlank(t *testing.T) {
	r := recognition(t, nil)
	for _, c := range []struct {
		file string
		want int
	}{{"phototest-rotated-R.png", 270}, {"phototest-rotated-180.png", 180}, {"phototest-rotated-L.png", 90}} {
		res, _ := recognise(t, r, testcorpus.Path(t, "tesseract", c.file), false)
		p := res.Pages[0]
		t.Logf("%s: rotation %d, flags %v", c.file, p.Rotation, p.Flags)
		if p.Rotation != c.want {
			t.Errorf("%s: corrected by %d°, want %d°", c.file, p.Rotation, c.want)
		}
	}
	// A picture: shaded shapes and a photo-like gradient, no text, A4 at
	// 150 dpi.
	img := image.NewGray(image.Rect(0, 0, 1240, 1754))
	for y := 0; y < 1754; y++ {
		for x := 0; x < 1240; x++ {
			v := 255 - (x*60/1240 + y*80/1754)
			dx, dy := x-500, y-700
			if dx*dx+dy*dy < 350*350 {
				v = 40 + (dx+350)*120/700
			}
			if x > 700 && x < 1100 && y > 1100 && y < 1600 {
				v = 90 + (y-1100)/8
			}
			if (x/40+y/40)%7 == 0 && y < 300 {
				v = 30
			}
			img.Pix[y*img.Stride+x] = uint8(v)
		}
	}
	// What OSD makes of the picture, and what the recognition check makes
	// of it at every turn (run whatever OSD says, so the check itself is
	// tested on a page without text).
	small, sdpi := halve(img, 150)
	deg, conf, ok, err := testPool.Orientation(context.Background(), small, sdpi)
	oc, cerr := analysis.CheckOrientation(context.Background(), testPool, small, sdpi, []int{0, 90, 180, 270})
	t.Logf("picture: OSD %d° confidence %.2f ok %v err %v; check by recognition: turn %d, scores %v, err %v", deg, conf, ok, err, oc.Turn, oc.Scores, cerr)
	if cerr != nil || oc.Turn != 0 {
		t.Errorf("picture: the recognition check turns it by %d° (%v)", oc.Turn, cerr)
	}
	pic := filepath.Join(t.TempDir(), "picture.png")
	f, err := os.Create(pic)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, src := range []string{pic, testcorpus.Path(t, "ocrmypdf", "blank.pdf")} {
		res, _ := recognise(t, r, src, false)
		p := res.Pages[0]
		t.Logf("%s: rotation %d, flags %v", filepath.Base(src), p.Rotation, p.Flags)
		if p.Rotation != 0 || contains(p.Flags, mailroom.FlagRotated) {
			t.Errorf("%s turned by %d° (%v)", filepath.Base(src), p.Rotation, p.Flags)
		}
	}
}

// countingOrienter counts the OSD passes of the real pool.
type countingOrienter struct {
	Orienter
	mu    sync.Mutex
	calls int
}

func (c *countingOrienter) Orientation(ctx context.Context, g *image.Gray, dpi float64) (int, float64, bool, error) {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	return c.Orienter.Orientation(ctx, g, dpi)
}

// Orientation detection runs only where recognition says so: upright pages
// that read confidently pay for no OSD pass, turned ones get exactly one
// and come out upright.
func TestOrientationOnlyWhereNeeded(t *testing.T) {
	needTool(t, "qpdf")
	turns := []int{0, 180, 0, 90}
	src := filepath.Join(t.TempDir(), "turned.pdf")
	args := []string{"--empty", "--pages", testcorpus.Path(t, "scans", "batch-visible.pdf"), "1-4", "--",
		"--rotate=+180:2", "--rotate=+90:4", src}
	if out, err := exec.Command("qpdf", args...).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v %s", err, out)
	}
	r := recognition(t, nil)
	co := &countingOrienter{Orienter: r.opt.Orienter}
	r.opt.Orienter = co
	res, _ := recognise(t, r, src, false)
	for i, p := range res.Pages {
		if want := (360 - turns[i]) % 360; p.Rotation != want {
			t.Errorf("page %d turned %d°: corrected by %d°, want %d°", p.Page, turns[i], p.Rotation, want)
		}
	}
	if co.calls != 2 {
		t.Errorf("%d OSD passes for 2 upright and 2 turned pages, want 2", co.calls)
	}
}

func TestUpright(t *testing.T) {
	word := func(s string, w, h int, conf float64) mailroom.Word {
		return mailroom.Word{Text: s, Box: image.Rect(0, 0, w, h), Confidence: conf}
	}
	many := func(w mailroom.Word, n int) []mailroom.Word {
		out := make([]mailroom.Word, n)
		for i := range out {
			out[i] = w
		}
		return out
	}
	cases := []struct {
		name  string
		words []mailroom.Word
		want  bool
	}{
		{"confident lying words", many(word("Rechnung", 200, 40, 95), 20), true},
		{"standing words (page turned by 90°)", many(word("Rechnung", 40, 200, 95), 20), false},
		{"unsure words (upside down)", many(word("Rechnung", 200, 40, 40), 20), false},
		{"too few words", many(word("Rechnung", 200, 40, 95), 7), false},
		{"short words do not count", many(word("abc", 200, 40, 95), 30), false},
	}
	for _, c := range cases {
		if got := upright(mailroom.PageText{Words: c.words}); got != c.want {
			t.Errorf("%s: upright = %v, want %v", c.name, got, c.want)
		}
	}
}
