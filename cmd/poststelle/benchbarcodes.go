package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"poststelle/barcode"
	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
	"poststelle/scan/pages"
)

func init() {
	register("bench-barcodes", "measure barcode detection time and recall against zbarimg on the test corpus", runBenchBarcodes)
}

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

func runBenchBarcodes(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench-barcodes", flag.ContinueOnError)
	corpus := fs.String("corpus", "", "test corpus directory (default: ../shared/corpus found from here)")
	runs := fs.Int("runs", 3, "timed runs per image (the median counts)")
	zbar := fs.String("zbarimg", "zbarimg", "zbarimg binary (Debian zbar-tools)")
	if err := fs.Parse(args); err != nil {
		return &exitError{code: 2}
	}
	if *corpus == "" {
		*corpus = testcorpus.Find()
	}
	if *corpus == "" {
		return fmt.Errorf("test corpus not found; give --corpus")
	}
	if _, err := exec.LookPath(*zbar); err != nil {
		return fmt.Errorf("zbarimg not found (apt-get install zbar-tools): %w", err)
	}
	// One core, as the target is stated.
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)

	imgs, err := benchImages(ctx, *corpus)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "bench-barcodes-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	startup, err := zbarStartup(*zbar, tmp, *runs)
	if err != nil {
		return err
	}

	det := barcode.New(barcode.Options{})
	type stat struct {
		ours, theirs           []time.Duration
		want, oursOK, zbarOK   int
		patches, patchesFound  int
		images, oursFP, zbarFP int
	}
	stats := map[string]*stat{}
	var order []string
	for i, bi := range imgs {
		st := stats[bi.group]
		if st == nil {
			st = &stat{}
			stats[bi.group] = st
			order = append(order, bi.group)
		}
		st.images++
		pgm := filepath.Join(tmp, fmt.Sprintf("%03d.pgm", i))
		if err := writePGM(pgm, bi.img); err != nil {
			return err
		}
		var syms []mailroom.Symbol
		var times []time.Duration
		for r := 0; r < *runs; r++ {
			t0 := time.Now()
			syms, err = det.Detect(ctx, mailroom.Page{Image: bi.img, DPI: bi.dpi})
			times = append(times, time.Since(t0))
			if err != nil {
				return err
			}
		}
		st.ours = append(st.ours, median(times))
		var zt []time.Duration
		var ztexts []string
		for r := 0; r < *runs; r++ {
			t0 := time.Now()
			ztexts, err = zbarTexts(*zbar, pgm)
			zt = append(zt, time.Since(t0))
			if err != nil {
				return err
			}
		}
		st.theirs = append(st.theirs, median(zt))
		var ourTexts []string
		for _, s := range syms {
			if s.Symbology == barcode.Patch {
				if bi.patch != "" && s.Text == bi.patch {
					st.patchesFound++
					bi.patch = "" // count once per page
				}
				continue
			}
			ourTexts = append(ourTexts, s.Text)
		}
		if bi.patch != "" || hasPatch(syms) {
			st.patches++
		}
		st.want += len(bi.want)
		st.oursOK += countFound(bi.want, ourTexts)
		st.zbarOK += countFound(bi.want, ztexts)
		st.oursFP += len(ourTexts) - countFound(ourTexts, bi.want)
		st.zbarFP += len(ztexts) - countFound(ztexts, bi.want)
	}
	w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "group\timages\tpoststelle ms\tzbarimg ms\tzbarimg−start ms\tratio\tratio−start\trecall poststelle\trecall zbarimg\textra poststelle\textra zbarimg\t\n")
	for _, g := range order {
		st := stats[g]
		o, z := median(st.ours), median(st.theirs)
		zs := z - startup
		fmt.Fprintf(w, "%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f×\t%.1f×\t%d/%d\t%d/%d\t%d\t%d\t\n", g, st.images,
			ms(o), ms(z), ms(zs), float64(z)/float64(o), float64(zs)/float64(o),
			st.oursOK, st.want, st.zbarOK, st.want, st.oursFP, st.zbarFP)
	}
	w.Flush()
	fmt.Printf("\nTimes are medians per image: Poststelle's Detect (barcodes and patch codes, GOMAXPROCS=1, on the\n"+
		"decoded page as the engine gets it) against the wall time of one zbarimg process on the same page\n"+
		"written as PGM. zbarimg's start-up (%.1f ms, measured on a 1×1 image) is shown subtracted as well.\n"+
		"Recall counts expected texts found; extra = symbols read that the ground truth does not list.\n", ms(startup))
	for _, g := range order {
		if st := stats[g]; st.patches > 0 {
			fmt.Printf("%s: patch codes found by Poststelle on %d of %d pages known to carry one (zbarimg reads no patch codes)\n", g, st.patchesFound, st.patches)
		}
	}
	return nil
}

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

func benchImages(ctx context.Context, corpus string) ([]benchImage, error) {
	var out []benchImage
	opener := pages.NewOpener(pages.Options{DPI: 300})
	addFile := func(group, path string, truth map[int][]string, patch map[int]string) error {
		ps, err := opener.Open(ctx, path, "")
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		defer ps.Close()
		for i := 0; i < ps.Len(); i++ {
			p, err := ps.Page(ctx, i, 0)
			if err != nil {
				return fmt.Errorf("%s page %d: %w", path, i+1, err)
			}
			dpi := p.DPI
			if dpi == 0 {
				dpi = 300
			}
			out = append(out, benchImage{group: group, name: fmt.Sprintf("%s#%d", filepath.Base(path), i+1),
				img: p.Image, dpi: dpi, want: truth[i+1], patch: patch[i+1]})
		}
		return nil
	}
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
		if err := addFile("A4 pages with codes", filepath.Join(corpus, "paperless_barcodes", n), paperlessTruth[n], patch); err != nil {
			return nil, err
		}
	}
	if err := addFile("A4 pages with codes", filepath.Join(corpus, "naps2", "patcht.jpg"), map[int][]string{1: {"PATCHT"}}, map[int]string{1: "T"}); err != nil {
		return nil, err
	}
	if err := addFile("A4 pages, no codes", filepath.Join(corpus, "scans", "batch-visible.pdf"), nil, nil); err != nil {
		return nil, err
	}
	for _, f := range []string{"blank1.jpg", "notblank.jpg"} {
		if err := addFile("A4 pages, no codes", filepath.Join(corpus, "naps2", f), nil, nil); err != nil {
			return nil, err
		}
	}
	for _, set := range []string{"qrcode-1", "code128-1", "code39-1", "datamatrix-1"} {
		dir := filepath.Join(corpus, "zxing", set)
		ents, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
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
				return nil, err
			}
			img, _, err := image.Decode(f)
			f.Close()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", e.Name(), err)
			}
			out = append(out, benchImage{group: "zxing " + set, name: e.Name(), img: img, want: []string{string(want)}})
		}
	}
	return out, nil
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
