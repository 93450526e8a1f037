package main

import (
	"context"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"poststelle/barcode"
	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
)

func TestCountFoundUsesEachOnce(t *testing.T) {
	if n := countFound([]string{"A", "A", "B"}, []string{"A", "C", "B"}); n != 2 {
		t.Errorf("countFound = %d, want 2", n)
	}
	if n := countFound([]string{"A"}, []string{"A", "A"}); n != 1 {
		t.Errorf("countFound = %d, want 1", n)
	}
}

func TestMedian(t *testing.T) {
	if m := median([]time.Duration{5, 1, 3, 9}); m != 5 {
		t.Errorf("median = %v", m)
	}
	if m := median(nil); m != 0 {
		t.Errorf("median(nil) = %v", m)
	}
}

func TestWritePGM(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Set(0, 0, color.White)
	img.Set(2, 1, color.RGBA{255, 0, 0, 255})
	p := filepath.Join(t.TempDir(), "x.pgm")
	if err := writePGM(p, img); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	head := "P5\n3 2\n255\n"
	if !strings.HasPrefix(string(data), head) || len(data) != len(head)+6 {
		t.Fatalf("PGM %q", data)
	}
	px := data[len(head):]
	if px[0] != 255 || px[1] != 0 || px[5] != byte(299*255/1000) {
		t.Errorf("pixels %v", px)
	}
}

// TestCountPatchAndExtras counts found, missed and extra texts and a patch
// code once per page.
func TestCountPatchAndExtras(t *testing.T) {
	st := &groupStat{}
	bi := benchImage{want: []string{"ASN1", "ASN2"}, patch: "T"}
	syms := []mailroom.Symbol{{Symbology: barcode.Patch, Text: "T"}, {Symbology: barcode.Patch, Text: "T"},
		{Symbology: "code39", Text: "ASN1"}, {Symbology: "qrcode", Text: "junk"}}
	st.count(bi, syms, []string{"ASN2", "ASN1", "ASN1"})
	if st.want != 2 || st.oursOK != 1 || st.zbarOK != 2 || st.oursFP != 1 || st.zbarFP != 1 || st.patches != 1 || st.patchesFound != 1 {
		t.Fatalf("%+v", st)
	}
	// A page that should carry a patch code where none was found.
	st = &groupStat{}
	st.count(benchImage{patch: "2"}, nil, nil)
	if st.patches != 1 || st.patchesFound != 0 {
		t.Fatalf("missed patch: %+v", st)
	}
}

// TestMeasureImagesZbar measures two zxing QR images with both detectors
// (real zbarimg): both read the expected texts, times are recorded.
func TestMeasureImagesZbar(t *testing.T) {
	needTool(t, "zbarimg")
	dir := filepath.Dir(testcorpus.Path(t, "zxing", "qrcode-1", "1.png"))
	c := &corpusPages{ctx: context.Background()}
	if err := c.zxing(dir, "qr"); err != nil {
		t.Fatal(err)
	}
	if len(c.out) < 10 {
		t.Fatalf("%d images from %s", len(c.out), dir)
	}
	imgs := []benchImage{}
	for _, bi := range c.out {
		if bi.name == "1.png" || bi.name == "2.png" {
			imgs = append(imgs, bi)
		}
	}
	groups, err := measureImages(context.Background(), &barcodeFlags{runs: 1, zbar: "zbarimg"}, imgs, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 {
		t.Fatalf("groups %+v", groups)
	}
	g := groups[0]
	if g.name != "qr" || g.images != 2 || g.want != 2 || g.oursOK != 2 || g.zbarOK != 2 || len(g.ours) != 2 || len(g.theirs) != 2 || g.theirs[0] <= 0 {
		t.Fatalf("%+v", g)
	}
	// zbarimg on a blank page: no symbol (its exit code 4) is no error.
	blank := filepath.Join(t.TempDir(), "blank.pgm")
	gray := image.NewGray(image.Rect(0, 0, 50, 50))
	for i := range gray.Pix {
		gray.Pix[i] = 255
	}
	writePGM(blank, gray)
	if texts, err := zbarTexts("zbarimg", blank); err != nil || len(texts) != 0 {
		t.Errorf("blank: %v %v", texts, err)
	}
}
