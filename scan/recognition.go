package scan

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"poststelle/mailroom"
	"poststelle/ocr"
)

// Orienter tells which way up a page is (tesseract OSD in package ocr).
type Orienter interface {
	// Orientation returns the clockwise turn (0, 90, 180, 270) that makes
	// the page upright and a confidence; ok=false when it cannot tell.
	Orientation(ctx context.Context, g *image.Gray, dpi float64) (deg int, conf float64, ok bool, err error)
}

// RecognitionOptions configure Recognition.
type RecognitionOptions struct {
	Config     mailroom.RecognitionConfig
	Recognizer mailroom.Recognizer // OCR engine pool (safe for concurrent use)
	Orienter   Orienter            // nil: pages are not turned
	// Workers is the number of pages processed at once; 0 = number of cores.
	// It should match the OCR pool size.
	Workers int
	// MinOrientConfidence is the least OSD confidence to turn a page; 0 = 2.
	MinOrientConfidence float64
	// MaxSkew is the largest skew searched for, in degrees; 0 = 20.
	MaxSkew float64
	Log     *slog.Logger
}

// Recognition makes documents searchable: it decodes each page, analyses a
// derived copy (blank page, orientation, skew), runs OCR and writes a
// PDF/A-2b whose pages show the original images, turned and straightened by
// the page geometry only, under an invisible text layer.
type Recognition struct {
	opt    RecognitionOptions
	opener *Opener
	// slots bounds the pages being decoded and recognised at once across
	// all documents (the engine may recognise several documents at a
	// time): one page per OCR worker, so memory does not grow with the
	// number of documents in flight.
	slots chan struct{}
}

var _ mailroom.Recognition = (*Recognition)(nil)

// NewRecognition returns a Recognition.
func NewRecognition(opt RecognitionOptions) *Recognition {
	if opt.Workers <= 0 {
		opt.Workers = runtime.NumCPU()
	}
	if opt.MinOrientConfidence <= 0 {
		opt.MinOrientConfidence = 2
	}
	if opt.MaxSkew <= 0 {
		opt.MaxSkew = 20
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	c := opt.Config
	return &Recognition{opt: opt, opener: NewOpener(Options{DPI: c.DPI, MaxPixels: c.MaxPixels}),
		slots: make(chan struct{}, opt.Workers)}
}

// LimitMemory sets a soft limit for the Go heap (unless GOMEMLIMIT is
// set), so garbage from decoded page images is collected before the heap
// grows: 256 MiB plus 64 MiB per worker. Tesseract's and MuPDF's own memory
// is outside it.
func LimitMemory(workers int) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(int64(256+64*max(1, workers)) << 20)
}

// Output file names in OutDir.
const (
	DocumentFile  = "document.pdf"
	RenditionFile = "rendition.pdf"
)

// Recognise implements mailroom.Recognition.
func (r *Recognition) Recognise(ctx context.Context, job mailroom.RecognitionJob) (mailroom.RecognitionResult, error) {
	res := mailroom.RecognitionResult{Metadata: map[string]string{}}
	mt := job.MediaType
	if mt == "" {
		var err error
		if mt, err = sniffFile(job.Original); err != nil {
			return res, err
		}
	}
	name := DocumentFile
	signed := false
	if mt == mailroom.MediaPDF {
		s, err := IsSignedPDF(job.Original)
		if err != nil {
			return res, err
		}
		signed = s
	}
	if signed {
		res.Flags = append(res.Flags, mailroom.FlagSigned)
	}
	if signed || job.KeepOriginal {
		// The original is the document of record: never rewritten; a
		// readable rendition is made beside it.
		name = RenditionFile
		res.Metadata["record"] = "original"
	}
	ps, err := r.opener.Open(ctx, job.Original, mt)
	if err != nil {
		return res, err
	}
	n := ps.Len()
	pages := job.Pages
	if len(pages) == 0 {
		for i := 1; i <= n; i++ {
			pages = append(pages, i)
		}
	}
	for _, p := range pages {
		if p < 1 || p > n {
			ps.Close()
			return res, mailroom.Permanent(fmt.Errorf("page %d not in original (%d pages)", p, n))
		}
	}
	// Born-digital PDFs with a text layer.
	if pdf, ok := ps.(*pdfSet); ok && r.opt.Config.TextLayer != "force" {
		texts, has := pdf.textLayer(pages)
		if has {
			res.Flags = append(res.Flags, mailroom.FlagTextLayer)
			if r.opt.Config.TextLayer == "skip" && len(pages) == n {
				ps.Close()
				return r.keepBornDigital(ctx, job, name, texts, res)
			}
		}
	}
	ps.Close()

	if err := os.MkdirAll(job.OutDir, 0o750); err != nil {
		return res, err
	}
	out := filepath.Join(job.OutDir, name)
	results, err := r.writePDF(ctx, job, mt, pages, out)
	if err != nil {
		return res, err
	}
	res.Output = out
	res.Pages = results
	seen := map[string]bool{}
	for _, f := range res.Flags {
		seen[f] = true
	}
	for _, pr := range results {
		for _, f := range pr.Flags {
			if !seen[f] {
				seen[f] = true
				res.Flags = append(res.Flags, f)
			}
		}
	}
	return res, nil
}

// keepBornDigital keeps a born-digital PDF as it is (text_layer = skip):
// its own text layer is better than OCR, and rasterising would lose it. The
// file is copied unchanged to the output; the text comes from its layer.
func (r *Recognition) keepBornDigital(ctx context.Context, job mailroom.RecognitionJob, name string, texts []string, res mailroom.RecognitionResult) (mailroom.RecognitionResult, error) {
	if err := os.MkdirAll(job.OutDir, 0o750); err != nil {
		return res, err
	}
	out := filepath.Join(job.OutDir, name)
	if err := mailroom.CopyFileAtomic(job.Original, out); err != nil {
		return res, err
	}
	res.Output = out
	for i, p := range job.Pages {
		res.Pages = append(res.Pages, mailroom.PageResult{Page: p, Confidence: 100, Text: texts[i], Flags: []string{mailroom.FlagTextLayer}})
	}
	if len(job.Pages) == 0 {
		for i, t := range texts {
			res.Pages = append(res.Pages, mailroom.PageResult{Page: i + 1, Confidence: 100, Text: t, Flags: []string{mailroom.FlagTextLayer}})
		}
	}
	return res, nil
}

// pageOut is one finished page.
type pageOut struct {
	seq    int
	pdf    PDFPage
	result mailroom.PageResult
	err    error
}

// writePDF processes the pages on the workers (each with its own decoder,
// one page at a time) and writes them in order as they finish.
func (r *Recognition) writePDF(ctx context.Context, job mailroom.RecognitionJob, mt string, pages []int, out string) ([]mailroom.PageResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	desk := mailroom.Rotations(&mailroom.Document{Metadata: job.Metadata})
	workers := min(r.opt.Workers, len(pages))
	window := 2 * workers // pages in flight or waiting to be written
	tokens := make(chan struct{}, window)
	todo := make(chan int)
	done := make(chan pageOut, window)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ps, err := r.opener.Open(ctx, job.Original, mt)
			if err != nil {
				for seq := range todo {
					done <- pageOut{seq: seq, err: err}
				}
				return
			}
			defer ps.Close()
			for seq := range todo {
				var po pageOut
				select {
				case r.slots <- struct{}{}:
					po = r.processPage(ctx, ps, mt, pages[seq], desk[pages[seq]])
					<-r.slots
				case <-ctx.Done():
					po.err = ctx.Err()
				}
				po.seq = seq
				done <- po
			}
		}()
	}
	go func() {
		defer close(todo)
		for seq := range pages {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case todo <- seq:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(done) }()

	f, err := os.CreateTemp(filepath.Dir(out), ".tmp-"+filepath.Base(out)+"-*")
	if err != nil {
		return nil, err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	defer f.Close()
	pw, err := NewPDFWriter(f, PDFInfo{Title: title(job), Created: time.Now()})
	if err != nil {
		return nil, err
	}
	results := make([]mailroom.PageResult, len(pages))
	pending := map[int]pageOut{}
	next := 0
	var firstErr error
	for po := range done {
		if firstErr != nil {
			continue // drain
		}
		if po.err != nil {
			firstErr = po.err
			cancel()
			continue
		}
		pending[po.seq] = po
		for {
			p, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			if err := pw.AddPage(p.pdf); err != nil {
				firstErr = err
				cancel()
				break
			}
			results[next] = p.result
			next++
			<-tokens
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if next != len(pages) {
		return nil, errors.New("recognition: not every page was processed")
	}
	if err := pw.Close(); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if err := os.Chmod(tmp, 0o640); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, out); err != nil {
		return nil, err
	}
	syncDir(filepath.Dir(out))
	return results, nil
}

func title(job mailroom.RecognitionJob) string {
	if t := job.Metadata["title"]; t != "" {
		return t
	}
	return "Poststelle " + job.DocumentID
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
	cfg := r.opt.Config
	res := mailroom.PageResult{Page: src}
	var (
		g    *image.Gray // decoded gray copy for analysis and OCR
		dpi  float64
		pimg PDFImage // the image as it goes into the PDF: as it came where possible
		base int      // clockwise turn that shows g as the source page shows it
	)
	passed := false
	if pdf, ok := ps.(*pdfSet); ok {
		// A scanned page's image is taken over unchanged; analysis and OCR
		// work on a decoded copy.
		ri, err := pdf.rawImage(src - 1)
		if ri != nil {
			pimg, g, dpi, base, passed = ri.pdf, ri.gray, ri.dpi, ri.rotate, true
		} else if err != nil {
			if _, bad := mailroom.AsInputError(err); bad {
				return pageOut{err: err}
			}
			r.opt.Log.Debug("page rendered, image not taken over", "page", src, "reason", err)
		}
	}
	if !passed {
		page, err := ps.Page(ctx, src-1, 0)
		if err != nil {
			return pageOut{err: err}
		}
		dpi = page.DPI
		g = ocr.Gray(page.Image)
		if is, ok := ps.(*imageSet); ok && mt == mailroom.MediaJPEG {
			raw, _ := is.Raw()
			pimg, passed = PassthroughJPEG(raw)
		}
		if !passed {
			lossy := mt == mailroom.MediaPDF || mt == mailroom.MediaJPEG
			if isGray(page.Image) {
				pimg = EncodeImage(g, lossy) // no second gray copy
			} else {
				pimg = EncodeImage(page.Image, lossy)
			}
		}
		page.Image = nil // drop the (large) decoded image before analysis
	}
	tDecode := time.Since(t0)

	blank, _ := IsBlank(g, dpi, BlankOptions{})
	// The page as the source shows it, then turned as the clerk turned it
	// at the desk; orientation detection works from there.
	desk = ((desk % 360) + 360) % 360
	corr := Correction{Rotate: (base + desk) % 360}
	osdTurn := 0
	if blank {
		res.Flags = append(res.Flags, mailroom.FlagBlankPage)
	} else {
		// A page the clerk turned at the desk stays as the clerk turned it:
		// orientation detection would otherwise turn a deliberately
		// sideways page back.
		if cfg.AutoRotate && r.opt.Orienter != nil && desk == 0 {
			small, sdpi := halve(g, dpi)
			small = Correction{Rotate: corr.Rotate}.Apply(small)
			deg, conf, ok, err := r.opt.Orienter.Orientation(ctx, small, sdpi)
			if err != nil {
				return pageOut{err: err}
			}
			if ok && deg != 0 && conf >= r.opt.MinOrientConfidence {
				osdTurn = deg
			} else if !ok || deg != 0 {
				// OSD is unsure (typical for sideways pages) or found too
				// little text: read a crop at its proposal and as the page
				// stands (every turn when it proposed nothing) and keep the
				// turn that reads clearly better. Pages OSD is sure of, or
				// which it leaves as they stand, pay nothing for this.
				cands := []int{0, deg}
				if !ok {
					cands = []int{0, 90, 180, 270}
				}
				tc := time.Now()
				oc, err := checkOrientation(ctx, r.opt.Recognizer, small, sdpi, cands)
				if err != nil {
					return pageOut{err: err}
				}
				osdTurn = oc.turn
				r.opt.Log.Debug("orientation checked by recognition", "page", src, "osd", deg, "osd_confidence", conf,
					"osd_ok", ok, "scores", oc.scores, "turn", oc.turn, "took", time.Since(tc))
			}
			corr.Rotate = (corr.Rotate + osdTurn) % 360
		}
		if cfg.Deskew {
			rg := Correction{Rotate: corr.Rotate}.Apply(g)
			if a, ok := DetectSkew(rg, dpi, r.opt.MaxSkew); ok && math.Abs(a) >= 0.1 {
				corr.Skew = a
			}
		}
	}
	og := corr.Apply(g)
	g = nil
	tAnalyse := time.Since(t0) - tDecode
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
	var pt mailroom.PageText
	if !blank {
		var err error
		pt, err = r.opt.Recognizer.Recognize(ctx, mailroom.Page{Index: src - 1, Image: og, DPI: dpi})
		if err != nil {
			return pageOut{err: fmt.Errorf("OCR page %d: %w", src, err)}
		}
		if pt.Confidence < cfg.LowConfidence {
			res.Flags = append(res.Flags, mailroom.FlagLowConfidence)
		}
	}
	r.opt.Log.Debug("page recognised", "page", src, "passthrough", passed, "desk", desk, "decode", tDecode, "analyse", tAnalyse,
		"ocr", time.Since(t0)-tDecode-tAnalyse, "rotation", corr.Rotate, "skew", corr.Skew, "words", len(pt.Words))
	res.Text = pt.Text
	res.Confidence = math.Round(pt.Confidence*10) / 10
	// For the boundary scorer: the words with their boxes on og.
	res.Words, res.Width, res.Height, res.DPI = pt.Words, og.Bounds().Dx(), og.Bounds().Dy(), dpi
	return pageOut{pdf: PDFPage{Image: pimg, DPI: dpi, Correction: corr, Words: pt.Words}, result: res}
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

// textLayer returns the text of the given pages from the PDF's own text
// layer, and whether the document has one (at least 20 letters or digits
// on most of those pages).
func (s *pdfSet) textLayer(pages []int) ([]string, bool) {
	texts := make([]string, len(pages))
	with := 0
	for i, p := range pages {
		t, abandoned, err := withTimeout(context.Background(), s.opt.pageTimeout(), func() (string, error) { return s.doc.Text(p - 1) })
		if abandoned {
			s.abandoned = true
			return texts, false
		}
		if err != nil {
			continue
		}
		texts[i] = strings.TrimSpace(t)
		letters := 0
		for _, r := range t {
			if r > ' ' {
				letters++
			}
		}
		if letters >= 20 {
			with++
		}
	}
	return texts, with*2 > len(pages)
}

// IsSignedPDF reports whether the PDF carries a digital signature (a
// signature dictionary with /ByteRange).
func IsSignedPDF(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	carry := 0
	for {
		n, err := f.Read(buf[carry:])
		chunk := buf[:carry+n]
		if strings.Contains(string(chunk), "/ByteRange") {
			return true, nil
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		keep := min(16, len(chunk))
		copy(buf, chunk[len(chunk)-keep:])
		carry = keep
	}
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
