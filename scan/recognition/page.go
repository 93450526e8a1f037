package recognition

import (
	"context"
	"fmt"
	"image"
	"math"
	"time"
	"unicode/utf8"

	"poststelle/mailroom"
	"poststelle/mailroom/pdf/pdfa"
	"poststelle/ocr"
	"poststelle/scan/analysis"
)

// decoded is a page as decoding left it.
type decoded struct {
	g      *image.Gray // decoded gray copy for analysis and OCR
	dpi    float64
	pdf    pdfa.Image // the image as it goes into the PDF: as it came where possible
	base   int        // clockwise turn that shows g as the source page shows it
	passed bool       // the source's image bytes are taken over
}

// processPage decodes, analyses and recognises one page (1-based src).
// desk is the clockwise turn the clerk gave the page at the desk.
//
// Recognition comes first and orientation detection only where it is
// needed (readUpright): a page whose words read confidently and lie flat is
// upright and pays for no OSD pass. A page whose ink runs up and down is
// asked OSD before it is read; pages that read badly, read little, or read
// with standing word boxes (tesseract reads a page turned by 90° almost as
// well as an upright one, words standing) are asked OSD after reading,
// turned and read again.
func (r *Recognition) processPage(ctx context.Context, ps mailroom.PageSet, mt string, src, desk int) (po pageOut) {
	defer func() {
		if p := recover(); p != nil {
			po.err = mailroom.BadInput(fmt.Sprintf("Seite %d konnte nicht verarbeitet werden (interner Fehler)", src),
				fmt.Sprintf("page %d could not be processed (internal error)", src), fmt.Errorf("%v", p))
		}
	}()
	t0 := time.Now()
	res := mailroom.PageResult{Page: src}
	d, err := r.decode(ctx, ps, mt, src)
	if err != nil {
		return pageOut{err: err}
	}
	tDecode := time.Since(t0)
	desk = ((desk % 360) + 360) % 360
	corr := analysis.Correction{Rotate: (d.base + desk) % 360}
	var rd reading
	osdTurn := 0
	blank, _ := analysis.IsBlank(d.g, d.dpi, analysis.BlankOptions{})
	if blank {
		res.Flags = append(res.Flags, mailroom.FlagBlankPage)
		rd.w, rd.h = d.g.Bounds().Dx(), d.g.Bounds().Dy()
		if corr.Rotate%180 != 0 {
			rd.w, rd.h = rd.h, rd.w
		}
	} else {
		if rd, osdTurn, err = r.readUpright(ctx, d, corr, desk, src); err != nil {
			return pageOut{err: err}
		}
		corr = rd.corr
	}
	d.g = nil
	pt := rd.text
	if !blank && pt.Confidence < r.opt.Config.LowConfidence {
		res.Flags = append(res.Flags, mailroom.FlagLowConfidence)
	}
	recordCorrection(&res, corr, (desk+osdTurn)%360)
	r.opt.Log.Debug("page recognised", "page", src, "passthrough", d.passed, "desk", desk, "decode", tDecode,
		"read", time.Since(t0)-tDecode, "rotation", corr.Rotate, "osd_turn", osdTurn, "skew", corr.Skew,
		"straightened", rd.straightened, "words", len(pt.Words))
	res.Text = pt.Text
	res.Confidence = math.Round(pt.Confidence*10) / 10
	// For the boundary scorer (mailroom/boundary): the words with their boxes
	// on the corrected page.
	res.Words, res.Width, res.Height, res.DPI = pt.Words, rd.w, rd.h, d.dpi
	return pageOut{pdf: pdfa.Page{Image: d.pdf, DPI: d.dpi, Place: corr, Words: pt.Words}, result: res}
}

// sidewaysRatio is the LineDirection ratio from which a page is taken to be
// probably sideways and asked OSD before it is read. On the corpus,
// upright text pages measured 0.10–1.22 and pages turned by 90° 0.71–3.99:
// a page above it costs one OSD pass (about 0.5 s) where it is upright
// after all, and saves reading a sideways page in vain (2–3 s) where it is
// not.
const sidewaysRatio = 1.3

// readUpright reads the page under corr and returns the reading and the
// turn orientation detection added. A page the clerk turned at the desk
// stays as the clerk turned it: orientation detection would otherwise turn
// a deliberately sideways page back. Otherwise a page whose ink runs up and
// down is asked OSD first, and a page whose reading does not show it
// upright is asked OSD (and the check by recognition) after reading, then
// turned and read again.
func (r *Recognition) readUpright(ctx context.Context, d decoded, corr analysis.Correction, desk, src int) (reading, int, error) {
	auto := r.opt.Config.AutoRotate && r.opt.Orienter != nil && desk == 0
	turned := 0
	var g *image.Gray // the page turned by corr, when already made
	if auto {
		g = corr.Apply(d.g)
		if ratio, ok := analysis.LineDirection(g, d.dpi, r.opt.MaxSkew); ok && ratio >= sidewaysRatio {
			deg, conf, sure, err := r.opt.Orienter.Orientation(ctx, g, d.dpi)
			if err != nil {
				return reading{}, 0, err
			}
			r.opt.Log.Debug("page probably sideways", "page", src, "ratio", ratio, "osd", deg, "osd_confidence", conf)
			if sure && deg != 0 && conf >= r.opt.MinOrientConfidence {
				turned = deg
				corr.Rotate = (corr.Rotate + deg) % 360
				g = nil
			}
		}
	}
	t0 := time.Now()
	rd, err := r.read(ctx, d, corr, g, src)
	if err != nil || !auto || upright(rd.text) {
		return rd, turned, err
	}
	tFirst := time.Since(t0)
	turn, err := r.orientation(ctx, rd.img, d.dpi, src)
	if err != nil {
		return rd, turned, err
	}
	r.opt.Log.Debug("page not upright as read", "page", src, "read", tFirst, "orientation", time.Since(t0)-tFirst, "turn", turn)
	if turn == 0 {
		return rd, turned, nil
	}
	corr = analysis.Correction{Rotate: (corr.Rotate + turn) % 360}
	rd, err = r.read(ctx, d, corr, nil, src)
	return rd, (turned + turn) % 360, err
}

// recordCorrection records in res the turns made to the page as the source
// showed it (desk, then orientation detection), not the source's own
// /Rotate, and the straightening.
func recordCorrection(res *mailroom.PageResult, corr analysis.Correction, turn int) {
	if turn != 0 {
		res.Rotation = turn
		res.Flags = append(res.Flags, mailroom.FlagRotated)
	}
	if corr.Skew != 0 {
		res.Skew = corr.Skew
		res.Flags = append(res.Flags, mailroom.FlagDeskewed)
	}
}

// decode takes a scanned PDF page's image over unchanged where it can (a
// decoded copy serves analysis and OCR), else decodes the page and encodes
// it for the PDF: a JPEG file as it came, everything else anew.
func (r *Recognition) decode(ctx context.Context, ps mailroom.PageSet, mt string, src int) (decoded, error) {
	if it, ok := ps.(imageTaker); ok {
		pt, err := it.Passthrough(src - 1)
		if pt != nil {
			return decoded{g: pt.Gray, dpi: pt.DPI, pdf: pt.PDF, base: pt.Rotate, passed: true}, nil
		}
		if err != nil {
			if _, bad := mailroom.AsInputError(err); bad {
				return decoded{}, err
			}
			r.opt.Log.Debug("page rendered, image not taken over", "page", src, "reason", err)
		}
	}
	page, err := ps.Page(ctx, src-1, 0)
	if err != nil {
		return decoded{}, err
	}
	d := decoded{dpi: page.DPI, g: ocr.Gray(page.Image)}
	if ri, ok := ps.(rawImage); ok && mt == mailroom.MediaJPEG {
		raw, _ := ri.Raw()
		d.pdf, d.passed = pdfa.PassthroughJPEG(raw)
	}
	if !d.passed {
		lossy := mt == mailroom.MediaPDF || mt == mailroom.MediaJPEG
		if pdfa.IsGray(page.Image) {
			d.pdf = pdfa.EncodeGray(d.g, lossy) // no second gray copy
		} else {
			d.pdf = pdfa.EncodeColor(page.Image, lossy)
		}
	}
	return d, nil
}

// straightenMin is the least skew (degrees) for which the image handed to
// tesseract is straightened first. Below it tesseract reads the page as it
// stands (as its command line would) and its word boxes are turned into the
// straightened page: resampling a page costs about a tenth of reading it,
// and tesseract's line finding copes with a skew this small. The PDF shows
// the page straightened either way (by its placement, not by resampling).
const straightenMin = 2.0

// reading is one recognition of a page under a correction.
type reading struct {
	corr         analysis.Correction // the page's correction: turn and skew
	img          *image.Gray         // the image tesseract read (nil for a blank page)
	w, h         int                 // size of the corrected page in pixels
	text         mailroom.PageText   // words on the corrected page
	straightened bool                // img was straightened (else the boxes were turned)
}

// read turns the page by corr.Rotate (turned, when not nil, is that turn
// already made), measures its skew (when deskewing), and recognises it:
// straightened first when the skew is large, else as it stands with the
// word boxes turned into the straightened page.
func (r *Recognition) read(ctx context.Context, d decoded, corr analysis.Correction, turned *image.Gray, src int) (reading, error) {
	if turned == nil {
		turned = corr.Apply(d.g)
	}
	rd := reading{corr: corr, img: turned}
	rd.w, rd.h = rd.img.Bounds().Dx(), rd.img.Bounds().Dy()
	if r.opt.Config.Deskew {
		if a, ok := analysis.DetectSkew(rd.img, d.dpi, r.opt.MaxSkew); ok && math.Abs(a) >= 0.1 {
			rd.corr.Skew = a
		}
	}
	if math.Abs(rd.corr.Skew) >= straightenMin {
		rd.img = analysis.Correction{Skew: rd.corr.Skew}.Apply(rd.img)
		rd.straightened = true
	}
	pt, err := r.opt.Recognizer.Recognize(ctx, mailroom.Page{Index: src - 1, Image: rd.img, DPI: d.dpi})
	if err != nil {
		return rd, fmt.Errorf("OCR page %d: %w", src, err)
	}
	if !rd.straightened && rd.corr.Skew != 0 {
		straighten := analysis.Correction{Skew: rd.corr.Skew}
		b := rd.img.Bounds()
		for i := range pt.Words {
			pt.Words[i].Box = straighten.MapRect(pt.Words[i].Box, b.Dx(), b.Dy())
		}
	}
	rd.text = pt
	return rd, nil
}

// upright reports whether a page's recognition shows it upright: at least
// eight words of four letters or more, nine in ten of them lying (wider
// than tall) and half of them read with confidence 80 or more. Measured on
// the corpus invoices: upright pages read 67 of 67 such words at 80+,
// upside-down ones 1 to 4 of 67 and 18, pages turned by 90° read well but
// every word stands.
func upright(pt mailroom.PageText) bool {
	long, lying, sure := 0, 0, 0
	for _, w := range pt.Words {
		if utf8.RuneCountInString(w.Text) < 4 {
			continue
		}
		long++
		if w.Box.Dx() > w.Box.Dy() {
			lying++
		}
		if w.Confidence >= 80 {
			sure++
		}
	}
	return long >= 8 && 10*lying >= 9*long && 2*sure >= long
}

// orientation returns the clockwise turn that makes the page upright, g
// the page as it stands: OSD's answer where it is sure, else the
// orientation check by recognition. OSD reads the page at full resolution:
// only pages that failed the upright test get here, and at half resolution
// OSD was unsure about every turned corpus invoice (confidence 0.75–1.34,
// each then needing the check by recognition, 0.3–1.1 s), at full
// resolution sure about all of them (8–10) for 0.2 s more.
func (r *Recognition) orientation(ctx context.Context, g *image.Gray, dpi float64, src int) (int, error) {
	deg, conf, ok, err := r.opt.Orienter.Orientation(ctx, g, dpi)
	if err != nil {
		return 0, err
	}
	if ok && deg != 0 && conf >= r.opt.MinOrientConfidence {
		return deg, nil
	}
	if ok && deg == 0 {
		return 0, nil
	}
	// OSD is unsure (typical for sideways pages) or found too little text:
	// read a crop at its proposal and as the page stands (every turn when
	// it proposed nothing) and keep the turn that reads clearly better.
	cands := []int{0, deg}
	if !ok {
		cands = []int{0, 90, 180, 270}
	}
	tc := time.Now()
	small, sdpi := halve(g, dpi)
	oc, err := analysis.CheckOrientation(ctx, r.opt.Recognizer, small, sdpi, cands)
	if err != nil {
		return 0, err
	}
	r.opt.Log.Debug("orientation checked by recognition", "page", src, "osd", deg, "osd_confidence", conf,
		"osd_ok", ok, "scores", oc.Scores, "turn", oc.Turn, "took", time.Since(tc))
	return oc.Turn, nil
}

// halve returns g at half resolution when it is above 200 dpi (the
// orientation check reads a crop of it), else g.
func halve(g *image.Gray, dpi float64) (*image.Gray, float64) {
	if dpi < 200 {
		return g, dpi
	}
	b := g.Bounds()
	w, h := b.Dx()/2, b.Dy()/2
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		r0 := g.Pix[g.PixOffset(b.Min.X, b.Min.Y+2*y):]
		r1 := g.Pix[g.PixOffset(b.Min.X, b.Min.Y+2*y+1):]
		o := out.Pix[y*out.Stride:]
		for x := 0; x < w; x++ {
			o[x] = uint8((int(r0[2*x]) + int(r0[2*x+1]) + int(r1[2*x]) + int(r1[2*x+1]) + 2) / 4)
		}
	}
	return out, dpi / 2
}
