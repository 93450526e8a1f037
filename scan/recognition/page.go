package recognition

import (
	"context"
	"fmt"
	"image"
	"math"
	"time"

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
	corr, blank, err := r.analyse(ctx, d, desk, src, &res)
	if err != nil {
		return pageOut{err: err}
	}
	og := corr.Apply(d.g)
	d.g = nil
	tAnalyse := time.Since(t0) - tDecode
	var pt mailroom.PageText
	if !blank {
		if pt, err = r.opt.Recognizer.Recognize(ctx, mailroom.Page{Index: src - 1, Image: og, DPI: d.dpi}); err != nil {
			return pageOut{err: fmt.Errorf("OCR page %d: %w", src, err)}
		}
		if pt.Confidence < r.opt.Config.LowConfidence {
			res.Flags = append(res.Flags, mailroom.FlagLowConfidence)
		}
	}
	r.opt.Log.Debug("page recognised", "page", src, "passthrough", d.passed, "desk", desk, "decode", tDecode, "analyse", tAnalyse,
		"ocr", time.Since(t0)-tDecode-tAnalyse, "rotation", corr.Rotate, "skew", corr.Skew, "words", len(pt.Words))
	res.Text = pt.Text
	res.Confidence = math.Round(pt.Confidence*10) / 10
	// For the boundary scorer (mailroom/boundary): the words with their boxes on og.
	res.Words, res.Width, res.Height, res.DPI = pt.Words, og.Bounds().Dx(), og.Bounds().Dy(), d.dpi
	return pageOut{pdf: pdfa.Page{Image: d.pdf, DPI: d.dpi, Place: corr, Words: pt.Words}, result: res}
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

// analyse decides the page's correction: the page as the source shows it,
// turned as the clerk turned it at the desk, then (unless blank) upright by
// orientation detection and straightened. It records turns, skew and a
// blank page in res.
func (r *Recognition) analyse(ctx context.Context, d decoded, desk, src int, res *mailroom.PageResult) (analysis.Correction, bool, error) {
	blank, _ := analysis.IsBlank(d.g, d.dpi, analysis.BlankOptions{})
	corr := analysis.Correction{Rotate: (d.base + desk) % 360}
	osdTurn := 0
	if blank {
		res.Flags = append(res.Flags, mailroom.FlagBlankPage)
	} else {
		// A page the clerk turned at the desk stays as the clerk turned it:
		// orientation detection would otherwise turn a deliberately
		// sideways page back.
		if r.opt.Config.AutoRotate && r.opt.Orienter != nil && desk == 0 {
			var err error
			if osdTurn, err = r.orientation(ctx, d.g, d.dpi, corr.Rotate, src); err != nil {
				return corr, blank, err
			}
			corr.Rotate = (corr.Rotate + osdTurn) % 360
		}
		if r.opt.Config.Deskew {
			rg := analysis.Correction{Rotate: corr.Rotate}.Apply(d.g)
			if a, ok := analysis.DetectSkew(rg, d.dpi, r.opt.MaxSkew); ok && math.Abs(a) >= 0.1 {
				corr.Skew = a
			}
		}
	}
	// Recorded: the turns made to the page as the source showed it (desk,
	// then orientation detection), not the source's own /Rotate.
	if turn := (desk + osdTurn) % 360; turn != 0 {
		res.Rotation = turn
		res.Flags = append(res.Flags, mailroom.FlagRotated)
	}
	if corr.Skew != 0 {
		res.Skew = corr.Skew
		res.Flags = append(res.Flags, mailroom.FlagDeskewed)
	}
	return corr, blank, nil
}

// orientation returns the clockwise turn that makes the page upright, g
// turned by rot as it stands: OSD's answer where it is sure, else the
// orientation check by recognition.
func (r *Recognition) orientation(ctx context.Context, g *image.Gray, dpi float64, rot, src int) (int, error) {
	small, sdpi := halve(g, dpi)
	small = analysis.Correction{Rotate: rot}.Apply(small)
	deg, conf, ok, err := r.opt.Orienter.Orientation(ctx, small, sdpi)
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
	// Pages OSD is sure of, or which it leaves as they stand, pay nothing
	// for this.
	cands := []int{0, deg}
	if !ok {
		cands = []int{0, 90, 180, 270}
	}
	tc := time.Now()
	oc, err := analysis.CheckOrientation(ctx, r.opt.Recognizer, small, sdpi, cands)
	if err != nil {
		return 0, err
	}
	r.opt.Log.Debug("orientation checked by recognition", "page", src, "osd", deg, "osd_confidence", conf,
		"osd_ok", ok, "scores", oc.Scores, "turn", oc.Turn, "took", time.Since(tc))
	return oc.Turn, nil
}

// halve returns g at half resolution when it is above 200 dpi (OSD needs
// no more and runs four times faster), else g.
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
