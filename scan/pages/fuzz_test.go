package pages

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
)

// FuzzTIFFFrames: the directory walk never panics, never reads beyond the
// data, and never returns more frames than asked for.
func FuzzTIFFFrames(f *testing.F) {
	addCorpusFile(f, "tesseract", "phototest.tif")
	f.Add([]byte("II*\x00\x08\x00\x00\x00\x01\x00\x00\x01\x04\x00\x01\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte("MM\x00*\x00\x00\x00\x08\x00\x00\x00\x00\x00\x08"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, frames, err := tiffFrames(bytes.NewReader(b), int64(len(b)), 50)
		if err == nil && len(frames) > 50 {
			t.Fatalf("%d frames, asked for 50", len(frames))
		}
	})
}

// FuzzOpenImage is the entry point for images from outside (JPEG, PNG,
// TIFF): Open and the first page either decode or fail with an InputError,
// never panic, within the limits (small limits so the fuzzer stays fast).
func FuzzOpenImage(f *testing.F) {
	addCorpusFile(f, "tesseract", "phototest.tif")
	addCorpusFile(f, "tesseract", "phototest-rotated-R.png")
	addCorpusFile(f, "naps2", "image_upc_barcode.jpg")
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x00\x00\x00\x00"))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0xFD, 0xE8, 0xFD, 0xE8, 1, 1, 0x11, 0, 0xFF, 0xD9})
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 1, 0xFF, 0xD9}) // a segment shorter than its length field
	o := NewOpener(Options{MaxPixels: 1 << 18, DecodeMemory: 4 << 20, PageTimeout: 5 * time.Second, InProcess: true})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		mt := mailroom.SniffMediaType(b, "")
		if mt != mailroom.MediaPNG && mt != mailroom.MediaJPEG && mt != mailroom.MediaTIFF {
			return
		}
		p := filepath.Join(dir, "in")
		os.WriteFile(p, b, 0o600)
		ps, err := o.Open(context.Background(), p, mt)
		if err != nil {
			mustBeInput(t, err)
			return
		}
		defer ps.Close()
		if _, err := ps.Page(context.Background(), 0, 0); err != nil {
			mustBeInput(t, err)
		}
	})
}

func mustBeInput(t *testing.T, err error) {
	t.Helper()
	if _, ok := mailroom.AsInputError(err); !ok {
		t.Fatalf("not an input error: %v", err)
	}
}

func addCorpusFile(f *testing.F, rel ...string) {
	if b, err := os.ReadFile(filepath.Join(testcorpus.Dir(f), filepath.Join(rel...))); err == nil && len(b) < 1<<20 {
		f.Add(b)
	}
}

// FuzzDecodeJPEGGray: libjpeg-turbo on any bytes whose header image/jpeg
// accepts returns an image or an error, never a crash.
func FuzzDecodeJPEGGray(f *testing.F) {
	for _, q := range []int{10, 90} {
		g := image.NewGray(image.Rect(0, 0, 40, 24))
		for i := range g.Pix {
			g.Pix[i] = uint8(i * 7)
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, g, &jpeg.Options{Quality: q}); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width*cfg.Height > 1<<22 {
			return
		}
		if g, err := DecodeJPEGGray(data, cfg.Width, cfg.Height); err == nil && g.Bounds().Dx() != cfg.Width {
			t.Fatalf("decoded %v for a %d×%d header", g.Bounds(), cfg.Width, cfg.Height)
		}
	})
}
