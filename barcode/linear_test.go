package barcode

import (
	"math/rand/v2"
	"testing"

	"github.com/makiuchi-d/gozxing"

	"poststelle/mailroom/testcorpus"
)

// blackRow must binarise every line exactly as gozxing's
// GlobalHistogramBinarizer.GetBlackRow: rows and columns of real pages and
// photos, random lines and lines of almost one grey.
func TestBlackRowMatchesGozxing(t *testing.T) {
	var imgs []*gray
	for _, p := range loadPages(t, testcorpus.Path(t, "scans", "batch-visible.pdf"))[:2] {
		imgs = append(imgs, toGray(p.Image))
	}
	for _, c := range zxingSet(t, "falsepositives-2")[:5] {
		imgs = append(imgs, toGray(loadImage(t, c.path)))
	}
	r := rand.New(rand.NewPCG(1, 2))
	noise := &gray{w: 333, h: 40, pix: make([]byte, 333*40)}
	for i := range noise.pix {
		noise.pix[i] = byte(r.IntN(256))
		if i/333 >= 20 {
			noise.pix[i] = byte(120 + r.IntN(9)) // too little contrast
		}
	}
	imgs = append(imgs, noise, &gray{w: 2, h: 1, pix: []byte{0, 255}})
	lines, refused := 0, 0
	for _, g := range imgs {
		for _, im := range []*gray{g, g.transpose()} {
			bin := gozxing.NewGlobalHistgramBinarizer(newLumSource(im))
			got := gozxing.NewBitArray(im.w)
			for y := 0; y < im.h; y += 7 {
				want, err := bin.GetBlackRow(y, nil)
				ok := blackRow(im.pix[y*im.w:(y+1)*im.w], got)
				lines++
				if ok != (err == nil) {
					t.Fatalf("%dx%d line %d: blackRow ok=%v, gozxing err=%v", im.w, im.h, y, ok, err)
				}
				if !ok {
					refused++
					continue
				}
				for x := 0; x < im.w; x++ {
					if got.Get(x) != want.Get(x) {
						t.Fatalf("%dx%d line %d: pixel %d differs", im.w, im.h, y, x)
					}
				}
			}
		}
	}
	if refused == 0 || refused == lines {
		t.Errorf("%d of %d lines refused: the low-contrast case or the normal case is not covered", refused, lines)
	}
	t.Logf("%d lines equal, %d refused by both", lines-refused, refused)
}
