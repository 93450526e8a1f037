package pages

import (
	"bytes"
	"image/jpeg"
	"os"
	"testing"
	"time"

	"poststelle/mailroom/testcorpus"
	"poststelle/ocr"
)

// The JPEG decoder gives the pixels image/jpeg gives (within the rounding
// of the two inverse DCTs) on a real scanner JPEG, refuses a size that does
// not match, and returns an error on cut-off data instead of exiting.
func TestDecodeJPEGGray(t *testing.T) {
	data, err := os.ReadFile(testcorpus.Path(t, "naps2", "skewed.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	g, err := DecodeJPEGGray(data, cfg.Width, cfg.Height)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(t0)
	t0 = time.Now()
	ref, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rg := ocr.Gray(ref)
	t.Logf("%d×%d: %v here, image/jpeg %v", cfg.Width, cfg.Height, took, time.Since(t0))
	if g.Bounds() != rg.Bounds() {
		t.Fatalf("bounds %v, image/jpeg %v", g.Bounds(), rg.Bounds())
	}
	off := 0
	for i := range g.Pix {
		d := int(g.Pix[i]) - int(rg.Pix[i])
		if d < -3 || d > 3 {
			t.Fatalf("pixel %d: %d, image/jpeg %d", i, g.Pix[i], rg.Pix[i])
		}
		if d != 0 {
			off++
		}
	}
	t.Logf("%.2f %% of the pixels differ by 1–3 levels", 100*float64(off)/float64(len(g.Pix)))
	if _, err := DecodeJPEGGray(data, cfg.Width+1, cfg.Height); err == nil {
		t.Error("a size that does not match the header was accepted")
	}
	if _, err := DecodeJPEGGray(data[:len(data)/3], cfg.Width, cfg.Height); err == nil {
		// libjpeg pads a cut-off stream with gray and warns; it must at
		// least not crash. A stream cut in its header must fail.
		t.Log("cut-off scan data decoded with padding (libjpeg warns, as image viewers show it)")
	}
	if _, err := DecodeJPEGGray(data[:100], cfg.Width, cfg.Height); err == nil {
		t.Error("a JPEG cut in its header decoded")
	}
}
