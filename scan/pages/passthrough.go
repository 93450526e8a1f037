package pages

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"

	"golang.org/x/image/ccitt"

	"poststelle/mailroom"
	"poststelle/mailroom/pdf"
	"poststelle/mailroom/pdf/pdfa"
)

// Passthrough is a page image taken over from a PDF as it is stored
// (JPEG, CCITT or Flate bytes with their parameters and ICC colour space),
// with a decoded gray copy for analysis and OCR.
type Passthrough struct {
	PDF    pdfa.Image
	Gray   *image.Gray
	DPI    float64
	Rotate int // clockwise turn that shows the image as the page shows it
}

func noPass(format string, a ...any) error { return pdf.NoPassthrough(format, a...) }

// Passthrough returns page i's single full-page image taken over as it is,
// or an error saying why the page has to be rendered instead (wrapping
// pdf.ErrNoPassthrough, or about damaged structure). A page over the pixel
// limit is bad input, as when it is rendered.
func (s *PDFSet) Passthrough(i int) (pt *Passthrough, err error) {
	if err := s.noPass[i]; err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			pt, err = nil, fmt.Errorf("pdf reader panic: %v", p)
		}
		if _, bad := mailroom.AsInputError(err); err != nil && !bad {
			if s.noPass == nil {
				s.noPass = map[int]error{}
			}
			s.noPass[i] = err
		}
	}()
	if err := s.openRaw(); err != nil {
		return nil, err
	}
	if i < 0 || i >= len(s.rawPages) {
		return nil, errPageRange(i, len(s.rawPages))
	}
	limit := s.opt.maxPixels()
	pi, err := s.raw.PageImage(s.rawPages[i], func(w, h int64) error { return checkPixels(w, h, limit) })
	if err != nil {
		return nil, err
	}
	// The decoded samples and the gray copy: over the decode budget the
	// page is rendered instead (at the render budget's resolution).
	need := int64(pi.Width) * int64(pi.Height) * int64(1+(max(1, pi.Components)*max(1, pi.BPC)+7)/8)
	if need > s.opt.decodeMemory() {
		return nil, noPass("image needs %d MiB decoded, budget %d MiB", need>>20, s.opt.decodeMemory()>>20)
	}
	img, err := pdfa.FromPageImage(pi)
	if err != nil {
		return nil, err
	}
	g, err := decodeGray(pi)
	if err != nil {
		return nil, err
	}
	return &Passthrough{PDF: img, Gray: g, DPI: pi.DPI, Rotate: pi.Rotate}, nil
}

// openRaw opens the file with the object reader on first use; when it
// cannot be read that way, every page is rendered.
func (s *PDFSet) openRaw() error {
	if s.rawFailed {
		return pdf.ErrNoPassthrough
	}
	if s.raw != nil {
		return nil
	}
	r, err := pdf.Open(s.path)
	if err == nil {
		s.rawPages, err = r.Pages()
		if err == nil && len(s.rawPages) != s.n {
			err = fmt.Errorf("%w: %d pages found, MuPDF sees %d", pdf.ErrUnsupported, len(s.rawPages), s.n)
		}
		if err != nil {
			r.Close()
		}
	}
	if err != nil {
		s.rawFailed = true
		return err
	}
	s.raw = r
	return nil
}

// decodeGray decodes the gray copy of an image taken over.
func decodeGray(pi *pdf.PageImage) (*image.Gray, error) {
	var g *image.Gray
	var err error
	switch pi.Filter {
	case "DCTDecode":
		g, err = decodeDCT(pi)
	case "CCITTFaxDecode":
		g, err = decodeCCITT(pi)
	case "FlateDecode":
		g, err = decodeFlateImage(pi)
	default:
		return nil, noPass("filter %s", string(pi.Filter))
	}
	if err != nil {
		return nil, err
	}
	if pi.Invert {
		for i := range g.Pix {
			g.Pix[i] = 255 - g.Pix[i]
		}
	}
	return g, nil
}

func decodeDCT(pi *pdf.PageImage) (*image.Gray, error) {
	if pi.BPC != 8 {
		return nil, noPass("JPEG with %d bits", pi.BPC)
	}
	if len(pi.DecodeParms) > 0 {
		return nil, noPass("JPEG with DecodeParms")
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(pi.Data))
	if err != nil {
		return nil, noPass("JPEG header: %v", err)
	}
	if cfg.Width != pi.Width || cfg.Height != pi.Height {
		return nil, noPass("JPEG is %d×%d, dictionary says %d×%d", cfg.Width, cfg.Height, pi.Width, pi.Height)
	}
	switch {
	case cfg.ColorModel == color.GrayModel && pi.Components == 1:
	case cfg.ColorModel == color.YCbCrModel && pi.Components == 3:
	default:
		return nil, noPass("JPEG components do not match the colour space")
	}
	g, err := DecodeJPEGGray(pi.Data, cfg.Width, cfg.Height)
	if err != nil {
		return nil, noPass("JPEG: %v", err)
	}
	return g, nil
}

func decodeCCITT(pi *pdf.PageImage) (*image.Gray, error) {
	w, h, parms := pi.Width, pi.Height, pi.DecodeParms
	if pi.BPC != 1 || pi.Components != 1 {
		return nil, noPass("CCITT image with %d components of %d bits", pi.Components, pi.BPC)
	}
	k := parms.Int("K", 0)
	cols := parms.Int("Columns", 1728)
	rows := parms.Int("Rows", 0)
	if cols != int64(w) || (rows != 0 && rows != int64(h)) {
		return nil, noPass("CCITT parameters do not match the image size")
	}
	var sf ccitt.SubFormat
	switch {
	case k < 0:
		sf = ccitt.Group4
	case k == 0:
		sf = ccitt.Group3
	default:
		return nil, noPass("CCITT mixed 2-D (K>0)")
	}
	align, _ := parms["EncodedByteAlign"].(bool)
	black1, _ := parms["BlackIs1"].(bool)
	// With BlackIs1 the coded "white" runs are black: the decoder's
	// inverted output is then what DeviceGray shows.
	rd := ccitt.NewReader(bytes.NewReader(pi.Data), ccitt.MSB, sf, w, h, &ccitt.Options{Align: align, Invert: black1})
	rowBytes := (w + 7) / 8
	bits := make([]byte, rowBytes*h)
	if _, err := io.ReadFull(rd, bits); err != nil {
		return nil, noPass("CCITT: %v", err)
	}
	return unpackBits(bits, w, h), nil
}

// unpackBits expands 1-bit rows (1 = white) to gray.
func unpackBits(bits []byte, w, h int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	rowBytes := (w + 7) / 8
	for y := 0; y < h; y++ {
		in := bits[y*rowBytes:]
		out := g.Pix[y*g.Stride : y*g.Stride+w]
		for x := range out {
			if in[x>>3]&(0x80>>(x&7)) != 0 {
				out[x] = 255
			}
		}
	}
	return g
}

func decodeFlateImage(pi *pdf.PageImage) (*image.Gray, error) {
	w, h, ncomp, bpc := pi.Width, pi.Height, pi.Components, pi.BPC
	if bpc != 1 && bpc != 8 {
		return nil, noPass("Flate image with %d bits", bpc)
	}
	if bpc == 1 && ncomp != 1 {
		return nil, noPass("1-bit colour image")
	}
	rowLen := (w*ncomp*bpc + 7) / 8
	data, err := pdf.Inflate(pi.Data, pi.DecodeParms, int64(rowLen)*int64(h)+int64(h)+1024)
	if err != nil {
		return nil, noPass("%v", err)
	}
	if len(data) < rowLen*h {
		return nil, noPass("Flate image data too short")
	}
	if bpc == 1 {
		return unpackBits(data, w, h), nil
	}
	g := image.NewGray(image.Rect(0, 0, w, h))
	if ncomp == 1 {
		for y := 0; y < h; y++ {
			copy(g.Pix[y*g.Stride:y*g.Stride+w], data[y*rowLen:])
		}
		return g, nil
	}
	for y := 0; y < h; y++ {
		in := data[y*rowLen:]
		out := g.Pix[y*g.Stride : y*g.Stride+w]
		for x := range out {
			r, gg, b := uint32(in[3*x]), uint32(in[3*x+1]), uint32(in[3*x+2])
			out[x] = uint8((19595*r + 38470*gg + 7471*b + 1<<15) >> 16)
		}
	}
	return g, nil
}
