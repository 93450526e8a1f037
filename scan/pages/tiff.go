package pages

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"os"

	fitz "github.com/gen2brain/go-fitz"
	"golang.org/x/image/tiff"

	"poststelle/mailroom"
)

// tiffFrame is one image file directory (page) of a TIFF.
type tiffFrame struct {
	offset uint32
	w, h   int64
	dpi    float64
}

// tiffSet decodes the pages of a (multi-page) TIFF one at a time. Each page
// is decoded by golang.org/x/image/tiff (incl. CCITT G3/G4) through a view of
// the file whose header points at that page's directory; what that decoder
// does not support (JPEG-in-TIFF, BigTIFF) is rendered by MuPDF.
type tiffSet struct {
	path   string
	data   []byte
	order  binary.ByteOrder
	frames []tiffFrame
	opt    Options
	closed bool
}

const maxTIFFPages = 10000

func openTIFF(path string, opt Options) (mailroom.PageSet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	order, frames, err := tiffFrames(data)
	if err != nil {
		return nil, mailroom.BadInput("TIFF-Datei ist beschädigt", "TIFF file is damaged", err)
	}
	if len(frames) == 0 {
		return nil, mailroom.BadInput("TIFF enthält keine Seiten", "TIFF has no pages", nil)
	}
	for _, f := range frames {
		if err := checkPixels(f.w, f.h, opt.maxPixels()); err != nil {
			return nil, err
		}
	}
	return &tiffSet{path: path, data: data, order: order, frames: frames, opt: opt}, nil
}

// tiffFrames walks the chain of image file directories.
func tiffFrames(b []byte) (binary.ByteOrder, []tiffFrame, error) {
	if len(b) < 8 {
		return nil, nil, errors.New("too short")
	}
	var bo binary.ByteOrder
	switch string(b[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return nil, nil, errors.New("not a classic TIFF header")
	}
	var frames []tiffFrame
	seen := map[uint32]bool{}
	off := bo.Uint32(b[4:])
	for off != 0 {
		if seen[off] || len(frames) >= maxTIFFPages {
			return nil, nil, errors.New("directory chain loops or is too long")
		}
		seen[off] = true
		if int64(off)+2 > int64(len(b)) {
			return nil, nil, fmt.Errorf("directory offset %d beyond end of file", off)
		}
		n := int(bo.Uint16(b[off:]))
		end := int64(off) + 2 + int64(n)*12
		if end+4 > int64(len(b)) {
			return nil, nil, fmt.Errorf("directory at %d is truncated", off)
		}
		f := tiffFrame{offset: off}
		var xres float64
		unit := uint32(2)
		for k := 0; k < n; k++ {
			e := b[int64(off)+2+int64(k)*12:]
			tag, typ := bo.Uint16(e), bo.Uint16(e[2:])
			val := func() uint32 {
				if typ == 3 { // SHORT
					return uint32(bo.Uint16(e[8:]))
				}
				return bo.Uint32(e[8:])
			}
			switch tag {
			case 256:
				f.w = int64(val())
			case 257:
				f.h = int64(val())
			case 296:
				unit = val()
			case 282:
				if typ == 5 {
					p := bo.Uint32(e[8:])
					if int64(p)+8 <= int64(len(b)) {
						num, den := bo.Uint32(b[p:]), bo.Uint32(b[p+4:])
						if den != 0 {
							xres = float64(num) / float64(den)
						}
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
		frames = append(frames, f)
		off = bo.Uint32(b[end:])
	}
	return bo, frames, nil
}

func (s *tiffSet) Len() int { return len(s.frames) }

// frameReader is the file with its first-directory pointer replaced.
type frameReader struct {
	data []byte
	head [8]byte
}

func (r *frameReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(r.data)) {
		return 0, io.EOF
	}
	n := copy(p, r.data[off:])
	for i := 0; i < n; i++ {
		if o := off + int64(i); o < 8 {
			p[i] = r.head[o]
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (s *tiffSet) Page(ctx context.Context, i int, dpi float64) (mailroom.Page, error) {
	if s.closed {
		return mailroom.Page{}, errClosed
	}
	if i < 0 || i >= len(s.frames) {
		return mailroom.Page{}, errPageRange(i, len(s.frames))
	}
	fr := s.frames[i]
	img, _, err := withTimeout(ctx, s.opt.pageTimeout(), func() (image.Image, error) {
		r := &frameReader{data: s.data}
		copy(r.head[:], s.data[:8])
		s.order.PutUint32(r.head[4:], fr.offset)
		img, err := tiff.Decode(io.NewSectionReader(r, 0, int64(len(s.data))))
		if err == nil {
			return img, nil
		}
		// Let MuPDF try what x/image/tiff does not support or cannot read.
		doc, ferr := fitz.New(s.path)
		if ferr != nil {
			return nil, err
		}
		defer doc.Close()
		mimg, merr := doc.ImageDPI(i, fr.dpi)
		if merr != nil {
			return nil, err
		}
		return mimg, nil
	})
	if err != nil {
		if _, ok := mailroom.AsInputError(err); ok || ctx.Err() != nil {
			return mailroom.Page{}, err
		}
		return mailroom.Page{}, mailroom.BadInput(fmt.Sprintf("TIFF-Seite %d kann nicht dekodiert werden", i+1),
			fmt.Sprintf("TIFF page %d cannot be decoded", i+1), err)
	}
	return mailroom.Page{Index: i, Image: img, DPI: fr.dpi}, nil
}

func (s *tiffSet) Close() error { s.closed = true; s.data = nil; return nil }
