package recognition

import (
	"context"
	"fmt"
	"image"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"poststelle/mailroom"
	"poststelle/mailroom/safefile"
	"poststelle/scan/pages"
)

// Orienter tells which way up a page is (tesseract OSD in package ocr).
type Orienter interface {
	// Orientation returns the clockwise turn (0, 90, 180, 270) that makes
	// the page upright and a confidence; ok=false when it cannot tell.
	Orientation(ctx context.Context, g *image.Gray, dpi float64) (deg int, conf float64, ok bool, err error)
}

// Options configure Recognition.
type Options struct {
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
	opt    Options
	opener *pages.Opener
	// slots bounds the pages being decoded and recognised at once across
	// all documents (the engine may recognise several documents at a
	// time): one page per OCR worker, so memory does not grow with the
	// number of documents in flight.
	slots chan struct{}
}

var _ mailroom.Recognition = (*Recognition)(nil)

// New returns a Recognition.
func New(opt Options) *Recognition {
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
	return &Recognition{opt: opt, opener: pages.NewOpener(pages.Options{DPI: c.DPI, MaxPixels: c.MaxPixels}),
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

// What the Recognition needs of a page set beyond mailroom.PageSet
// (pages.PDFSet and pages.ImageSet).
type (
	// imageTaker takes a page's image over as it is stored.
	imageTaker interface {
		Passthrough(i int) (*pages.Passthrough, error)
	}
	// textLayerer reads a born-digital document's own text.
	textLayerer interface {
		TextLayer(pages []int) ([]string, bool)
	}
	// rawImage gives the encoded image file as it came.
	rawImage interface {
		Raw() ([]byte, string)
	}
)

var (
	_ imageTaker  = (*pages.PDFSet)(nil)
	_ textLayerer = (*pages.PDFSet)(nil)
	_ rawImage    = (*pages.ImageSet)(nil)
)

// Recognise implements mailroom.Recognition.
func (r *Recognition) Recognise(ctx context.Context, job mailroom.RecognitionJob) (mailroom.RecognitionResult, error) {
	res := mailroom.RecognitionResult{Metadata: map[string]string{}}
	mt, name, err := outputOf(job, &res)
	if err != nil {
		return res, err
	}
	nums, texts, keep, err := r.survey(ctx, job, mt, &res)
	if err != nil {
		return res, err
	}
	if keep {
		return r.keepBornDigital(job, name, texts, res)
	}
	if err := os.MkdirAll(job.OutDir, 0o750); err != nil {
		return res, err
	}
	out := filepath.Join(job.OutDir, name)
	results, err := r.writePDF(ctx, job, mt, nums, out)
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

// outputOf returns the job's media type and the output file name: the
// rendition beside the original when the original is the document of
// record (signed, or kept by a classifier), which is never rewritten.
func outputOf(job mailroom.RecognitionJob, res *mailroom.RecognitionResult) (mt, name string, err error) {
	mt = job.MediaType
	if mt == "" {
		if mt, err = pages.SniffFile(job.Original); err != nil {
			return "", "", err
		}
	}
	signed := false
	if mt == mailroom.MediaPDF {
		if signed, err = IsSignedPDF(job.Original); err != nil {
			return "", "", err
		}
	}
	if signed {
		res.Flags = append(res.Flags, mailroom.FlagSigned)
	}
	if signed || job.KeepOriginal {
		res.Metadata["record"] = "original"
		return mt, mailroom.FileRendition, nil
	}
	return mt, mailroom.FileDocument, nil
}

// survey opens the original once: it checks the pages asked for (all when
// none are) and reads a born-digital PDF's own text layer. keep is true
// when the PDF is kept as it is (text_layer = skip, the whole document).
func (r *Recognition) survey(ctx context.Context, job mailroom.RecognitionJob, mt string, res *mailroom.RecognitionResult) (nums []int, texts []string, keep bool, err error) {
	ps, err := r.opener.Open(ctx, job.Original, mt)
	if err != nil {
		return nil, nil, false, err
	}
	defer ps.Close()
	n := ps.Len()
	nums = job.Pages
	if len(nums) == 0 {
		for i := 1; i <= n; i++ {
			nums = append(nums, i)
		}
	}
	for _, p := range nums {
		if p < 1 || p > n {
			return nil, nil, false, mailroom.Permanent(fmt.Errorf("page %d not in original (%d pages)", p, n))
		}
	}
	// Born-digital PDFs with a text layer.
	if tl, ok := ps.(textLayerer); ok && r.opt.Config.TextLayer != "force" {
		layer, has := tl.TextLayer(nums)
		if has {
			res.Flags = append(res.Flags, mailroom.FlagTextLayer)
			if r.opt.Config.TextLayer == "skip" && len(nums) == n {
				return nums, layer, true, nil
			}
		}
	}
	return nums, nil, false, nil
}

// keepBornDigital keeps a born-digital PDF as it is (text_layer = skip):
// its own text layer is better than OCR, and rasterising would lose it. The
// file is copied unchanged to the output; the text comes from its layer.
func (r *Recognition) keepBornDigital(job mailroom.RecognitionJob, name string, texts []string, res mailroom.RecognitionResult) (mailroom.RecognitionResult, error) {
	if err := os.MkdirAll(job.OutDir, 0o750); err != nil {
		return res, err
	}
	out := filepath.Join(job.OutDir, name)
	if err := safefile.Copy(job.Original, out, 0o640); err != nil {
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

func title(job mailroom.RecognitionJob) string {
	if t := job.Metadata["title"]; t != "" {
		return t
	}
	return "Poststelle " + job.DocumentID
}

// IsSignedPDF reports whether the PDF carries a digital signature (a
// signature dictionary with /ByteRange). It scans the bytes rather than
// the object structure, so a damaged or truncated signed file still counts
// as signed and is never rewritten.
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
