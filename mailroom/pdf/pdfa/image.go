package pdfa

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"

	"poststelle/mailroom/pdf"
)

// Image is a page image ready to be embedded.
type Image struct {
	Data       []byte // encoded stream data
	Filter     string // "DCTDecode", "FlateDecode" or "CCITTFaxDecode"
	Width      int
	Height     int
	ColorSpace string // "DeviceGray" or "DeviceRGB" (ignored when ICC is set)
	BPC        int    // bits per component: 8, or 1 for bitonal
	// Taken over from a source PDF as they were (PDF syntax, "" if absent).
	DecodeParms string
	Decode      string
	ICC         *ICCProfile // an ICCBased colour space
}

// ICCProfile is an ICC profile stream copied from a source PDF: its
// dictionary entries (PDF syntax, without /Length) and encoded data.
type ICCProfile struct {
	Dict string
	Data []byte
}

// JPEGQuality is used where a page image has to be encoded anew (rendered
// PDF pages that are not bitonal).
const JPEGQuality = 85

// FromPageImage takes an image read from a source PDF over as it is
// stored. An error (wrapping pdf.ErrNoPassthrough) says its parameters
// cannot be copied.
func FromPageImage(pi *pdf.PageImage) (Image, error) {
	img := Image{Filter: string(pi.Filter), Width: pi.Width, Height: pi.Height, BPC: pi.BPC,
		ColorSpace: string(pi.ColorSpace), Data: pi.Data}
	if pi.ICC != nil {
		var dict bytes.Buffer
		fmt.Fprintf(&dict, " /N %d", pi.ICC.N)
		if pi.ICC.Filter != "" {
			dict.WriteString(" /Filter /FlateDecode")
		}
		if pi.ICC.DecodeParms != nil {
			dict.WriteString(" /DecodeParms ")
			if err := pdf.WriteDirect(&dict, pi.ICC.DecodeParms); err != nil {
				return Image{}, pdf.NoPassthrough("%v", err)
			}
		}
		img.ICC = &ICCProfile{Dict: dict.String(), Data: pi.ICC.Data}
		img.ColorSpace = ""
	}
	if pi.Decode != nil {
		var b bytes.Buffer
		if err := pdf.WriteDirect(&b, pi.Decode); err != nil {
			return Image{}, pdf.NoPassthrough("%v", err)
		}
		img.Decode = b.String()
	}
	if pi.DecodeParms != nil {
		var b bytes.Buffer
		if err := pdf.WriteDirect(&b, pi.DecodeParms); err != nil {
			return Image{}, pdf.NoPassthrough("%v", err)
		}
		img.DecodeParms = b.String()
	}
	return img, nil
}

// PassthroughJPEG embeds a JPEG file as it came (DCTDecode). ok is false
// for JPEGs a PDF/A with an sRGB output intent cannot carry as they are
// (CMYK, odd component counts).
func PassthroughJPEG(data []byte) (Image, bool) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Image{}, false
	}
	cs := ""
	switch cfg.ColorModel {
	case color.GrayModel:
		cs = "DeviceGray"
	case color.YCbCrModel:
		cs = "DeviceRGB"
	default:
		return Image{}, false
	}
	return Image{Data: data, Filter: "DCTDecode", Width: cfg.Width, Height: cfg.Height, ColorSpace: cs, BPC: 8}, true
}

// EncodeGray encodes a gray page image: bitonal pages as 1-bit Flate, else
// 8-bit gray, lossy (JPEG) only when lossy is true, else Flate.
func EncodeGray(g *image.Gray, lossy bool) Image {
	b := g.Bounds()
	w, h := b.Dx(), b.Dy()
	if isBitonal(g) {
		return Image{Data: deflate(packBits(g)), Filter: "FlateDecode", Width: w, Height: h, ColorSpace: "DeviceGray", BPC: 1}
	}
	if lossy {
		var buf bytes.Buffer
		jpeg.Encode(&buf, g, &jpeg.Options{Quality: JPEGQuality})
		return Image{Data: buf.Bytes(), Filter: "DCTDecode", Width: w, Height: h, ColorSpace: "DeviceGray", BPC: 8}
	}
	raw := make([]byte, 0, w*h)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		i := g.PixOffset(b.Min.X, y)
		raw = append(raw, g.Pix[i:i+w]...)
	}
	return Image{Data: deflate(raw), Filter: "FlateDecode", Width: w, Height: h, ColorSpace: "DeviceGray", BPC: 8}
}

// EncodeColor encodes a colour page image as RGB: lossy (JPEG) only when
// lossy is true, else Flate. Gray images (IsGray) go to EncodeGray.
func EncodeColor(img image.Image, lossy bool) Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if lossy {
		var buf bytes.Buffer
		jpeg.Encode(&buf, img, &jpeg.Options{Quality: JPEGQuality})
		return Image{Data: buf.Bytes(), Filter: "DCTDecode", Width: w, Height: h, ColorSpace: "DeviceRGB", BPC: 8}
	}
	raw := make([]byte, 0, 3*w*h)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bb, _ := img.At(x, y).RGBA()
			raw = append(raw, uint8(r>>8), uint8(g>>8), uint8(bb>>8))
		}
	}
	return Image{Data: deflate(raw), Filter: "FlateDecode", Width: w, Height: h, ColorSpace: "DeviceRGB", BPC: 8}
}

// IsGray reports whether img carries no colour.
func IsGray(img image.Image) bool {
	switch s := img.(type) {
	case *image.Gray, *image.Gray16:
		return true
	case *image.YCbCr:
		return neutral(s.Cb) && neutral(s.Cr)
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

// neutral reports whether chroma samples stay within 2 of the neutral 128.
func neutral(c []uint8) bool {
	for _, v := range c {
		if v < 126 || v > 130 {
			return false
		}
	}
	return true
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
