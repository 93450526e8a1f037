package barcode

import (
	"strings"
	"testing"

	"poststelle/mailroom"
)

// FuzzRules feeds arbitrary barcode texts on arbitrary pages to the default
// rules plus metadata rules. Plan must not panic, must return only
// InputErrors, and its documents must be non-empty, in page order, within
// the batch and disjoint.
func FuzzRules(f *testing.F) {
	f.Add(5, "PATCHT\n2\nASN00123\n3\nTAG:invoice\n5\nFD:63")
	f.Add(3, "ASN99999999999\n1")
	f.Add(4, "PATCHT\n1\nPATCHT\n2\npatch:T\n3\npatch:3\n4")
	f.Add(2, "TAG:\n1\nASN\n2\nTYP:Rechnung\n2")
	f.Add(1, "")
	cfg := mailroom.SeparatorConfig{Enabled: true, SeparatorTexts: []string{"PATCHT"}, PatchCodes: []string{"2", "T"},
		ASNPrefix: "ASN", TagPattern: "^TAG:(.*)$", KeepIndexSheets: true,
		Rules: []mailroom.SeparatorRule{{Pattern: `^FD:(\d+)$`, Field: "department"}, {Pattern: `^TYP:(.+)$`, Field: "document_type", Split: true}}}
	r, err := NewRules(cfg)
	if err != nil {
		f.Fatal(err)
	}
	cfg.KeepIndexSheets = false
	rDrop, _ := NewRules(cfg)
	f.Fuzz(func(t *testing.T, pageCount int, spec string) {
		if pageCount < 0 || pageCount > 200 {
			return
		}
		lines := strings.Split(spec, "\n")
		var pages []mailroom.PageSymbols
		for i := 0; i+1 < len(lines); i += 2 {
			p := 1
			if pageCount > 0 {
				p = 1 + (len(lines[i+1])+i)%pageCount
			}
			s := mailroom.Symbol{Symbology: Code128, Text: lines[i]}
			if rest, ok := strings.CutPrefix(lines[i], "patch:"); ok {
				s = mailroom.Symbol{Symbology: Patch, Text: rest}
			}
			pages = append(pages, mailroom.PageSymbols{Page: p, Symbols: []mailroom.Symbol{s}})
		}
		for _, rr := range []*Rules{r, rDrop} {
			plan, err := rr.Plan(pageCount, pages)
			if err != nil {
				if _, ok := mailroom.AsInputError(err); !ok && pageCount > 0 {
					t.Fatalf("non-input error %v", err)
				}
				continue
			}
			seen := map[int]bool{}
			last := 0
			for _, d := range plan.Documents {
				if len(d.Pages) == 0 {
					t.Fatalf("empty document in %+v", plan)
				}
				for _, p := range d.Pages {
					if p < 1 || p > pageCount || seen[p] || p <= last {
						t.Fatalf("bad page %d in %+v", p, plan)
					}
					seen[p] = true
					last = p
				}
			}
			for _, s := range plan.Separators {
				if s.Action == ActionSplit && seen[s.Page] {
					t.Fatalf("dropped separator page %d is in a document: %+v", s.Page, plan)
				}
			}
		}
	})
}

// FuzzPatchDecoder runs the patch decoder on small images made from the
// fuzz input (each byte a run length, alternating light and dark, repeated
// down the image) and on single lines. It must not panic and every reading
// must be one of the six codes within the image.
func FuzzPatchDecoder(f *testing.F) {
	// A Patch T line at 60 dpi: quiet, N, s, W, s, N, s, W, quiet.
	f.Add([]byte{40, 5, 5, 12, 5, 5, 5, 12, 40}, uint8(200))
	f.Add([]byte{30, 12, 5, 12, 5, 5, 5, 5, 30}, uint8(150))
	f.Add([]byte{1, 1, 1, 1, 1, 1, 1}, uint8(10))
	f.Add([]byte{}, uint8(0))
	f.Fuzz(func(t *testing.T, runs []byte, height uint8) {
		if len(runs) > 400 {
			return
		}
		var line []bool
		dark := false
		for _, n := range runs {
			for k := 0; k < int(n); k++ {
				line = append(line, dark)
			}
			dark = !dark
		}
		for _, r := range scanPatchLine(line, 0, 60, nil) {
			if r.a < 0 || r.b > len(line) || r.a >= r.b {
				t.Fatalf("reading %+v outside the line of %d", r, len(line))
			}
			if _, ok := patchCodes[r.seq]; !ok {
				t.Fatalf("unknown sequence %q", r.seq)
			}
		}
		w, h := len(line), int(height)
		if w == 0 || h == 0 {
			return
		}
		g := &gray{w: w, h: h, pix: make([]byte, w*h)}
		for y := 0; y < h; y++ {
			for x, d := range line {
				if d {
					g.pix[y*w+x] = 10
				} else {
					g.pix[y*w+x] = 240
				}
			}
		}
		for _, s := range detectPatches(g, 60) {
			if !validPatch(s.text) || !s.box.In(rect(0, 0, w, h)) {
				t.Fatalf("bad patch symbol %+v in %dx%d", s, w, h)
			}
		}
	})
}
