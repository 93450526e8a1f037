package pgm

import (
	"bytes"
	"image"
	"image/color"
	"testing"
)

func TestEncodeSubImage(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 4, 3))
	for i := range g.Pix {
		g.Pix[i] = uint8(i)
	}
	sub := g.SubImage(image.Rect(1, 1, 3, 3)).(*image.Gray)
	want := append([]byte("P5\n2 2\n255\n"), 5, 6, 9, 10)
	if got := Encode(sub); !bytes.Equal(got, want) {
		t.Fatalf("Encode = %q, want %q", got, want)
	}
}

func TestGray(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 1, 1))
	if Gray(g) != g {
		t.Fatal("a gray image is copied")
	}
	c := image.NewRGBA(image.Rect(2, 3, 4, 5))
	c.Set(3, 4, color.RGBA{200, 100, 50, 255})
	out := Gray(c)
	want := color.GrayModel.Convert(color.RGBA{200, 100, 50, 255}).(color.Gray).Y
	if out.Bounds() != c.Bounds() || out.GrayAt(3, 4).Y != want || out.GrayAt(2, 3).Y != 0 {
		t.Fatalf("Gray: bounds %v, pixel %d (want %d)", out.Bounds(), out.GrayAt(3, 4).Y, want)
	}
}
