package barcode

import (
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"
	"github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// codeSpec is a 2D code to place on a generated page.
type codeSpec struct {
	symbology string // QRCode or DataMatrix
	text      string
	module    int // pixels per module at the page's resolution
	x, y      int // top-left corner of the symbol (without quiet zone), pixels
}

// encodeModules returns the code's module matrix (true = dark), without
// quiet zone, as produced by gozxing's writers.
func encodeModules(t testing.TB, symbology, text string) [][]bool {
	t.Helper()
	var bm *gozxing.BitMatrix
	var err error
	switch symbology {
	case QRCode:
		bm, err = qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0,
			map[gozxing.EncodeHintType]interface{}{gozxing.EncodeHintType_MARGIN: 0})
	case DataMatrix:
		bm, err = datamatrix.NewDataMatrixWriter().Encode(text, gozxing.BarcodeFormat_DATA_MATRIX, 0, 0, nil)
	default:
		t.Fatalf("cannot encode %s", symbology)
	}
	if err != nil {
		t.Fatalf("encode %s %q: %v", symbology, text, err)
	}
	out := make([][]bool, bm.GetHeight())
	for y := range out {
		out[y] = make([]bool, bm.GetWidth())
		for x := range out[y] {
			out[y][x] = bm.Get(x, y)
		}
	}
	return out
}

var (
	fontRegular = mustFont(goregular.TTF)
	fontBold    = mustFont(gobold.TTF)
)

func mustFont(ttf []byte) *opentype.Font {
	f, err := opentype.Parse(ttf)
	if err != nil {
		panic(err)
	}
	return f
}

func fontFace(t testing.TB, f *opentype.Font, pt, dpi float64) font.Face {
	t.Helper()
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: pt, DPI: dpi, Hinting: font.HintingNone})
	if err != nil {
		t.Fatal(err)
	}
	return face
}

// letterWords is filler text of a German administrative letter.
var letterWords = strings.Fields(`Sehr geehrte Damen und Herren, hiermit beantrage ich die Erteilung einer
Bescheinigung über die Anmeldung meines Gewerbes zum 01.03.2024 sowie die Ummeldung des Wohnsitzes nach
Aktenzeichen 32-4711/2024. Die Unterlagen (Personalausweis, Mietvertrag, Vollmacht) liegen bei. Bitte
senden Sie den Bescheid an die oben genannte Anschrift; Rückfragen gern telefonisch unter 0221 12345-67.
Mit freundlichen Grüßen Rechnung Nr. 2024-0815 Betrag 1.234,56 EUR IBAN DE02 1203 0000 0000 2020 51 fällig`)

// textPage draws a 300-dpi-style A4 page of letter text (body text, a bold
// heading, a small table of figures) in the given resolution, leaving the
// rectangles in keepOut blank. It returns an RGBA page as go-fitz renders.
func textPage(t testing.TB, dpi float64, seed uint64, keepOut []image.Rectangle) *image.RGBA {
	t.Helper()
	w, h := int(a4W*dpi), int(a4H*dpi)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	r := rand.New(rand.NewPCG(seed, 7))
	margin := int(dpi * 0.9)
	drawLine := func(face font.Face, y int, x0, x1 int) {
		d := &font.Drawer{Dst: img, Src: image.NewUniform(color.Black), Face: face}
		x := x0
		for {
			word := letterWords[r.IntN(len(letterWords))] + " "
			adv := d.MeasureString(word).Ceil()
			if x+adv > x1 {
				return
			}
			box := image.Rect(x, y-face.Metrics().Ascent.Ceil(), x+adv, y+face.Metrics().Descent.Ceil())
			blocked := false
			for _, k := range keepOut {
				if box.Overlaps(k) {
					blocked = true
				}
			}
			if !blocked {
				d.Dot = fixed.P(x, y)
				d.DrawString(word)
			}
			x += adv
		}
	}
	body := fontFace(t, fontRegular, 11, dpi)
	small := fontFace(t, fontRegular, 8, dpi)
	head := fontFace(t, fontBold, 16, dpi)
	y := margin + int(dpi*0.3)
	drawLine(small, y, margin, w/2) // sender line
	y += int(dpi * 0.9)
	drawLine(head, y, margin, w-margin)
	y += int(dpi * 0.4)
	for y < h-margin {
		lh := int(dpi * 11 * 1.35 / 72)
		face := body
		if r.IntN(6) == 0 {
			face = small
			lh = int(dpi * 8 * 1.35 / 72)
		}
		for i := 0; i < 4+r.IntN(6) && y < h-margin; i++ {
			y += lh
			drawLine(face, y, margin, w-margin)
		}
		y += lh
	}
	return img
}

// placeCode draws c's modules (and a white quiet zone of quiet modules) on img.
func placeCode(t testing.TB, img *image.RGBA, c codeSpec, quiet int) image.Rectangle {
	t.Helper()
	m := encodeModules(t, c.symbology, c.text)
	q := quiet * c.module
	box := image.Rect(c.x, c.y, c.x+len(m[0])*c.module, c.y+len(m)*c.module)
	draw.Draw(img, box.Inset(-q), image.White, image.Point{}, draw.Src)
	for my, row := range m {
		for mx, dark := range row {
			if dark {
				r := image.Rect(c.x+mx*c.module, c.y+my*c.module, c.x+(mx+1)*c.module, c.y+(my+1)*c.module)
				draw.Draw(img, r, image.Black, image.Point{}, draw.Src)
			}
		}
	}
	return box
}

// scanLike blurs img lightly (a scanner's optics) and adds noise, in place.
func scanLike(img *image.RGBA, noise float64, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 11))
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	src := make([]byte, w*h)
	for i := range src {
		src[i] = img.Pix[4*i]
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			s, n := 0, 0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					xx, yy := x+dx, y+dy
					if xx < 0 || yy < 0 || xx >= w || yy >= h {
						continue
					}
					wt := 1
					if dx == 0 && dy == 0 {
						wt = 4
					}
					s += wt * int(src[yy*w+xx])
					n += wt
				}
			}
			v := float64(s)/float64(n) + r.NormFloat64()*noise
			v = max(0, min(255, v))
			o := 4 * (y*w + x)
			img.Pix[o], img.Pix[o+1], img.Pix[o+2] = byte(v), byte(v), byte(v)
		}
	}
}
