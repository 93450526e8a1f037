package scan

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"

	"poststelle/ocr"
)

// JPEGQuality is used where a page image has to be encoded anew (rendered
// PDF pages that are not bitonal).
const JPEGQuality = 85

// PassthroughJPEG embeds a JPEG file as it came (DCTDecode). ok is false
// for JPEGs a PDF/A with an sRGB output intent cannot carry as they are
// (CMYK, odd component counts).
func PassthroughJPEG(data []byte) (PDFImage, bool) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return PDFImage{}, false
	}
	cs := ""
	switch cfg.ColorModel {
	case color.GrayModel:
		cs = "DeviceGray"
	case color.YCbCrModel:
		cs = "DeviceRGB"
	default:
		return PDFImage{}, false
	}
	return PDFImage{Data: data, Filter: "DCTDecode", Width: cfg.Width, Height: cfg.Height, ColorSpace: cs, BPC: 8}, true
}

// EncodeImage encodes a decoded page image: bitonal pages as 1-bit Flate,
// gray pages as gray, colour pages as RGB; lossy (JPEG) only when lossy is
// true, else Flate.
func EncodeImage(img image.Image, lossy bool) PDFImage {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if isGray(img) {
		g := ocr.Gray(img)
		if isBitonal(g) {
			return PDFImage{Data: deflate(packBits(g)), Filter: "FlateDecode", Width: w, Height: h, ColorSpace: "DeviceGray", BPC: 1}
		}
		if lossy {
			var buf bytes.Buffer
			jpeg.Encode(&buf, g, &jpeg.Options{Quality: JPEGQuality})
			return PDFImage{Data: buf.Bytes(), Filter: "DCTDecode", Width: w, Height: h, ColorSpace: "DeviceGray", BPC: 8}
		}
		raw := make([]byte, 0, w*h)
		for y := b.Min.Y; y < b.Max.Y; y++ {
			i := g.PixOffset(b.Min.X, y)
			raw = append(raw, g.Pix[i:i+w]...)
		}
		return PDFImage{Data: deflate(raw), Filter: "FlateDecode", Width: w, Height: h, ColorSpace: "DeviceGray", BPC: 8}
	}
	if lossy {
		var buf bytes.Buffer
		jpeg.Encode(&buf, img, &jpeg.Options{Quality: JPEGQuality})
		return PDFImage{Data: buf.Bytes(), Filter: "DCTDecode", Width: w, Height: h, ColorSpace: "DeviceRGB", BPC: 8}
	}
	raw := make([]byte, 0, 3*w*h)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bb, _ := img.At(x, y).RGBA()
			raw = append(raw, uint8(r>>8), uint8(g>>8), uint8(bb>>8))
		}
	}
	return PDFImage{Data: deflate(raw), Filter: "FlateDecode", Width: w, Height: h, ColorSpace: "DeviceRGB", BPC: 8}
}

// isGray reports whether img carries no colour.
func isGray(img image.Image) bool {
	switch s := img.(type) {
	case *image.Gray, *image.Gray16:
		return true
	case *image.YCbCr:
		for _, v := range s.Cb {
			if v < 126 || v > 130 {
				return false
			}
		}
		for _, v := range s.Cr {
			if v < 126 || v > 130 {
				return false
			}
		}
		return true
	case *image.RGBA:
		p := s.Pix
		for i := 0; i+3 < len(p); i += 4 {
			if d := int(p[i]) - int(p[i+1]); d > 3 || d < -3 {
				return false
			}
			if d := int(p[i+1]) - int(p[i+2]); d > 3 || d < -3 {
				return false
			}
		}
		return true
	case *image.Paletted:
		for _, c := range s.Palette {
			r, g, b, _ := c.RGBA()
			if r != g || g != b {
				return false
			}
		}
		return true
	}
	return false
}

// isBitonal reports whether every pixel is black or white.
func isBitonal(g *image.Gray) bool {
	b := g.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		i := g.PixOffset(b.Min.X, y)
		for _, v := range g.Pix[i : i+b.Dx()] {
			if v != 0 && v != 255 {
				return false
			}
		}
	}
	return true
}

// packBits packs a black-and-white image into rows of 1-bit pixels
// (1 = white, as DeviceGray reads them).
func packBits(g *image.Gray) []byte {
	b := g.Bounds()
	w, h := b.Dx(), b.Dy()
	rowBytes := (w + 7) / 8
	out := make([]byte, rowBytes*h)
	for y := 0; y < h; y++ {
		row := g.Pix[g.PixOffset(b.Min.X, b.Min.Y+y):]
		o := out[y*rowBytes:]
		for x := 0; x < w; x++ {
			if row[x] != 0 {
				o[x>>3] |= 0x80 >> (x & 7)
			}
		}
	}
	return out
}
