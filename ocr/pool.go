//go:build !windows

package ocr

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/otiai10/gosseract/v2"

	"poststelle/mailroom"
	"poststelle/ocr/pgm"
)

// Options configure the pool.
type Options struct {
	// Languages are tesseract language codes joined by "+"; "" = "deu+eng".
	Languages string
	// Workers is the number of engines; 0 = number of cores.
	Workers int
	// NoOSD leaves out the orientation engines (saves memory when pages
	// are never turned).
	NoOSD bool
}

// engine is one worker's tesseract: a gosseract client for recognition and
// an OSD engine for orientation. Only one goroutine uses it at a time.
type engine struct {
	cl  *gosseract.Client
	osd *osd
}

// Pool is a fixed set of tesseract engines, created once and reused. It is
// safe for concurrent use: each call borrows one engine and waits while all
// are busy.
type Pool struct {
	langs   string
	engines chan *engine
	all     []*engine
	closeMu sync.Mutex
	closed  bool
}

var _ mailroom.Recognizer = (*Pool)(nil)

// ErrClosed is returned after Close.
var ErrClosed = errors.New("ocr: pool is closed")

// New creates the engines. Tesseract must run single-threaded per engine:
// OMP_THREAD_LIMIT=1 must be in the environment before the process starts
// (see SingleThreaded); New sets it for child processes as well.
func New(opt Options) (*Pool, error) {
	os.Setenv("OMP_THREAD_LIMIT", "1")
	limitArenas()
	langs := opt.Languages
	if langs == "" {
		langs = "deu+eng"
	}
	n := opt.Workers
	if n <= 0 {
		n = runtime.NumCPU()
	}
	if err := checkLanguages(langs); err != nil {
		return nil, err
	}
	p := &Pool{langs: langs, engines: make(chan *engine, n)}
	for i := 0; i < n; i++ {
		cl := gosseract.NewClient()
		if err := cl.SetLanguage(strings.Split(langs, "+")...); err != nil {
			cl.Close()
			p.Close()
			return nil, err
		}
		// The page segmentation mode as a variable: gosseract's
		// SetPageSegMode reaches the engine before its first
		// initialisation, which resets it to the API default (one uniform
		// block), and multi-column pages then lose words. Variables are
		// applied after initialisation. PSM_AUTO is the CLI's default.
		if err := cl.SetVariable("tessedit_pageseg_mode", strconv.Itoa(int(gosseract.PSM_AUTO))); err != nil {
			cl.Close()
			p.Close()
			return nil, err
		}
		e := &engine{cl: cl}
		if !opt.NoOSD {
			o, err := newOSD()
			if err != nil {
				cl.Close()
				p.Close()
				return nil, err
			}
			e.osd = o
		}
		p.all = append(p.all, e)
		p.engines <- e
	}
	return p, nil
}

// Workers is the number of engines.
func (p *Pool) Workers() int { return len(p.all) }

// Languages are the configured languages.
func (p *Pool) Languages() string { return p.langs }

func checkLanguages(langs string) error {
	have, err := gosseract.GetAvailableLanguages()
	if err != nil {
		return err
	}
	set := map[string]bool{}
	for _, l := range have {
		set[l] = true
	}
	for _, l := range strings.Split(langs, "+") {
		if !set[l] {
			return fmt.Errorf("tesseract language %q is not installed (have %s; Debian package tesseract-ocr-%s)", l, strings.Join(have, ", "), l)
		}
	}
	return nil
}

func (p *Pool) get(ctx context.Context) (*engine, error) {
	if err := ctx.Err(); err != nil {
		return nil, err // do not start a page whose caller has given up
	}
	select {
	case e, ok := <-p.engines:
		if !ok || e == nil {
			return nil, ErrClosed
		}
		return e, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (p *Pool) put(e *engine) { p.engines <- e }

// Recognize runs OCR on the page image. Word boxes are in the pixel
// coordinates of page.Image.
func (p *Pool) Recognize(ctx context.Context, page mailroom.Page) (mailroom.PageText, error) {
	g := Gray(page.Image)
	e, err := p.get(ctx)
	if err != nil {
		return mailroom.PageText{}, err
	}
	defer p.put(e)
	defer TrimMemory()
	return e.recognize(g, page.DPI)
}

// Orientation returns the clockwise rotation (0, 90, 180, 270) that turns
// the page upright, tesseract's confidence, and ok=false when there was too
// little text to tell.
func (p *Pool) Orientation(ctx context.Context, g *image.Gray, dpi float64) (deg int, conf float64, ok bool, err error) {
	e, err := p.get(ctx)
	if err != nil {
		return 0, 0, false, err
	}
	defer p.put(e)
	if e.osd == nil {
		return 0, 0, false, errors.New("ocr: pool created without OSD")
	}
	deg, conf, ok = e.osd.detect(g, dpi)
	return deg, conf, ok, nil
}

func (e *engine) recognize(g *image.Gray, dpi float64) (mailroom.PageText, error) {
	if g.Bounds().Empty() {
		return mailroom.PageText{}, nil
	}
	if err := e.cl.SetImageFromBytes(pgm.Encode(g)); err != nil {
		return mailroom.PageText{}, err
	}
	if dpi < 70 || dpi > 2400 {
		dpi = 300
	}
	if err := e.cl.SetVariable("user_defined_dpi", strconv.Itoa(int(dpi+0.5))); err != nil {
		return mailroom.PageText{}, err
	}
	boxes, err := e.cl.GetBoundingBoxesVerbose()
	if err != nil {
		return mailroom.PageText{}, err
	}
	off := g.Bounds().Min
	return assemble(boxes, off), nil
}

// assemble builds the page text (lines and paragraphs in tesseract's
// reading order) and the word list from tesseract's word boxes.
func assemble(boxes []gosseract.BoundingBox, off image.Point) mailroom.PageText {
	var pt mailroom.PageText
	var sb strings.Builder
	var sum float64
	lastBlock, lastPar, lastLine := -1, -1, -1
	for _, b := range boxes {
		w := strings.TrimSpace(b.Word)
		if w == "" {
			continue
		}
		switch {
		case sb.Len() == 0:
		case b.BlockNum != lastBlock || b.ParNum != lastPar:
			sb.WriteString("\n\n")
		case b.LineNum != lastLine:
			sb.WriteString("\n")
		default:
			sb.WriteString(" ")
		}
		lastBlock, lastPar, lastLine = b.BlockNum, b.ParNum, b.LineNum
		sb.WriteString(w)
		c := b.Confidence
		if c < 0 {
			c = 0
		}
		sum += c
		pt.Words = append(pt.Words, mailroom.Word{Text: w, Box: b.Box.Add(off), Confidence: c})
	}
	pt.Text = sb.String()
	if len(pt.Words) > 0 {
		pt.Confidence = sum / float64(len(pt.Words))
	}
	return pt
}

// Close frees the engines. Calls waiting for an engine get ErrClosed.
func (p *Pool) Close() error {
	p.closeMu.Lock()
	defer p.closeMu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	for range p.all {
		e := <-p.engines
		e.cl.Close()
		if e.osd != nil {
			e.osd.close()
		}
	}
	close(p.engines)
	return nil
}

// Gray returns img as 8-bit gray, without copying when it already is.
func Gray(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok {
		return g
	}
	b := img.Bounds()
	g := image.NewGray(b)
	switch s := img.(type) {
	case *image.RGBA:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			si := s.PixOffset(b.Min.X, y)
			di := g.PixOffset(b.Min.X, y)
			row := s.Pix[si : si+4*b.Dx()]
			out := g.Pix[di : di+b.Dx()]
			for x := range out {
				r, gg, bb := uint32(row[4*x]), uint32(row[4*x+1]), uint32(row[4*x+2])
				out[x] = uint8((19595*r + 38470*gg + 7471*bb + 1<<15) >> 16)
			}
		}
	case *image.YCbCr:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			copy(g.Pix[g.PixOffset(b.Min.X, y):g.PixOffset(b.Max.X, y)], s.Y[s.YOffset(b.Min.X, y):s.YOffset(b.Max.X-1, y)+1])
		}
	default:
		draw.Draw(g, b, img, b.Min, draw.Src)
	}
	return g
}
