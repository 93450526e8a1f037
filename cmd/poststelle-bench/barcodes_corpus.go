package main

import (
	"context"
	"fmt"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"poststelle/scan/pages"
)

// benchImage is one page with the barcode texts it is known to carry.
type benchImage struct {
	group string
	name  string
	img   image.Image
	dpi   float64
	want  []string
	patch string // patch code known to be on the page, if any
}

// paperlessTruth is the corpus README's table of paperless_barcodes: page → texts.
var paperlessTruth = map[string]map[int][]string{
	"patch-code-t.pdf":         {1: {"PATCHT"}},
	"patch-code-t-qr.pdf":      {1: {"PATCHT"}},
	"patch-code-t-middle.pdf":  {2: {"PATCHT"}},
	"patch-code-t-double.pdf":  {2: {"PATCHT"}, 3: {"PATCHT"}},
	"barcode-39-custom.pdf":    {1: {"CUSTOM BARCODE"}},
	"barcode-qr-custom.pdf":    {1: {"CUSTOM BARCODE"}},
	"barcode-39-asn-123.pdf":   {1: {"ASN00123"}},
	"split-by-asn-1.pdf":       {1: {"ASN00123"}, 3: {"ASN00124"}, 4: {"ASN00125"}, 7: {"ASN00126"}, 9: {"ASN00127"}},
	"split-by-tag-basic.pdf":   {2: {"TAG:invoice"}, 4: {"TAG:receipt"}},
	"negative/simple.pdf":      {},
	"patch-code-t-middle.tiff": {2: {"PATCHT"}},
}

// benchImages decodes the corpus's pages the benchmark runs on, with their
// known texts: the A4 pages (with and without codes) and the zxing sets.
func benchImages(ctx context.Context, corpus string) ([]benchImage, error) {
	c := &corpusPages{ctx: ctx, opener: pages.NewOpener(pages.Options{DPI: 300})}
	if err := c.paperless(filepath.Join(corpus, "paperless_barcodes")); err != nil {
		return nil, err
	}
	if err := c.add("A4 pages with codes", filepath.Join(corpus, "naps2", "patcht.jpg"), map[int][]string{1: {"PATCHT"}}, map[int]string{1: "T"}); err != nil {
		return nil, err
	}
	if err := c.add("A4 pages, no codes", filepath.Join(corpus, "scans", "batch-visible.pdf"), nil, nil); err != nil {
		return nil, err
	}
	for _, f := range []string{"blank1.jpg", "notblank.jpg"} {
		if err := c.add("A4 pages, no codes", filepath.Join(corpus, "naps2", f), nil, nil); err != nil {
			return nil, err
		}
	}
	for _, set := range []string{"qrcode-1", "code128-1", "code39-1", "datamatrix-1"} {
		if err := c.zxing(filepath.Join(corpus, "zxing", set), "zxing "+set); err != nil {
			return nil, err
		}
	}
	return c.out, nil
}

// corpusPages collects the benchmark's images.
type corpusPages struct {
	ctx    context.Context
	opener *pages.Opener
	out    []benchImage
}

// add decodes every page of the file at path as the engine would (300 dpi)
// with the texts (truth) and patch codes known per 1-based page.
func (c *corpusPages) add(group, path string, truth map[int][]string, patch map[int]string) error {
	ps, err := c.opener.Open(c.ctx, path, "")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer ps.Close()
	for i := 0; i < ps.Len(); i++ {
		p, err := ps.Page(c.ctx, i, 0)
		if err != nil {
			return fmt.Errorf("%s page %d: %w", path, i+1, err)
		}
		dpi := p.DPI
		if dpi == 0 {
			dpi = 300
		}
		c.out = append(c.out, benchImage{group: group, name: fmt.Sprintf("%s#%d", filepath.Base(path), i+1),
			img: p.Image, dpi: dpi, want: truth[i+1], patch: patch[i+1]})
	}
	return nil
}

// paperless adds the paperless_barcodes files in name order.
func (c *corpusPages) paperless(dir string) error {
	names := make([]string, 0, len(paperlessTruth))
	for n := range paperlessTruth {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		// The paperless Patch T sheets are genuine Kodak sheets with bars.
		patch := map[int]string{}
		if strings.HasPrefix(n, "patch-code-t") && n != "patch-code-t-qr.pdf" {
			for p := range paperlessTruth[n] {
				patch[p] = "T"
			}
		}
		if err := c.add("A4 pages with codes", filepath.Join(dir, n), paperlessTruth[n], patch); err != nil {
			return err
		}
	}
	return nil
}

// zxing adds the images of one zxing set that have an expected text beside
// them (N.png with N.txt).
func (c *corpusPages) zxing(dir, group string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		ext := filepath.Ext(e.Name())
		if ext != ".png" && ext != ".jpg" && ext != ".gif" {
			continue
		}
		want, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(e.Name(), ext)+".txt"))
		if err != nil {
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", e.Name(), err)
		}
		c.out = append(c.out, benchImage{group: group, name: e.Name(), img: img, want: []string{string(want)}})
	}
	return nil
}
