package pgm

import (
	"fmt"
	"image"
	"image/draw"
)

// Gray returns img as 8-bit gray, without copying when it already is; other
// images are converted with image/draw (color.GrayModel).
func Gray(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok {
		return g
	}
	g := image.NewGray(img.Bounds())
	draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Src)
	return g
}

// Encode encodes g as binary PGM (P5, maxval 255).
func Encode(g *image.Gray) []byte {
	b := g.Bounds()
	hdr := fmt.Sprintf("P5\n%d %d\n255\n", b.Dx(), b.Dy())
	out := make([]byte, len(hdr), len(hdr)+b.Dx()*b.Dy())
	copy(out, hdr)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		i := g.PixOffset(b.Min.X, y)
		out = append(out, g.Pix[i:i+b.Dx()]...)
	}
	return out
}
