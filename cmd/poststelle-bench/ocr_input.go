//go:build !windows

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"poststelle/mailroom/pdf/pdfa"
	"poststelle/ocr/pgm"
)

// pageCount is the number of pages of a PDF (qpdf).
func pageCount(ctx context.Context, in string) (int, error) {
	out, err := exec.CommandContext(ctx, "qpdf", "--show-npages", in).Output()
	if err != nil {
		return 0, fmt.Errorf("qpdf --show-npages: %w", err)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	if n <= 0 {
		return 0, errors.New("input has no pages")
	}
	return n, nil
}

// repeatPDF makes a PDF of n pages by repeating the input (qpdf).
func repeatPDF(ctx context.Context, in string, n int, dir string) (string, error) {
	have, err := pageCount(ctx, in)
	if err != nil {
		return "", err
	}
	args := []string{"--empty", "--pages"}
	for left := n; left > 0; left -= have {
		args = append(args, in, fmt.Sprintf("1-%d", min(left, have)))
	}
	dst := filepath.Join(dir, fmt.Sprintf("repeated-%d.pdf", n))
	return dst, qpdf(ctx, append(args, "--", dst)...)
}

func qpdf(ctx context.Context, args ...string) error {
	if b, err := exec.CommandContext(ctx, "qpdf", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("qpdf %s: %v %s", strings.Join(args, " "), err, b)
	}
	return nil
}

// pageImages writes every page of in as an image file into dir, in page
// order (not timed; the tesseract CLI and the floor read them). When every
// page is exactly one JPEG and none has /Rotate, the JPEGs are extracted
// unchanged (pdfimages -j); else the pages are rendered at 300 dpi gray.
func pageImages(ctx context.Context, in, dir string, pages int) (files []string, how string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", err
	}
	prefix := filepath.Join(dir, "p")
	how = "pdftoppm -r 300 -gray -png"
	args := []string{"-r", "300", "-gray", "-png", in, prefix}
	tool, pattern := "pdftoppm", "p-*.png"
	if onlyJPEGs(ctx, in, pages) {
		how = "pdfimages -j (the page JPEGs unchanged)"
		tool, pattern, args = "pdfimages", "p-*.jpg", []string{"-j", in, prefix}
	}
	if b, err := exec.CommandContext(ctx, tool, args...).CombinedOutput(); err != nil {
		return nil, "", fmt.Errorf("%s: %v %s", tool, err, b)
	}
	files, _ = filepath.Glob(filepath.Join(dir, pattern))
	sortNatural(files)
	if len(files) != pages {
		return nil, "", fmt.Errorf("%s wrote %d images for %d pages", tool, len(files), pages)
	}
	return files, how, nil
}

// onlyJPEGs reports whether every page carries exactly one image, a JPEG,
// and no page is turned by /Rotate.
func onlyJPEGs(ctx context.Context, in string, pages int) bool {
	out, err := exec.CommandContext(ctx, "pdfimages", "-list", in).Output()
	if err != nil {
		return false
	}
	per := map[int]int{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 9 {
			continue
		}
		p, err := strconv.Atoi(f[0])
		if err != nil {
			continue
		}
		if f[2] != "image" || f[8] != "jpeg" {
			return false
		}
		per[p]++
	}
	for p := 1; p <= pages; p++ {
		if per[p] != 1 {
			return false
		}
	}
	info, err := exec.CommandContext(ctx, "pdfinfo", "-f", "1", "-l", strconv.Itoa(pages), in).Output()
	if err != nil {
		return false
	}
	rot := regexp.MustCompile(`(?m)^Page\s+\d+\s+rot:\s+(\d+)`)
	for _, m := range rot.FindAllStringSubmatch(string(info), -1) {
		if m[1] != "0" {
			return false
		}
	}
	return true
}

// turnAngle is the turn of page p (1-based) in the turned variant: pages
// 2, 6, 10, … are turned by 90, 180, 270, 90, … degrees; the others 0.
func turnAngle(p int) int {
	if p < 2 || (p-2)%4 != 0 {
		return 0
	}
	return []int{90, 180, 270}[((p-2)/4)%3]
}

// turnedPDF builds the turned variant of in (not timed): each turned page
// is rotated with qpdf, rendered with pdftoppm at 300 dpi gray, and
// rebuilt as a 300-dpi gray JPEG page, so the image itself is turned as in
// a scan fed the wrong way round. It returns the PDF and the turned pages.
func turnedPDF(ctx context.Context, in string, pages int, dir string) (string, []string, error) {
	args := []string{"--empty", "--pages"}
	var turned []string
	from := 1 // first page not yet taken over from in
	for p := 1; p <= pages; p++ {
		deg := turnAngle(p)
		if deg == 0 {
			continue
		}
		one, err := turnPage(ctx, in, p, deg, dir)
		if err != nil {
			return "", nil, err
		}
		if from < p {
			args = append(args, in, fmt.Sprintf("%d-%d", from, p-1))
		}
		args = append(args, one, "1")
		from = p + 1
		turned = append(turned, fmt.Sprintf("%d:+%d°", p, deg))
	}
	if from <= pages {
		args = append(args, in, fmt.Sprintf("%d-%d", from, pages))
	}
	dst := filepath.Join(dir, "turned.pdf")
	return dst, turned, qpdf(ctx, append(args, "--", dst)...)
}

// turnPage writes page p of in, turned by deg, as a one-page PDF of a
// 300-dpi gray JPEG.
func turnPage(ctx context.Context, in string, p, deg int, dir string) (string, error) {
	rot := filepath.Join(dir, fmt.Sprintf("rot-%d.pdf", p))
	if err := qpdf(ctx, fmt.Sprintf("--rotate=+%d:%d", deg, p), in, rot); err != nil {
		return "", err
	}
	ps := strconv.Itoa(p)
	prefix := filepath.Join(dir, "rot-"+ps)
	// PGM: pdftoppm's PNG encoder takes half a minute on a noisy 300-dpi page.
	if b, err := exec.CommandContext(ctx, "pdftoppm", "-f", ps, "-l", ps, "-r", "300", "-gray", "-singlefile", rot, prefix).CombinedOutput(); err != nil {
		return "", fmt.Errorf("pdftoppm: %v %s", err, b)
	}
	raw, err := os.ReadFile(prefix + ".pgm")
	if err != nil {
		return "", err
	}
	img, err := decodePGM(raw)
	if err != nil {
		return "", err
	}
	data, err := grayJPEG300(img)
	if err != nil {
		return "", err
	}
	pi, ok := pdfa.PassthroughJPEG(data)
	if !ok {
		return "", errors.New("turned page: JPEG not embeddable")
	}
	out := filepath.Join(dir, fmt.Sprintf("turned-%d.pdf", p))
	var buf bytes.Buffer
	w, err := pdfa.NewWriter(&buf, pdfa.Info{Title: "turned page " + ps})
	if err == nil {
		err = w.AddPage(pdfa.Page{Image: pi, DPI: 300})
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return "", err
	}
	return out, os.WriteFile(out, buf.Bytes(), 0o600)
}

// grayJPEG300 encodes img as an 8-bit gray JPEG (quality 90) with a JFIF
// header that says 300 dpi, as the scanner's pages carry.
func grayJPEG300(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, pgm.Gray(img), &jpeg.Options{Quality: 90}); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xD8 {
		return nil, errors.New("jpeg: no SOI")
	}
	jfif := []byte{0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 1, 300 >> 8, 300 & 0xFF, 300 >> 8, 300 & 0xFF, 0, 0}
	return append(append(append([]byte{}, b[:2]...), jfif...), b[2:]...), nil
}

// decodePGM reads a binary 8-bit PGM (P5), as pdftoppm -gray writes it.
func decodePGM(b []byte) (*image.Gray, error) {
	var vals [3]int
	rest := b
	if !bytes.HasPrefix(rest, []byte("P5")) {
		return nil, errors.New("pgm: not P5")
	}
	rest = rest[2:]
	for i := range vals {
		for len(rest) > 0 && (rest[0] == '#' || rest[0] == ' ' || rest[0] == '\n' || rest[0] == '\r' || rest[0] == '\t') {
			if rest[0] == '#' {
				if j := bytes.IndexByte(rest, '\n'); j >= 0 {
					rest = rest[j:]
				}
			}
			rest = rest[1:]
		}
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			vals[i] = vals[i]*10 + int(rest[j]-'0')
			j++
		}
		if j == 0 || j == len(rest) {
			return nil, errors.New("pgm: bad header")
		}
		rest = rest[j:]
	}
	w, h := vals[0], vals[1]
	if vals[2] != 255 || w <= 0 || h <= 0 || len(rest) < 1+w*h {
		return nil, fmt.Errorf("pgm: %dx%d maxval %d, %d bytes", w, h, vals[2], len(rest))
	}
	g := image.NewGray(image.Rect(0, 0, w, h))
	copy(g.Pix, rest[1:1+w*h])
	return g, nil
}
