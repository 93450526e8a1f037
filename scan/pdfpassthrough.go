package scan

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math"

	"golang.org/x/image/ccitt"

	"poststelle/ocr"
)

// Image passthrough for scanned PDFs. A page that consists of one image
// XObject covering the page (what scanners write) keeps that image in the
// output as it came: the compressed bytes, /Filter, /DecodeParms, /Decode,
// size, depth and colour space are copied, nothing is decoded and encoded
// again. A decoded gray copy is made only for analysis and OCR. Whatever is
// not clearly such a page (other drawing operators, clipping, masks,
// transparency, filters a PDF/A or this code cannot carry, odd colour
// spaces, images not covering the page, mirrored placement) is rendered
// by MuPDF instead.

// maxRawImage is the largest compressed image stream taken over.
const maxRawImage = 256 << 20

// rawPageImage is a page image taken over from a PDF.
type rawPageImage struct {
	pdf    PDFImage
	gray   *image.Gray // decoded copy for analysis and OCR
	dpi    float64
	rotate int // clockwise turn that shows the image as the page shows it
}

// errNoPassthrough says the page is not a single full-page image the
// passthrough can take; it is rendered instead.
var errNoPassthrough = errors.New("page is not a single full-page image")

func noPass(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errNoPassthrough, fmt.Sprintf(format, a...))
}

// matrix is a PDF transformation matrix [a b c d e f].
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m × n (m applied first).
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

// singleImageDo checks that a content stream only draws one XObject (q, Q,
// cm and one Do) and returns its name and the transformation in force.
func singleImageDo(content []byte) (pdfName, matrix, error) {
	l := &pdfLexer{b: content}
	var stack []matrix
	ctm := identity
	var ops []any
	var name pdfName
	var at matrix
	dos := 0
	for {
		t, err := l.token()
		if errors.Is(err, errLexEOF) {
			break
		}
		if err != nil {
			return "", at, noPass("content: %v", err)
		}
		kw, ok := t.(pdfKeyword)
		if !ok {
			if s, isStr := t.(string); isStr {
				return "", at, noPass("content: unexpected %q", s)
			}
			ops = append(ops, t)
			if len(ops) > 16 {
				return "", at, noPass("content: too many operands")
			}
			continue
		}
		switch kw {
		case "q":
			if len(stack) > 32 {
				return "", at, noPass("content: q nested too deeply")
			}
			stack = append(stack, ctm)
		case "Q":
			if len(stack) == 0 {
				return "", at, noPass("content: unbalanced Q")
			}
			ctm = stack[len(stack)-1]
			stack = stack[:len(stack)-1]
		case "cm":
			if len(ops) != 6 {
				return "", at, noPass("content: cm needs 6 operands")
			}
			var m matrix
			for i, o := range ops {
				v, ok := pdfNumber(o)
				if !ok {
					return "", at, noPass("content: cm operand")
				}
				m[i] = v
			}
			ctm = m.mul(ctm)
		case "Do":
			if len(ops) != 1 {
				return "", at, noPass("content: Do operand")
			}
			n, ok := ops[0].(pdfName)
			if !ok {
				return "", at, noPass("content: Do operand")
			}
			dos++
			name, at = n, ctm
		default:
			return "", at, noPass("content: operator %s", string(kw))
		}
		if kw != "Do" && kw != "cm" && len(ops) != 0 {
			return "", at, noPass("content: operands before %s", string(kw))
		}
		ops = ops[:0]
	}
	if len(ops) != 0 {
		return "", at, noPass("content: dangling operands")
	}
	if dos != 1 {
		return "", at, noPass("content draws %d objects", dos)
	}
	return name, at, nil
}

// placement derives from the image matrix how the image is turned on the
// page (clockwise, 0/90/180/270), its resolution and its box on the page.
// Mirrored or sheared placements are refused.
func placement(m matrix, w, h int) (rot int, dpi float64, box [4]float64, err error) {
	a, b, c, d := m[0], m[1], m[2], m[3]
	// Directions on the screen (y down) of the image's columns (right)
	// and rows (down): sample (0,0) is the top left, at unit point (0,1).
	rx, ry := a, -b
	dx, dy := -c, d
	lr, ld := math.Hypot(rx, ry), math.Hypot(dx, dy)
	if lr == 0 || ld == 0 {
		return 0, 0, box, noPass("degenerate image matrix")
	}
	eps := 1e-3
	axis := func(x, y, l float64) (int, bool) { // direction as 0:+x 1:+y 2:-x 3:-y
		switch {
		case math.Abs(y) <= eps*l && x > 0:
			return 0, true
		case math.Abs(x) <= eps*l && y > 0:
			return 1, true
		case math.Abs(y) <= eps*l && x < 0:
			return 2, true
		case math.Abs(x) <= eps*l && y < 0:
			return 3, true
		}
		return 0, false
	}
	ra, ok1 := axis(rx, ry, lr)
	da, ok2 := axis(dx, dy, ld)
	if !ok1 || !ok2 {
		return 0, 0, box, noPass("image placed at an angle")
	}
	if da != (ra+1)%4 {
		return 0, 0, box, noPass("image placed mirrored")
	}
	rot = 90 * ra
	dpiX := float64(w) / (lr / 72)
	dpiY := float64(h) / (ld / 72)
	if math.Abs(dpiX-dpiY) > 0.01*dpiX {
		return 0, 0, box, noPass("pixels not square (%.1f×%.1f dpi)", dpiX, dpiY)
	}
	dpi = math.Round(dpiX*100) / 100
	if dpi < 50 || dpi > 2400 {
		return 0, 0, box, noPass("resolution %.0f dpi out of range", dpi)
	}
	xs := []float64{m[4], m[4] + a, m[4] + c, m[4] + a + c}
	ys := []float64{m[5], m[5] + b, m[5] + d, m[5] + b + d}
	box = [4]float64{xs[0], ys[0], xs[0], ys[0]}
	for i := 1; i < 4; i++ {
		box[0], box[2] = math.Min(box[0], xs[i]), math.Max(box[2], xs[i])
		box[1], box[3] = math.Min(box[1], ys[i]), math.Max(box[3], ys[i])
	}
	return rot, dpi, box, nil
}

// covers reports whether the image box matches the visible page (crop box
// within the media box) to within 1 % or 2 points on each edge.
func covers(img, media, crop [4]float64) bool {
	vis := [4]float64{math.Max(media[0], crop[0]), math.Max(media[1], crop[1]), math.Min(media[2], crop[2]), math.Min(media[3], crop[3])}
	if vis[2] <= vis[0] || vis[3] <= vis[1] {
		return false
	}
	tx := math.Max(2, 0.01*(vis[2]-vis[0]))
	ty := math.Max(2, 0.01*(vis[3]-vis[1]))
	return math.Abs(img[0]-vis[0]) <= tx && math.Abs(img[2]-vis[2]) <= tx &&
		math.Abs(img[1]-vis[1]) <= ty && math.Abs(img[3]-vis[3]) <= ty
}

// pageImage takes page p's image over, or says why it cannot
// (errNoPassthrough) or that the input is damaged (other errors; the page
// is then rendered, and MuPDF decides).
func (r *pdfReader) pageImage(p rawPage, maxPixels int64) (*rawPageImage, error) {
	content, err := r.contents(p, 1<<16)
	if err != nil {
		return nil, err
	}
	name, m, err := singleImageDo(content)
	if err != nil {
		return nil, err
	}
	xo, err := r.dict(p.resources["XObject"])
	if err != nil {
		return nil, err
	}
	so, err := r.resolve(xo[name])
	if err != nil {
		return nil, err
	}
	s, ok := so.(*pdfStream)
	if !ok {
		return nil, noPass("XObject %s is not a stream", string(name))
	}
	d := s.dict
	if d["Subtype"] != pdfName("Image") {
		return nil, noPass("XObject %s is not an image", string(name))
	}
	for _, k := range []pdfName{"ImageMask", "Mask", "SMask", "SMaskInData"} {
		if v, err := r.resolve(d[k]); err != nil || (v != nil && v != false && v != int64(0)) {
			return nil, noPass("image has /%s", string(k))
		}
	}
	w, okW := mustInt(r, d["Width"])
	h, okH := mustInt(r, d["Height"])
	bpc, okB := mustInt(r, d["BitsPerComponent"])
	if !okW || !okH || !okB || w <= 0 || h <= 0 {
		return nil, noPass("image size or depth missing")
	}
	if err := checkPixels(int64(w), int64(h), maxPixels); err != nil {
		return nil, err // a decompression bomb stays refused
	}
	filter, parms, err := r.singleFilter(d)
	if err != nil {
		return nil, noPass("%v", err)
	}
	// Colour space.
	img := PDFImage{Filter: string(filter), Width: w, Height: h, BPC: bpc}
	ncomp := 0
	cso, err := r.resolve(d["ColorSpace"])
	if err != nil {
		return nil, err
	}
	switch cs := cso.(type) {
	case pdfName:
		switch cs {
		case "DeviceGray":
			ncomp = 1
		case "DeviceRGB":
			ncomp = 3
		default:
			return nil, noPass("colour space %s", string(cs))
		}
		img.ColorSpace = string(cs)
	case pdfArray:
		if len(cs) != 2 || cs[0] != pdfName("ICCBased") {
			return nil, noPass("colour space %v", cs[0])
		}
		io, err := r.resolve(cs[1])
		if err != nil {
			return nil, err
		}
		icc, ok := io.(*pdfStream)
		if !ok {
			return nil, noPass("ICC profile is not a stream")
		}
		n, _ := mustInt(r, icc.dict["N"])
		if n != 1 && n != 3 {
			return nil, noPass("ICC profile with %d components", n)
		}
		data, err := r.rawStream(icc, 4<<20)
		if err != nil {
			return nil, err
		}
		f, fp, err := r.singleFilter(icc.dict)
		if err != nil || (f != "" && f != "FlateDecode") {
			return nil, noPass("ICC profile filter")
		}
		var dict bytes.Buffer
		fmt.Fprintf(&dict, " /N %d", n)
		if f != "" {
			dict.WriteString(" /Filter /FlateDecode")
		}
		if fp != nil {
			dict.WriteString(" /DecodeParms ")
			if err := writePDFObject(&dict, fp); err != nil {
				return nil, noPass("%v", err)
			}
		}
		img.ICC = &ICCProfile{Dict: dict.String(), Data: data}
		ncomp = n
		img.ColorSpace = ""
	default:
		return nil, noPass("colour space missing or odd (%T)", cso)
	}
	// Decode array: default, or inverted for one component.
	invert := false
	if do, err := r.resolve(d["Decode"]); err != nil {
		return nil, err
	} else if do != nil {
		arr, ok := do.(pdfArray)
		if !ok || len(arr) != 2*ncomp {
			return nil, noPass("bad /Decode")
		}
		vals := make([]float64, len(arr))
		for i, v := range arr {
			f, ok := pdfNumber(v)
			if !ok {
				return nil, noPass("bad /Decode")
			}
			vals[i] = f
		}
		def := true
		for i := 0; i < ncomp; i++ {
			if vals[2*i] != 0 || vals[2*i+1] != 1 {
				def = false
			}
		}
		switch {
		case def:
		case ncomp == 1 && vals[0] == 1 && vals[1] == 0:
			invert = true
		default:
			return nil, noPass("/Decode %v", vals)
		}
		var b bytes.Buffer
		writePDFObject(&b, arr)
		img.Decode = b.String()
	}
	if parms != nil {
		var b bytes.Buffer
		if err := writePDFObject(&b, parms); err != nil {
			return nil, noPass("%v", err)
		}
		img.DecodeParms = b.String()
	}
	rot, dpi, box, err := placement(m, w, h)
	if err != nil {
		return nil, err
	}
	if !covers(box, p.mediaBox, p.cropBox) {
		return nil, noPass("image does not cover the page")
	}
	raw, err := r.rawStream(s, maxRawImage)
	if err != nil {
		return nil, err
	}
	img.Data = raw
	var g *image.Gray
	switch filter {
	case "DCTDecode":
		g, err = decodeDCT(raw, w, h, ncomp, bpc, parms)
	case "CCITTFaxDecode":
		g, err = decodeCCITT(raw, w, h, ncomp, bpc, parms)
	case "FlateDecode":
		g, err = decodeFlateImage(raw, w, h, ncomp, bpc, parms)
	default:
		return nil, noPass("filter %s", string(filter))
	}
	if err != nil {
		return nil, err
	}
	if invert {
		for i := range g.Pix {
			g.Pix[i] = 255 - g.Pix[i]
		}
	}
	return &rawPageImage{pdf: img, gray: g, dpi: dpi, rotate: (rot + p.rotate) % 360}, nil
}

func mustInt(r *pdfReader, o any) (int, bool) {
	v, err := r.resolve(o)
	if err != nil {
		return 0, false
	}
	n, ok := v.(int64)
	if !ok || n < 0 || n > 1<<30 {
		return 0, false
	}
	return int(n), true
}

func decodeDCT(raw []byte, w, h, ncomp, bpc int, parms pdfDict) (*image.Gray, error) {
	if bpc != 8 {
		return nil, noPass("JPEG with %d bits", bpc)
	}
	if len(parms) > 0 {
		return nil, noPass("JPEG with DecodeParms")
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return nil, noPass("JPEG header: %v", err)
	}
	if cfg.Width != w || cfg.Height != h {
		return nil, noPass("JPEG is %d×%d, dictionary says %d×%d", cfg.Width, cfg.Height, w, h)
	}
	switch {
	case cfg.ColorModel == color.GrayModel && ncomp == 1:
	case cfg.ColorModel == color.YCbCrModel && ncomp == 3:
	default:
		return nil, noPass("JPEG components do not match the colour space")
	}
	img, err := jpeg.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, noPass("JPEG: %v", err)
	}
	return ocr.Gray(img), nil
}

func decodeCCITT(raw []byte, w, h, ncomp, bpc int, parms pdfDict) (*image.Gray, error) {
	if bpc != 1 || ncomp != 1 {
		return nil, noPass("CCITT image with %d components of %d bits", ncomp, bpc)
	}
	k := intParam(parms, "K", 0)
	cols := intParam(parms, "Columns", 1728)
	rows := intParam(parms, "Rows", 0)
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
	rd := ccitt.NewReader(bytes.NewReader(raw), ccitt.MSB, sf, w, h, &ccitt.Options{Align: align, Invert: black1})
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

func decodeFlateImage(raw []byte, w, h, ncomp, bpc int, parms pdfDict) (*image.Gray, error) {
	if bpc != 1 && bpc != 8 {
		return nil, noPass("Flate image with %d bits", bpc)
	}
	if bpc == 1 && ncomp != 1 {
		return nil, noPass("1-bit colour image")
	}
	rowLen := (w*ncomp*bpc + 7) / 8
	data, err := inflate(raw, parms, int64(rowLen)*int64(h)+int64(h)+1024)
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
