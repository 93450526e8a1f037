package barcode

import (
	"image"
	"math"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/aztec"
	"github.com/makiuchi-d/gozxing/datamatrix"
)

// scanMatrix runs the 2D readers (QR, DataMatrix, Aztec) on g, binarized
// with gozxing's HybridBinarizer (local thresholds). Boxes are scaled by scale
// and moved by off to page coordinates.
func scanMatrix(g *gray, scale int, off image.Point, tryHarder bool) []found {
	return scanMatrixBin(g, gozxing.NewHybridBinarizer(newLumSource(g)), scale, off, tryHarder)
}

// scanMatrixGlobal is scanMatrix with one threshold for the whole image
// (gozxing's GlobalHistogramBinarizer), which reads some unevenly lit photos
// whose local thresholds break the finder patterns.
func scanMatrixGlobal(g *gray, scale int, off image.Point, tryHarder bool) []found {
	return scanMatrixBin(g, gozxing.NewGlobalHistgramBinarizer(newLumSource(g)), scale, off, tryHarder)
}

// scanMatrixHarder reads g with one binarisation after the other until one
// yields a code: local thresholds (HybridBinarizer), one global threshold
// (GlobalHistogramBinarizer: unevenly lit photos whose local thresholds
// break the finder patterns), local thresholds on the contrast-stretched
// luminance (pale codes whose blocks the HybridBinarizer takes for flat),
// and local thresholds on the inverted luminance (light codes on a dark
// ground). Used where the image is small: photos, candidate regions.
func scanMatrixHarder(g *gray) []found {
	if out := scanMatrix(g, 1, image.Point{}, true); len(out) > 0 {
		return out
	}
	if out := scanMatrixGlobal(g, 1, image.Point{}, true); len(out) > 0 {
		return out
	}
	if st, ok := g.stretched(); ok {
		if out := scanMatrix(st, 1, image.Point{}, true); len(out) > 0 {
			return out
		}
	}
	return scanMatrix(g.inverted(), 1, image.Point{}, true)
}

func scanMatrixBin(g *gray, bin gozxing.Binarizer, scale int, off image.Point, tryHarder bool) []found {
	bmp, err := gozxing.NewBinaryBitmap(bin)
	if err != nil {
		return nil
	}
	hints := map[gozxing.DecodeHintType]interface{}{}
	if tryHarder {
		hints[gozxing.DecodeHintType_TRY_HARDER] = true
	}
	var out []found
	add := func(sym string, r *gozxing.Result) {
		if r == nil || r.GetText() == "" {
			return
		}
		box := pointsBox(r.GetResultPoints())
		box = image.Rect(box.Min.X*scale, box.Min.Y*scale, box.Max.X*scale+scale, box.Max.Y*scale+scale).Add(off)
		out = append(out, found{symbology: sym, text: r.GetText(), box: box})
	}
	if bm, err := bmp.GetBlackMatrix(); err == nil {
		for _, r := range readQR(qrImage{bm: bm, lum: g}, hints) {
			add("qrcode", r)
		}
	}
	if r, err := safeOne(func() (*gozxing.Result, error) { return datamatrix.NewDataMatrixReader().Decode(bmp, hints) }); err == nil {
		add("datamatrix", r)
	}
	if r, err := safeOne(func() (*gozxing.Result, error) { return aztec.NewAztecReader().Decode(bmp, hints) }); err == nil {
		add("aztec", r)
	}
	return out
}

func pointsBox(pts []gozxing.ResultPoint) image.Rectangle {
	if len(pts) == 0 {
		return image.Rectangle{}
	}
	x0, y0 := math.Inf(1), math.Inf(1)
	x1, y1 := math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		if p == nil {
			continue
		}
		x0, y0 = math.Min(x0, p.GetX()), math.Min(y0, p.GetY())
		x1, y1 = math.Max(x1, p.GetX()), math.Max(y1, p.GetY())
	}
	if math.IsInf(x0, 0) {
		return image.Rectangle{}
	}
	return image.Rect(int(x0), int(y0), int(math.Ceil(x1)), int(math.Ceil(y1)))
}

// The gozxing decoders are ports of Java code; a malformed image must not
// bring down the engine, so their panics become errors.
func safeOne(f func() (*gozxing.Result, error)) (r *gozxing.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, gozxing.NewFormatException("decoder panic")
		}
	}()
	return f()
}

func safeMulti(f func() ([]*gozxing.Result, error)) (r []*gozxing.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, gozxing.NewFormatException("decoder panic")
		}
	}()
	return f()
}

// matrixCandidates finds regions of a reduced page (g reduced by f) that look like 2D codes
// (dense, high-contrast texture in both directions, compact) and are not
// already covered by a decoded symbol. They are returned in full-resolution
// coordinates with a margin.
func matrixCandidates(full *fullRes, small *gray, f int, dpi float64, have []found) []image.Rectangle {
	var covered []image.Rectangle
	for _, h := range have {
		covered = append(covered, image.Rect(h.box.Min.X/f, h.box.Min.Y/f, (h.box.Max.X+f-1)/f, (h.box.Max.Y+f-1)/f))
	}
	var out []image.Rectangle
	for _, c := range findMatrixRegions(full, small, f, dpi/float64(f), covered, maxMatrixCandidates) {
		r := c.box
		out = append(out, image.Rect(r.Min.X*f, r.Min.Y*f, r.Max.X*f, r.Max.Y*f))
	}
	return out
}

// scanMatrixEnlarged scans a tiny image again, enlarged k times (pixels
// repeated) with a white margin of a quarter of its size; boxes are mapped
// back.
func scanMatrixEnlarged(g *gray, k int) []found {
	m := max(g.w, g.h) / 4
	big := &gray{w: k*g.w + 2*m, h: k*g.h + 2*m}
	big.pix = make([]byte, big.w*big.h)
	for i := range big.pix {
		big.pix[i] = 255
	}
	for y := 0; y < k*g.h; y++ {
		src := g.pix[(y/k)*g.w : (y/k+1)*g.w]
		dst := big.pix[(y+m)*big.w+m : (y+m)*big.w+m+k*g.w]
		for x := range dst {
			dst[x] = src[x/k]
		}
	}
	out := scanMatrix(big, 1, image.Point{}, true)
	for i := range out {
		b := out[i].box.Sub(image.Pt(m, m))
		out[i].box = image.Rect(b.Min.X/k, b.Min.Y/k, (b.Max.X+k-1)/k, (b.Max.Y+k-1)/k).Intersect(image.Rect(0, 0, g.w, g.h))
	}
	return out
}
