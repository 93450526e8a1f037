package barcode

import (
	"context"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
)

// zxingCase is one image of a zxing blackbox set with its expected text.
type zxingCase struct {
	path, want string
}

func zxingSet(t testing.TB, set string) []zxingCase {
	dir := testcorpus.Path(t, "zxing", set)
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var cs []zxingCase
	for _, e := range ents {
		ext := filepath.Ext(e.Name())
		if ext != ".png" && ext != ".jpg" && ext != ".gif" {
			continue
		}
		base := strings.TrimSuffix(e.Name(), ext)
		want, err := os.ReadFile(filepath.Join(dir, base+".txt"))
		if err != nil {
			want = nil // falsepositives: no expected text
		}
		cs = append(cs, zxingCase{path: filepath.Join(dir, e.Name()), want: string(want)})
	}
	return cs
}

// zxingScore decodes every image of a set at the given rotation (0 or 180)
// and counts images whose expected text was among the symbols found.
func zxingScore(t *testing.T, set string, rot int) (ok, total int) {
	d := New(Options{})
	for _, c := range zxingSet(t, set) {
		img := loadImage(t, c.path)
		if rot == 180 {
			img = rotate180(img)
		}
		syms, err := d.Detect(context.Background(), mailroom.Page{Image: img})
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		total++
		hit := false
		for _, s := range syms {
			if s.Text == c.want {
				hit = true
			}
		}
		if hit {
			ok++
		} else {
			t.Logf("%s @%d°: missed %q, got %v", filepath.Base(c.path), rot, c.want, texts(syms))
		}
	}
	return ok, total
}

func texts(syms []mailroom.Symbol) []string {
	var out []string
	for _, s := range syms {
		out = append(out, s.Symbology+":"+s.Text)
	}
	return out
}

// ZXing's own minimums for these sets (corpus README).
func TestZXingBlackbox(t *testing.T) {
	for _, tc := range []struct {
		set  string
		want int
	}{{"qrcode-1", 17}, {"code128-1", 7}, {"code39-1", 4}, {"datamatrix-1", 23}} {
		for _, rot := range []int{0, 180} {
			ok, total := zxingScore(t, tc.set, rot)
			t.Logf("%s @%d°: %d/%d (minimum %d)", tc.set, rot, ok, total, tc.want)
			if ok < tc.want {
				t.Errorf("%s @%d°: %d/%d decoded, ZXing's minimum is %d", tc.set, rot, ok, total, tc.want)
			}
		}
	}
}

func TestZXingFalsePositives(t *testing.T) {
	d := New(Options{})
	for _, rot := range []int{0, 180} {
		fp := 0
		for _, c := range zxingSet(t, "falsepositives-2") {
			var img image.Image = loadImage(t, c.path)
			if rot == 180 {
				img = rotate180(img)
			}
			syms, _ := d.Detect(context.Background(), mailroom.Page{Image: img})
			if len(syms) > 0 {
				fp++
				t.Logf("%s @%d°: false positive %v", filepath.Base(c.path), rot, texts(syms))
			}
		}
		t.Logf("falsepositives-2 @%d°: %d images with a false positive (at most 4 allowed)", rot, fp)
		if fp > 4 {
			t.Errorf("falsepositives-2 @%d°: %d false positives, at most 4 allowed", rot, fp)
		}
	}
}

// Real pages without any code (dense invoice scans, an illustrated book,
// a blank and an almost blank scan, a text photo) must yield no symbol at
// all: every pass that reads harder is a chance for a false reading.
func TestNoSymbolsOnPagesWithoutCodes(t *testing.T) {
	d := New(Options{})
	for _, f := range [][]string{
		{"scans", "batch-visible.pdf"},
		{"ocrmypdf", "multipage.pdf"},
		{"ocrmypdf", "linn.pdf"},
		{"naps2", "blank1.jpg"},
		{"naps2", "notblank.jpg"},
		{"tesseract", "phototest.tif"},
	} {
		for i, p := range loadPages(t, testcorpus.Path(t, f...)) {
			syms, err := d.Detect(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if len(syms) > 0 {
				t.Errorf("%s page %d: %v", filepath.Join(f...), i+1, texts(syms))
			}
		}
	}
}
