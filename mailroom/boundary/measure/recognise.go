package measure

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg" // scanned pages, the scanned blank page
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/boundary"
	"poststelle/ocr"
	"poststelle/scan/analysis"
)

// Page images: a page that is one image (a scan) is taken over at its own
// resolution, as the pipeline does; other pages are rendered at the
// scanner's 300 dpi. Either way never more than maxPixels (the book's
// 30-inch page would otherwise cost a minute of OCR).
const (
	renderDPIMax = 300
	maxPixels    = 12_000_000
	// paintFrom is where the painted strip starts, as a share of the page
	// height: the ZUGFeRD samples print "Seite N von M" below 97 % and no
	// other text below 93 %.
	paintFrom = 0.95
)

// Recogniser renders, checks and recognises corpus pages, each once per
// run (a cache keyed by file, page and painting).
type Recogniser struct {
	Corpus string
	Pool   *ocr.Pool
	// CacheDir, if set, keeps recognised pages across runs (a developer's
	// convenience; tests and the bench leave it empty and recognise anew).
	CacheDir string
	// Log, if set, is told about every page recognised.
	Log func(format string, args ...any)

	mu    sync.Mutex
	cache map[PageRef]*entry
}

type entry struct {
	once sync.Once
	page boundary.Page
	err  error
}

// Page returns the scorer's input for ref (Source left 0).
func (r *Recogniser) Page(ctx context.Context, ref PageRef) (boundary.Page, error) {
	r.mu.Lock()
	if r.cache == nil {
		r.cache = map[PageRef]*entry{}
	}
	e := r.cache[ref]
	if e == nil {
		e = &entry{}
		r.cache[ref] = e
	}
	r.mu.Unlock()
	e.once.Do(func() {
		t0 := time.Now()
		if e.page, e.err = r.cached(ref); e.err == nil {
			return
		}
		e.page, e.err = r.recognise(ctx, ref)
		if e.err == nil {
			r.store(ref, e.page)
		}
		if r.Log != nil {
			r.Log("%s page %d (paint %v): %d words, blank %v, %v", ref.File, ref.Page, ref.Paint, len(e.page.Words), e.page.Blank, time.Since(t0).Round(time.Millisecond))
		}
	})
	return e.page, e.err
}

// Prefetch recognises refs on as many goroutines as the pool has engines.
func (r *Recogniser) Prefetch(ctx context.Context, refs []PageRef) error {
	work := make(chan PageRef)
	errs := make(chan error, len(refs))
	var wg sync.WaitGroup
	for i := 0; i < max(1, r.Pool.Workers()); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ref := range work {
				if _, err := r.Page(ctx, ref); err != nil {
					errs <- err
				}
			}
		}()
	}
	for _, ref := range refs {
		work <- ref
	}
	close(work)
	wg.Wait()
	close(errs)
	return <-errs
}

func (r *Recogniser) cacheFile(ref PageRef) string {
	if r.CacheDir == "" {
		return ""
	}
	fi, err := os.Stat(filepath.Join(r.Corpus, ref.File))
	if err != nil {
		return ""
	}
	key := fmt.Sprintf("%s|%d|%v|%d|%d", ref.File, ref.Page, ref.Paint, fi.Size(), fi.ModTime().UnixNano())
	return filepath.Join(r.CacheDir, fmt.Sprintf("%x.json", sha256.Sum256([]byte(key))))
}

func (r *Recogniser) cached(ref PageRef) (boundary.Page, error) {
	var p boundary.Page
	f := r.cacheFile(ref)
	if f == "" {
		return p, os.ErrNotExist
	}
	data, err := os.ReadFile(f)
	if err != nil {
		return p, err
	}
	return p, json.Unmarshal(data, &p)
}

func (r *Recogniser) store(ref PageRef, p boundary.Page) {
	if f := r.cacheFile(ref); f != "" {
		if data, err := json.Marshal(p); err == nil && os.MkdirAll(r.CacheDir, 0o755) == nil {
			os.WriteFile(f, data, 0o644)
		}
	}
}

func (r *Recogniser) recognise(ctx context.Context, ref PageRef) (boundary.Page, error) {
	g, dpi, err := r.load(ctx, ref)
	if err != nil {
		return boundary.Page{}, fmt.Errorf("%s page %d: %w", ref.File, ref.Page, err)
	}
	if ref.Paint {
		b := g.Bounds()
		strip := image.Rect(b.Min.X, b.Min.Y+int(paintFrom*float64(b.Dy())), b.Max.X, b.Max.Y)
		draw.Draw(g, strip, image.NewUniform(color.Gray{Y: 255}), image.Point{}, draw.Src)
	}
	p := boundary.Page{Width: g.Bounds().Dx(), Height: g.Bounds().Dy(), DPI: dpi}
	// The pipeline does not recognise pages its blank detector flags.
	if blank, _ := analysis.IsBlank(g, dpi, analysis.BlankOptions{}); blank {
		p.Blank = true
		return p, nil
	}
	pt, err := r.Pool.Recognize(ctx, mailroom.Page{Image: g, DPI: dpi})
	if err != nil {
		return p, err
	}
	p.Words, p.Text = pt.Words, pt.Text
	return p, nil
}

// load decodes the page: JPEG files as they are (at the resolution they
// declare), PDF pages rendered by pdftoppm.
func (r *Recogniser) load(ctx context.Context, ref PageRef) (*image.Gray, float64, error) {
	path := filepath.Join(r.Corpus, ref.File)
	if !strings.HasSuffix(ref.File, ".pdf") {
		f, err := os.Open(path)
		if err != nil {
			return nil, 0, err
		}
		defer f.Close()
		img, _, err := image.Decode(f)
		if err != nil {
			return nil, 0, err
		}
		return ocr.Gray(img), renderDPIMax, nil
	}
	w, h, err := pageSize(ctx, path, ref.Page)
	if err != nil {
		return nil, 0, err
	}
	img, dpi, err := pageImage(ctx, path, ref.Page, w)
	if err != nil || img != nil {
		return img, dpi, err
	}
	dpi = renderDPIMax
	if px := w / 72 * dpi * h / 72 * dpi; px > maxPixels {
		dpi = float64(int(dpi * math.Sqrt(maxPixels/px)))
	}
	out, err := exec.CommandContext(ctx, "pdftoppm", "-f", strconv.Itoa(ref.Page), "-l", strconv.Itoa(ref.Page),
		"-r", strconv.FormatFloat(dpi, 'f', 0, 64), "-gray", "-png", path).Output()
	if err != nil {
		return nil, 0, fmt.Errorf("pdftoppm: %w", err)
	}
	g, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		return nil, 0, err
	}
	return ocr.Gray(g), dpi, nil
}

// pageImage takes over the page's image when the page is a single image
// (a scan), as the pipeline does, reduced to at most maxPixels; nil when
// the page must be rendered.
func pageImage(ctx context.Context, path string, page int, width float64) (*image.Gray, float64, error) {
	imgs, err := listImages(ctx, path, page)
	if err != nil || len(imgs) != 1 || imgs[0].ppi <= 0 {
		return nil, 0, err
	}
	if iw := float64(imgs[0].w) / imgs[0].ppi * 72; math.Abs(iw-width) > 0.05*width {
		return nil, 0, nil // the image does not cover the page
	}
	dir, err := os.MkdirTemp("", "boundary-measure-")
	if err != nil {
		return nil, 0, err
	}
	defer os.RemoveAll(dir)
	p := strconv.Itoa(page)
	// -all keeps JPEG data as it is (poppler's own JPEG decoding is slow);
	// everything else comes as PNG.
	if out, err := exec.CommandContext(ctx, "pdfimages", "-f", p, "-l", p, "-all", path, filepath.Join(dir, "img")).CombinedOutput(); err != nil {
		return nil, 0, fmt.Errorf("pdfimages: %v: %s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "img-000.*"))
	if len(files) != 1 {
		return nil, 0, nil // an image format Go does not decode (JBIG2, CCITT): render the page
	}
	f, err := os.Open(files[0])
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, 0, nil // render the page instead
	}
	g, dpi := ocr.Gray(img), imgs[0].ppi
	for k := 2; g.Bounds().Dx()*g.Bounds().Dy() > maxPixels; k++ {
		g, dpi = shrink(ocr.Gray(img), k), imgs[0].ppi/float64(k)
	}
	return g, dpi, nil
}

type pdfImage struct {
	w, h int
	ppi  float64
}

// listImages lists the images (not soft masks) of a PDF page (pdfimages -list).
func listImages(ctx context.Context, path string, page int) ([]pdfImage, error) {
	p := strconv.Itoa(page)
	out, err := exec.CommandContext(ctx, "pdfimages", "-list", "-f", p, "-l", p, path).Output()
	if err != nil {
		return nil, fmt.Errorf("pdfimages: %w", err)
	}
	var imgs []pdfImage
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		// page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
		if len(f) >= 14 && f[0] == p && f[2] == "image" {
			var im pdfImage
			im.w, _ = strconv.Atoi(f[3])
			im.h, _ = strconv.Atoi(f[4])
			im.ppi, _ = strconv.ParseFloat(f[12], 64)
			imgs = append(imgs, im)
		}
	}
	return imgs, nil
}

// shrink reduces g by the factor k (box filter).
func shrink(g *image.Gray, k int) *image.Gray {
	b := g.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx()/k, b.Dy()/k))
	for y := 0; y < out.Rect.Dy(); y++ {
		for x := 0; x < out.Rect.Dx(); x++ {
			sum := 0
			for dy := 0; dy < k; dy++ {
				row := g.Pix[g.PixOffset(b.Min.X+x*k, b.Min.Y+y*k+dy):]
				for dx := 0; dx < k; dx++ {
					sum += int(row[dx])
				}
			}
			out.Pix[y*out.Stride+x] = uint8(sum / (k * k))
		}
	}
	return out
}

// pageSize returns the page's width and height in points (pdfinfo).
func pageSize(ctx context.Context, path string, page int) (w, h float64, err error) {
	p := strconv.Itoa(page)
	info, err := exec.CommandContext(ctx, "pdfinfo", "-f", p, "-l", p, path).Output()
	if err != nil {
		return 0, 0, fmt.Errorf("pdfinfo: %w", err)
	}
	for _, l := range strings.Split(string(info), "\n") {
		if strings.HasPrefix(l, "Page") && strings.Contains(l, "size:") {
			fmt.Sscanf(l[strings.Index(l, "size:")+5:], "%f x %f", &w, &h)
		}
	}
	if w <= 0 || h <= 0 {
		return 0, 0, fmt.Errorf("pdfinfo: no size for page %d", page)
	}
	return w, h, nil
}
