package pages

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/jpeg"
	"image/png"
	"os"

	"poststelle/mailroom"
)

// ImageSet is a single JPEG or PNG image: one page.
type ImageSet struct {
	data      []byte
	mediaType string
	dpi       float64
	opt       Options
	closed    bool
}

func openImage(path, mediaType string, opt Options) (mailroom.PageSet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cfg image.Config
	if mediaType == mailroom.MediaJPEG {
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	} else {
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	}
	if err != nil {
		return nil, mailroom.BadInput("Bilddatei ist beschädigt oder kein gültiges Bild",
			"image file is damaged or not a valid image", err)
	}
	if err := checkPixels(int64(cfg.Width), int64(cfg.Height), opt.maxPixels()); err != nil {
		return nil, err
	}
	dpi := 0.0
	if mediaType == mailroom.MediaJPEG {
		dpi = jpegDPI(data)
	} else {
		dpi = pngDPI(data)
	}
	return &ImageSet{data: data, mediaType: mediaType, dpi: guessDPI(dpi, cfg.Width, cfg.Height), opt: opt}, nil
}

var _ mailroom.PageSet = (*ImageSet)(nil)

// Len implements mailroom.PageSet.
func (s *ImageSet) Len() int { return 1 }

// Page implements mailroom.PageSet; dpi is ignored, the image has its own.
func (s *ImageSet) Page(ctx context.Context, i int, dpi float64) (mailroom.Page, error) {
	if s.closed {
		return mailroom.Page{}, errClosed
	}
	if i != 0 {
		return mailroom.Page{}, errPageRange(i, 1)
	}
	img, _, err := withTimeout(ctx, s.opt.pageTimeout(), func() (image.Image, error) {
		if s.mediaType == mailroom.MediaJPEG {
			return jpeg.Decode(bytes.NewReader(s.data))
		}
		return png.Decode(bytes.NewReader(s.data))
	})
	if err != nil {
		if _, ok := mailroom.AsInputError(err); ok || ctx.Err() != nil {
			return mailroom.Page{}, err
		}
		return mailroom.Page{}, mailroom.BadInput("Bild kann nicht dekodiert werden (beschädigt)",
			"image cannot be decoded (damaged)", err)
	}
	return mailroom.Page{Index: 0, Image: img, DPI: s.dpi}, nil
}

// Close implements mailroom.PageSet.
func (s *ImageSet) Close() error { s.closed = true; s.data = nil; return nil }

// Raw returns the encoded image as it came (for passthrough into the PDF).
func (s *ImageSet) Raw() ([]byte, string) { return s.data, s.mediaType }

// guessDPI returns dpi if the file told it, otherwise a guess: a page about
// A4 or letter wide at 200–600 dpi is taken at that resolution, else 300.
func guessDPI(dpi float64, w, h int) float64 {
	if dpi >= 50 && dpi <= 2400 {
		return dpi
	}
	short := w
	if h < w {
		short = h
	}
	for _, d := range []float64{200, 240, 300, 400, 600} {
		a4 := 8.27 * d
		letter := 8.5 * d
		if float64(short) > a4*0.97 && float64(short) < letter*1.03 {
			return d
		}
	}
	return 300
}

// jpegDPI reads the resolution from a JFIF APP0 segment (0 if absent).
func jpegDPI(b []byte) float64 {
	for i := 2; i+4 < len(b); {
		if b[i] != 0xFF {
			return 0
		}
		m := b[i+1]
		if m == 0xD8 || (m >= 0xD0 && m <= 0xD7) || m == 0x01 {
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		seg := b[i+4 : min(len(b), i+2+n)]
		if m == 0xE0 && len(seg) >= 12 && string(seg[:5]) == "JFIF\x00" {
			units := seg[7]
			x := float64(binary.BigEndian.Uint16(seg[8:]))
			switch units {
			case 1:
				return x
			case 2:
				return x * 2.54
			}
			return 0
		}
		if m == 0xDA { // start of scan: no more headers
			return 0
		}
		i += 2 + n
	}
	return 0
}

// pngDPI reads the resolution from the pHYs chunk (0 if absent).
func pngDPI(b []byte) float64 {
	for i := 8; i+12 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		if n < 0 || i+12+n > len(b) {
			return 0
		}
		if typ == "pHYs" && n >= 9 {
			x := float64(binary.BigEndian.Uint32(b[i+8:]))
			if b[i+16] == 1 { // per metre
				return x * 0.0254
			}
			return 0
		}
		if typ == "IDAT" {
			return 0
		}
		i += 12 + n
	}
	return 0
}
