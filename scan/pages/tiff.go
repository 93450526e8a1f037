package pages

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"os"

	"golang.org/x/image/tiff"

	"poststelle/mailroom"
)

// tiffFrame is one image file directory (page) of a TIFF.
type tiffFrame struct {
	offset uint32
	w, h   int64
	dpi    float64
	spp    int // samples per pixel
	bps    int // bits per sample
}

// tiffSet decodes the pages of a (multi-page) TIFF one at a time. Each page
// is decoded by golang.org/x/image/tiff (incl. CCITT G3/G4) through a view of
// the file whose header points at that page's directory; what that decoder
// does not support (JPEG-in-TIFF, BigTIFF) is rendered by MuPDF. The file is
// read where needed, never loaded whole.
type tiffSet struct {
	path   string
	f      *os.File
	size   int64
	order  binary.ByteOrder
	frames []tiffFrame
	opt    Options
	mu     mupdfDoc // MuPDF for pages x/image/tiff cannot read, opened on first need
	closed bool
}

// maxTIFFDirBytes bounds the directory bytes read for all pages together.
const maxTIFFDirBytes = 64 << 20

func openTIFF(path string, opt Options) (mailroom.PageSet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	s := &tiffSet{path: path, f: f, size: fi.Size(), opt: opt}
	if err := s.load(); err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

// load reads the directories and checks every page against the limits.
func (s *tiffSet) load() error {
	order, frames, err := tiffFrames(s.f, s.size, s.opt.maxPages()+1)
	if err != nil {
		return mailroom.BadInput("TIFF-Datei ist beschädigt", "TIFF file is damaged", err)
	}
	if len(frames) == 0 {
		return mailroom.BadInput("TIFF enthält keine Seiten", "TIFF has no pages", nil)
	}
	if err := checkPageCount(len(frames), s.opt, false); err != nil {
		return err
	}
	for i, f := range frames {
		if err := checkPixels(f.w, f.h, s.opt.maxPixels()); err != nil {
			return err
		}
		if err := checkDecodeMemory(i, f.w*f.h*tiffBytesPerPixel(f), s.opt); err != nil {
			return err
		}
	}
	s.order, s.frames = order, frames
	return nil
}

// tiffBytesPerPixel is what x/image/tiff allocates per pixel for a frame.
func tiffBytesPerPixel(f tiffFrame) int64 {
	deep := int64(1)
	if f.bps > 8 {
		deep = 2
	}
	if f.spp >= 3 {
		return 4 * deep // RGBA, NRGBA, CMYK; 16 bits: RGBA64
	}
	return deep
}

// checkDecodeMemory refuses an image whose decoded form needs more memory
// than Options.DecodeMemory (i is the 0-based page).
func checkDecodeMemory(i int, bytes int64, opt Options) error {
	if limit := opt.decodeMemory(); bytes > limit {
		return mailroom.BadInput(
			fmt.Sprintf("Seite %d braucht dekodiert %d MiB Speicher (höchstens %d MiB) – möglicherweise eine Dekompressionsbombe", i+1, bytes>>20, limit>>20),
			fmt.Sprintf("page %d needs %d MiB decoded (limit %d MiB) – possibly a decompression bomb", i+1, bytes>>20, limit>>20), nil)
	}
	return nil
}

// tiffFrames walks the chain of image file directories, at most maxFrames.
func tiffFrames(r io.ReaderAt, size int64, maxFrames int) (binary.ByteOrder, []tiffFrame, error) {
	var head [8]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return nil, nil, errors.New("too short")
	}
	var bo binary.ByteOrder
	switch string(head[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return nil, nil, errors.New("not a classic TIFF header")
	}
	var frames []tiffFrame
	seen := map[uint32]bool{}
	read := int64(0)
	off := bo.Uint32(head[4:])
	for off != 0 && len(frames) < maxFrames {
		if seen[off] {
			return nil, nil, errors.New("directory chain loops")
		}
		seen[off] = true
		f, next, n, err := tiffFrameAt(r, size, bo, off)
		if err != nil {
			return nil, nil, err
		}
		if read += n; read > maxTIFFDirBytes {
			return nil, nil, errors.New("directories too large")
		}
		frames = append(frames, f)
		off = next
	}
	return bo, frames, nil
}

// tiffFrameAt reads the directory at off: the frame, the next directory's
// offset and the bytes read.
func tiffFrameAt(r io.ReaderAt, size int64, bo binary.ByteOrder, off uint32) (tiffFrame, uint32, int64, error) {
	var cnt [2]byte
	if int64(off)+2 > size {
		return tiffFrame{}, 0, 0, fmt.Errorf("directory offset %d beyond end of file", off)
	}
	r.ReadAt(cnt[:], int64(off))
	n := int64(bo.Uint16(cnt[:]))
	dir := make([]byte, n*12+4)
	if int64(off)+2+int64(len(dir)) > size {
		return tiffFrame{}, 0, 0, fmt.Errorf("directory at %d is truncated", off)
	}
	if _, err := r.ReadAt(dir, int64(off)+2); err != nil {
		return tiffFrame{}, 0, 0, err
	}
	f := tiffFrame{offset: off, spp: 1, bps: 1}
	var xres float64
	unit := uint32(2)
	for k := int64(0); k < n; k++ {
		e := dir[k*12:]
		tag, typ, count := bo.Uint16(e), bo.Uint16(e[2:]), bo.Uint32(e[4:])
		val := uint32(bo.Uint16(e[8:]))
		if typ == 4 { // LONG
			val = bo.Uint32(e[8:])
		}
		switch tag {
		case 256:
			f.w = int64(val)
		case 257:
			f.h = int64(val)
		case 258: // BitsPerSample: inline for up to two SHORTs, else the first at the offset
			f.bps = int(val)
			if typ == 3 && count > 2 {
				var b [2]byte
				if _, err := r.ReadAt(b[:], int64(bo.Uint32(e[8:]))); err == nil {
					f.bps = int(bo.Uint16(b[:]))
				}
			}
		case 277:
			f.spp = int(val)
		case 296:
			unit = val
		case 282:
			if typ == 5 {
				var b [8]byte
				if _, err := r.ReadAt(b[:], int64(bo.Uint32(e[8:]))); err == nil && bo.Uint32(b[4:]) != 0 {
					xres = float64(bo.Uint32(b[:])) / float64(bo.Uint32(b[4:]))
				}
			}
		}
	}
	switch unit {
	case 2:
		f.dpi = xres
	case 3:
		f.dpi = xres * 2.54
	}
	f.dpi = guessDPI(f.dpi, int(f.w), int(f.h))
	return f, bo.Uint32(dir[n*12:]), int64(len(dir)) + 2, nil
}

func (s *tiffSet) Len() int { return len(s.frames) }

// frameReader is the file with its first-directory pointer replaced.
type frameReader struct {
	r    io.ReaderAt
	head [8]byte
}

func (r *frameReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.r.ReadAt(p, off)
	for i := 0; i < n; i++ {
		if o := off + int64(i); o < 8 {
			p[i] = r.head[o]
		}
	}
	return n, err
}

func (s *tiffSet) Page(ctx context.Context, i int, dpi float64) (mailroom.Page, error) {
	if s.closed {
		return mailroom.Page{}, errClosed
	}
	if i < 0 || i >= len(s.frames) {
		return mailroom.Page{}, errPageRange(i, len(s.frames))
	}
	fr := s.frames[i]
	de, en := fmt.Sprintf("TIFF-Seite %d", i+1), fmt.Sprintf("TIFF page %d", i+1)
	img, _, err := withTimeout(ctx, s.opt.pageTimeout(), de, en, func() (image.Image, error) {
		r := &frameReader{r: s.f}
		s.f.ReadAt(r.head[:], 0)
		s.order.PutUint32(r.head[4:], fr.offset)
		return tiff.Decode(io.NewSectionReader(r, 0, s.size))
	})
	if err != nil {
		if _, ok := mailroom.AsInputError(err); ok || ctx.Err() != nil {
			return mailroom.Page{}, err
		}
		// Let MuPDF try what x/image/tiff does not support or cannot read.
		if mimg, merr := s.mupdf(ctx, i, fr.dpi); merr == nil {
			img, err = mimg, nil
		} else if _, ok := mailroom.AsInputError(merr); ok {
			return mailroom.Page{}, merr
		}
	}
	if err != nil {
		return mailroom.Page{}, mailroom.BadInput(fmt.Sprintf("TIFF-Seite %d kann nicht dekodiert werden", i+1),
			fmt.Sprintf("TIFF page %d cannot be decoded", i+1), err)
	}
	return mailroom.Page{Index: i, Image: img, DPI: fr.dpi}, nil
}

// mupdf renders page i with MuPDF at its own resolution.
func (s *tiffSet) mupdf(ctx context.Context, i int, dpi float64) (image.Image, error) {
	if s.mu == nil {
		d, err := openMuPDF(ctx, s.path, s.opt)
		if err != nil {
			return nil, err
		}
		s.mu = d
	}
	if i >= s.mu.Pages() {
		return nil, errPageRange(i, s.mu.Pages())
	}
	return s.mu.Render(ctx, i, dpi)
}

func (s *tiffSet) Close() error {
	s.closed = true
	if s.mu != nil {
		s.mu.Close()
		s.mu = nil
	}
	return s.f.Close()
}
