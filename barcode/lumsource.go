package barcode

import (
	"errors"

	"github.com/makiuchi-d/gozxing"
)

// lumSource is a gozxing.LuminanceSource over a gray image without copying.
type lumSource struct {
	gozxing.LuminanceSourceBase
	g *gray
}

func newLumSource(g *gray) *lumSource {
	return &lumSource{LuminanceSourceBase: gozxing.LuminanceSourceBase{Width: g.w, Height: g.h}, g: g}
}

func (s *lumSource) GetRow(y int, row []byte) ([]byte, error) {
	if y < 0 || y >= s.g.h {
		return nil, errors.New("row out of range")
	}
	if cap(row) < s.g.w {
		row = make([]byte, s.g.w)
	}
	row = row[:s.g.w]
	copy(row, s.g.pix[y*s.g.w:(y+1)*s.g.w])
	return row, nil
}

func (s *lumSource) GetMatrix() []byte { return s.g.pix }

func (s *lumSource) IsCropSupported() bool { return true }

func (s *lumSource) Crop(left, top, width, height int) (gozxing.LuminanceSource, error) {
	c := s.g.crop(rect(left, top, left+width, top+height))
	return newLumSource(c), nil
}

func (s *lumSource) Invert() gozxing.LuminanceSource { return gozxing.LuminanceSourceInvert(s) }

func (s *lumSource) IsRotateSupported() bool { return true }

// RotateCounterClockwise turns the image by 90° counter-clockwise.
func (s *lumSource) RotateCounterClockwise() (gozxing.LuminanceSource, error) {
	g := s.g
	out := &gray{w: g.h, h: g.w, pix: make([]byte, len(g.pix))}
	for y := 0; y < g.h; y++ {
		for x := 0; x < g.w; x++ {
			// (x, y) → (y, w-1-x)
			out.pix[(g.w-1-x)*out.w+y] = g.pix[y*g.w+x]
		}
	}
	return newLumSource(out), nil
}

func (s *lumSource) RotateCounterClockwise45() (gozxing.LuminanceSource, error) {
	return nil, errors.New("rotation by 45 degrees not supported")
}

func (s *lumSource) String() string { return gozxing.LuminanceSourceString(s) }
