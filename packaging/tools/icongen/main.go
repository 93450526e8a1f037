// Command icongen draws the Poststelle icon — a white letter envelope on a
// blue rounded square with a green check mark — and writes it as SVG, PNG
// (256 px) and a Windows ICO (16, 32, 48, 256 px, PNG-compressed entries).
// Both raster and vector output come from the same geometry below.
//
//	go run ./icongen -out ../desktop
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
)

// Geometry in a 256×256 box.
const (
	bgRadius = 44.0
	envX0    = 40.0
	envY0    = 70.0
	envX1    = 216.0
	envY1    = 186.0
	stroke   = 10.0
)

var (
	blue  = color.NRGBA{0x1d, 0x4f, 0x91, 0xff}
	white = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	green = color.NRGBA{0x2e, 0xa0, 0x4f, 0xff}
	// flap: two segments from the top corners to the middle
	flap  = [][4]float64{{envX0, envY0, 128, 134}, {128, 134, envX1, envY0}}
	check = [][4]float64{{150, 178, 174, 202}, {174, 202, 222, 150}}
	disc  = [3]float64{186, 176, 46} // green disc behind the check: cx, cy, r
)

func inRoundRect(x, y, x0, y0, x1, y1, r float64) bool {
	if x < x0 || x > x1 || y < y0 || y > y1 {
		return false
	}
	cx := math.Max(x0+r, math.Min(x, x1-r))
	cy := math.Max(y0+r, math.Min(y, y1-r))
	return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r
}

func segDist(px, py float64, s [4]float64) float64 {
	dx, dy := s[2]-s[0], s[3]-s[1]
	t := ((px-s[0])*dx + (py-s[1])*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	qx, qy := s[0]+t*dx, s[1]+t*dy
	return math.Hypot(px-qx, py-qy)
}

// colorAt is the icon's colour at a point of the 256 box (transparent outside).
func colorAt(x, y float64) color.NRGBA {
	c := color.NRGBA{}
	if inRoundRect(x, y, 0, 0, 256, 256, bgRadius) {
		c = blue
	}
	if inRoundRect(x, y, envX0, envY0, envX1, envY1, 8) {
		c = white
	}
	for _, s := range flap {
		if segDist(x, y, s) <= stroke/2 {
			c = blue
		}
	}
	if math.Hypot(x-disc[0], y-disc[1]) <= disc[2] {
		c = white
	}
	if math.Hypot(x-disc[0], y-disc[1]) <= disc[2]-8 {
		c = green
	}
	for _, s := range check {
		if segDist(x, y, s) <= 9 {
			c = white
		}
	}
	return c
}

// render draws the icon at size px with 4×4 supersampling.
func render(size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4
	scale := 256.0 / float64(size)
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					c := colorAt((float64(px)+(float64(sx)+0.5)/ss)*scale, (float64(py)+(float64(sy)+0.5)/ss)*scale)
					fa := float64(c.A) / 255
					r += float64(c.R) * fa
					g += float64(c.G) * fa
					b += float64(c.B) * fa
					a += fa
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{uint8(r / a), uint8(g / a), uint8(b / a), uint8(a / (ss * ss) * 255)})
		}
	}
	return img
}

func hex(c color.NRGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

func svg() string {
	line := func(s [4]float64, col color.NRGBA, w float64) string {
		return fmt.Sprintf(`  <line x1="%g" y1="%g" x2="%g" y2="%g" stroke="%s" stroke-width="%g" stroke-linecap="round"/>`+"\n", s[0], s[1], s[2], s[3], hex(col), w)
	}
	out := `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">` + "\n"
	out += "  <title>Poststelle</title>\n"
	out += fmt.Sprintf(`  <rect width="256" height="256" rx="%g" fill="%s"/>`+"\n", bgRadius, hex(blue))
	out += fmt.Sprintf(`  <rect x="%g" y="%g" width="%g" height="%g" rx="8" fill="%s"/>`+"\n", envX0, envY0, envX1-envX0, envY1-envY0, hex(white))
	for _, s := range flap {
		out += line(s, blue, stroke)
	}
	out += fmt.Sprintf(`  <circle cx="%g" cy="%g" r="%g" fill="%s"/>`+"\n", disc[0], disc[1], disc[2], hex(white))
	out += fmt.Sprintf(`  <circle cx="%g" cy="%g" r="%g" fill="%s"/>`+"\n", disc[0], disc[1], disc[2]-8, hex(green))
	for _, s := range check {
		out += line(s, white, 18)
	}
	return out + "</svg>\n"
}

// ico writes a Windows icon with PNG-compressed entries (Windows Vista and later).
func ico(sizes []int) ([]byte, error) {
	var pngs [][]byte
	for _, s := range sizes {
		var b bytes.Buffer
		if err := png.Encode(&b, render(s)); err != nil {
			return nil, err
		}
		pngs = append(pngs, b.Bytes())
	}
	var out bytes.Buffer
	binary.Write(&out, binary.LittleEndian, [3]uint16{0, 1, uint16(len(sizes))})
	offset := 6 + 16*len(sizes)
	for i, s := range sizes {
		dim := uint8(s)
		if s >= 256 {
			dim = 0
		}
		binary.Write(&out, binary.LittleEndian, struct {
			W, H, Colors, Reserved uint8
			Planes, BitCount       uint16
			Size, Offset           uint32
		}{dim, dim, 0, 0, 1, 32, uint32(len(pngs[i])), uint32(offset)})
		offset += len(pngs[i])
	}
	for _, p := range pngs {
		out.Write(p)
	}
	return out.Bytes(), nil
}

func main() {
	dir := flag.String("out", ".", "output directory")
	flag.Parse()
	var b bytes.Buffer
	if err := png.Encode(&b, render(256)); err != nil {
		log.Fatal(err)
	}
	icoData, err := ico([]int{16, 32, 48, 256})
	if err != nil {
		log.Fatal(err)
	}
	for name, data := range map[string][]byte{"poststelle.png": b.Bytes(), "poststelle.svg": []byte(svg()), "poststelle.ico": icoData} {
		if err := os.WriteFile(filepath.Join(*dir, name), data, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
