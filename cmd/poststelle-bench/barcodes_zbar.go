package main

import (
	"bufio"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"time"

	"poststelle/barcode"
	"poststelle/mailroom"
)

func hasPatch(syms []mailroom.Symbol) bool {
	for _, s := range syms {
		if s.Symbology == barcode.Patch {
			return true
		}
	}
	return false
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// countFound counts the wanted texts present in got (each used once).
func countFound(want, got []string) int {
	used := make([]bool, len(got))
	n := 0
	for _, w := range want {
		for i, g := range got {
			if !used[i] && g == w {
				used[i] = true
				n++
				break
			}
		}
	}
	return n
}

// writePGM writes img as 8-bit binary PGM, so that zbarimg spends no time on
// decompression.
func writePGM(path string, img image.Image) error {
	b := img.Bounds()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	fmt.Fprintf(bw, "P5\n%d %d\n255\n", b.Dx(), b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			bw.WriteByte(byte((299*r + 587*g + 114*bl) / 1000 >> 8))
		}
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

var zbarData = regexp.MustCompile(`(?s)<data><!\[CDATA\[(.*?)\]\]></data>`)

// zbarTexts runs zbarimg on one file and returns the texts it read.
func zbarTexts(zbar, path string) ([]string, error) {
	cmd := exec.Command(zbar, "-q", "--xml", path)
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 4 {
			return nil, nil // no symbol found
		}
		return nil, fmt.Errorf("zbarimg %s: %w", path, err)
	}
	var texts []string
	for _, m := range zbarData.FindAllStringSubmatch(string(out), -1) {
		texts = append(texts, m[1])
	}
	return texts, nil
}

// zbarStartup is the median wall time of zbarimg on a 1×1 image.
func zbarStartup(zbar, dir string, runs int) (time.Duration, error) {
	p := filepath.Join(dir, "startup.pgm")
	if err := writePGM(p, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		return 0, err
	}
	var ts []time.Duration
	for r := 0; r < max(3, runs); r++ {
		t0 := time.Now()
		if _, err := zbarTexts(zbar, p); err != nil {
			return 0, err
		}
		ts = append(ts, time.Since(t0))
	}
	return median(ts), nil
}
