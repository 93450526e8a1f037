package barcode

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
)

// scanDistortion describes what a scanner or a copier does to a sheet.
type scanDistortion struct {
	rotDeg   float64 // rotation about the centre, degrees (positive: clockwise)
	keystone float64 // the top edge narrower than the bottom by this fraction (perspective)
	blur     float64 // Gaussian blur sigma, pixels (of the output)
	noise    float64 // Gaussian noise sigma, grey levels
	scale    float64 // output resolution / input resolution (0: 1)
	ink      byte    // the darkest ink after scanning (0: keep); paper stays
	shade    float64 // the light falls off by this fraction from the left to the right edge
	bg       byte    // the scanner's background beyond the sheet (0: white)
	shiftX   float64 // the sheet moved right by this fraction of its width (cut off on the right)
	bilevel  bool    // a black-and-white scan (threshold at the middle grey)
	seed     uint64
}

func (d scanDistortion) String() string {
	return fmt.Sprintf("rot=%g° keystone=%g blur=%g noise=%g scale=%g ink=%d shade=%g bg=%d shift=%g bilevel=%v",
		d.rotDeg, d.keystone, d.blur, d.noise, d.scale, d.ink, d.shade, d.bg, d.shiftX, d.bilevel)
}

// distort maps g through the distortion: each output pixel is sampled
// (bilinear) at the source point the inverse mapping gives; points outside
// the sheet are white.
func distort(g *gray, d scanDistortion) *image.Gray {
	scale := d.scale
	if scale == 0 {
		scale = 1
	}
	w, h := int(float64(g.w)*scale), int(float64(g.h)*scale)
	out := image.NewGray(image.Rect(0, 0, w, h))
	sin, cos := math.Sincos(-d.rotDeg * math.Pi / 180)
	cx, cy := float64(w)/2, float64(h)/2
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			// undo the rotation about the centre, then the keystone
			u, v := float64(x)+0.5-cx, float64(y)+0.5-cy
			ru, rv := u*cos-v*sin, u*sin+v*cos
			// row at rv has width factor 1 - keystone*(0.5 - rv/h)
			f := 1 - d.keystone*(0.5-rv/float64(h))
			sx, sy := (cx+ru/f)/scale-0.5-d.shiftX*float64(g.w), (cy+rv)/scale-0.5
			val := 255.0
			if d.bg > 0 {
				val = float64(d.bg)
			}
			if sx >= 0 && sy >= 0 && sx <= float64(g.w-1) && sy <= float64(g.h-1) {
				val = g.bilinear(sx, sy)
			}
			out.Pix[y*w+x] = uint8(val)
		}
	}
	if d.ink > 0 {
		for i, v := range out.Pix {
			out.Pix[i] = uint8(float64(d.ink) + float64(v)*(255-float64(d.ink))/255)
		}
	}
	if d.shade > 0 {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				f := 1 - d.shade*float64(x)/float64(w)
				out.Pix[y*w+x] = uint8(float64(out.Pix[y*w+x]) * f)
			}
		}
	}
	blurAndNoise(out, d.blur, d.noise, rand.NewPCG(d.seed, 11))
	if d.bilevel {
		for i, v := range out.Pix {
			out.Pix[i] = 255 * uint8(b2i(v >= 128))
		}
	}
	return out
}

// blurAndNoise blurs img (Gaussian, sigma blur; 0: none) and adds Gaussian
// noise of sigma noise drawn from src.
func blurAndNoise(img *image.Gray, blur, noise float64, src rand.Source) {
	if blur > 0 {
		gaussBlur(img, blur)
	}
	if noise > 0 {
		r := rand.New(src)
		for i, v := range img.Pix {
			img.Pix[i] = uint8(math.Max(0, math.Min(255, float64(v)+r.NormFloat64()*noise)))
		}
	}
}

// gaussBlur blurs img in place with a separable Gaussian of the given sigma.
func gaussBlur(img *image.Gray, sigma float64) {
	r := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*r+1)
	sum := 0.0
	for i := range k {
		x := float64(i - r)
		k[i] = math.Exp(-x * x / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	tmp := make([]float64, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			s := 0.0
			for i, kv := range k {
				xx := min(max(x+i-r, 0), w-1)
				s += kv * float64(img.Pix[y*img.Stride+xx])
			}
			tmp[y*w+x] = s
		}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			s := 0.0
			for i, kv := range k {
				yy := min(max(y+i-r, 0), h-1)
				s += kv * tmp[yy*w+x]
			}
			img.Pix[y*img.Stride+x] = uint8(math.Round(s))
		}
	}
}
