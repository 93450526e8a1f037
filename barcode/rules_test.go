package barcode

import (
	"context"
	"reflect"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/testcorpus"
)

// defaultSeparators is the shipped default configuration's separator section.
func defaultSeparators(t testing.TB) mailroom.SeparatorConfig {
	t.Helper()
	cfg, err := mailroom.Default(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Separators
}

func mustRules(t testing.TB, cfg mailroom.SeparatorConfig) *Rules {
	t.Helper()
	r, err := NewRules(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func sym(symbology, text string) mailroom.Symbol {
	return mailroom.Symbol{Symbology: symbology, Text: text}
}

func pagesOf(p mailroom.SplitPlan) [][]int {
	var out [][]int
	for _, d := range p.Documents {
		out = append(out, d.Pages)
	}
	return out
}

func TestRulesDefaults(t *testing.T) {
	r := mustRules(t, defaultSeparators(t))
	plan, err := r.Plan(7, []mailroom.PageSymbols{
		{Page: 2, Symbols: []mailroom.Symbol{sym(Code39, "PATCHT")}},
		{Page: 3, Symbols: []mailroom.Symbol{{Symbology: Patch, Text: "T"}}}, // consecutive separator
		{Page: 5, Symbols: []mailroom.Symbol{sym(QRCode, "ASN00042"), sym(QRCode, "TAG:rechnung")}},
		{Page: 6, Symbols: []mailroom.Symbol{{Symbology: Patch, Text: "2"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := pagesOf(plan), [][]int{{1}, {4}, {5}, {7}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("documents %v, want %v", got, want)
	}
	if m := plan.Documents[2].Metadata; m[MetaASN] != "42" || m[MetaTags] != "rechnung" {
		t.Errorf("document 3 metadata %v, want asn 42 and tag rechnung", m)
	}
	var actions []string
	for _, s := range plan.Separators {
		actions = append(actions, s.Action)
	}
	if want := []string{ActionSplit, ActionSplit, ActionSplitKeep, ActionSplit}; !reflect.DeepEqual(actions, want) {
		t.Errorf("separator actions %v, want %v", actions, want)
	}
}

func TestRulesOnlySeparators(t *testing.T) {
	r := mustRules(t, defaultSeparators(t))
	plan, err := r.Plan(2, []mailroom.PageSymbols{
		{Page: 1, Symbols: []mailroom.Symbol{sym(Code39, "PATCHT")}},
		{Page: 2, Symbols: []mailroom.Symbol{{Symbology: Patch, Text: "T"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Documents) != 0 || len(plan.Separators) != 2 {
		t.Fatalf("plan %+v: want no document and 2 separators", plan)
	}
}

func TestRulesMirroredPatch(t *testing.T) {
	cfg := defaultSeparators(t)
	three := []mailroom.PageSymbols{{Page: 2, Symbols: []mailroom.Symbol{{Symbology: Patch, Text: "3"}}}}
	plan, err := mustRules(t, cfg).Plan(3, three)
	if err != nil {
		t.Fatal(err)
	}
	if got := pagesOf(plan); !reflect.DeepEqual(got, [][]int{{1}, {3}}) {
		t.Errorf("default: patch 3 (T upside down) should separate, got %v", got)
	}
	cfg.PatchExact = true
	plan, _ = mustRules(t, cfg).Plan(3, three)
	if got := pagesOf(plan); !reflect.DeepEqual(got, [][]int{{1, 2, 3}}) {
		t.Errorf("patch_exact: patch 3 must not separate, got %v", got)
	}
	// Patch 1 is not a default separator, and neither is its partner 6.
	plan, _ = mustRules(t, defaultSeparators(t)).Plan(2, []mailroom.PageSymbols{{Page: 2, Symbols: []mailroom.Symbol{{Symbology: Patch, Text: "1"}}}})
	if got := pagesOf(plan); !reflect.DeepEqual(got, [][]int{{1, 2}}) {
		t.Errorf("patch 1 must not separate by default, got %v", got)
	}
}

func TestRulesASNOutOfRange(t *testing.T) {
	r := mustRules(t, defaultSeparators(t))
	_, err := r.Plan(1, []mailroom.PageSymbols{{Page: 1, Symbols: []mailroom.Symbol{sym(Code128, "ASN4294967296")}}})
	ie, ok := mailroom.AsInputError(err)
	if !ok {
		t.Fatalf("want an InputError, got %v", err)
	}
	if ie.DE == "" || ie.EN == "" {
		t.Errorf("reason must be German and English: %q", ie.Reason())
	}
	plan, err := r.Plan(1, []mailroom.PageSymbols{{Page: 1, Symbols: []mailroom.Symbol{sym(Code128, "ASN4294967295")}}})
	if err != nil || plan.Documents[0].Metadata[MetaASN] != "4294967295" {
		t.Errorf("largest ASN: %v %+v", err, plan)
	}
}

func TestRulesMetadataAndIndexSheets(t *testing.T) {
	cfg := defaultSeparators(t)
	cfg.Rules = []mailroom.SeparatorRule{
		{Pattern: `^FD:(\d+)$`, Field: "department"},
		{Pattern: `^TYP:(.+)$`, Field: "document_type", Split: true},
		{Pattern: `^AZ:(.+)$`, Field: "aktenzeichen"},
	}
	cfg.KeepIndexSheets = false
	r := mustRules(t, cfg)
	plan, err := r.Plan(6, []mailroom.PageSymbols{
		// separator sheet with metadata: goes to the following document
		{Page: 2, Symbols: []mailroom.Symbol{sym(Code39, "PATCHT"), sym(Code39, "FD:63")}},
		// ordinary page with an Aktenzeichen label: stays in its document
		{Page: 3, Symbols: []mailroom.Symbol{sym(QRCode, "AZ:63.1-2024/17")}},
		// index sheet with a splitting rule, dropped (keep_index_sheets=false)
		{Page: 4, Symbols: []mailroom.Symbol{sym(QRCode, "TYP:Rechnung"), sym(QRCode, "ASN7")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := pagesOf(plan), [][]int{{1}, {3}, {5, 6}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("documents %v, want %v", got, want)
	}
	if m := plan.Documents[1].Metadata; m["department"] != "63" || m["aktenzeichen"] != "63.1-2024/17" {
		t.Errorf("document 2 metadata %v", m)
	}
	if m := plan.Documents[2].Metadata; m["document_type"] != "Rechnung" || m[MetaASN] != "7" || m["department"] != "" {
		t.Errorf("document 3 metadata %v", m)
	}
}

func TestNewRulesRejectsBadConfig(t *testing.T) {
	for _, cfg := range []mailroom.SeparatorConfig{
		{PatchCodes: []string{"5"}},
		{TagPattern: "("},
		{Rules: []mailroom.SeparatorRule{{Pattern: "[", Field: "x"}}},
		{Rules: []mailroom.SeparatorRule{{Pattern: "x", Field: ""}}},
	} {
		if _, err := NewRules(cfg); err == nil {
			t.Errorf("NewRules(%+v) accepted a bad configuration", cfg)
		}
	}
}

// The paperless-ngx barcode samples, detected for real and planned with the
// default rules (plus the custom text where the corpus README asks for it).
func TestPaperlessBarcodes(t *testing.T) {
	d := New(Options{})
	type want struct {
		docs [][]int
		asns []string
		tags []string
		drop []int
	}
	cases := []struct {
		file   string
		custom bool
		want   want
	}{
		{"patch-code-t.pdf", false, want{docs: nil, drop: []int{1}}},
		{"patch-code-t-qr.pdf", false, want{docs: nil, drop: []int{1}}},
		{"patch-code-t-middle.pdf", false, want{docs: [][]int{{1}, {3}}, drop: []int{2}}},
		{"patch-code-t-middle.tiff", false, want{docs: [][]int{{1}, {3}}, drop: []int{2}}},
		{"patch-code-t-double.pdf", false, want{docs: [][]int{{1}, {4}}, drop: []int{2, 3}}},
		{"barcode-39-custom.pdf", false, want{docs: [][]int{{1}}}},
		{"barcode-39-custom.pdf", true, want{docs: nil, drop: []int{1}}},
		{"barcode-qr-custom.pdf", false, want{docs: [][]int{{1}}}},
		{"barcode-qr-custom.pdf", true, want{docs: nil, drop: []int{1}}},
		{"barcode-39-asn-123.pdf", false, want{docs: [][]int{{1}}, asns: []string{"123"}}},
		{"split-by-asn-1.pdf", false, want{docs: [][]int{{1, 2}, {3}, {4, 5, 6}, {7, 8}, {9, 10}},
			asns: []string{"123", "124", "125", "126", "127"}}},
		{"split-by-tag-basic.pdf", false, want{docs: [][]int{{1}, {2, 3}, {4, 5, 6}}, tags: []string{"", "invoice", "receipt"}}},
		{"negative/simple.pdf", false, want{docs: [][]int{{1}}}},
	}
	cache := map[string][]mailroom.PageSymbols{}
	counts := map[string]int{}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			found, ok := cache[c.file]
			if !ok {
				pages := loadPages(t, testcorpus.Path(t, "paperless_barcodes", c.file))
				counts[c.file] = len(pages)
				for i, p := range pages {
					syms, err := d.Detect(context.Background(), p)
					if err != nil {
						t.Fatal(err)
					}
					if len(syms) > 0 {
						found = append(found, mailroom.PageSymbols{Page: i + 1, Symbols: syms})
					}
				}
				cache[c.file] = found
			}
			cfg := defaultSeparators(t)
			if c.custom {
				cfg.SeparatorTexts = append(cfg.SeparatorTexts, "CUSTOM BARCODE")
			}
			plan, err := mustRules(t, cfg).Plan(counts[c.file], found)
			if err != nil {
				t.Fatal(err)
			}
			if got := pagesOf(plan); !reflect.DeepEqual(got, c.want.docs) {
				t.Errorf("documents %v, want %v (symbols %+v)", got, c.want.docs, found)
			}
			var drops []int
			for _, s := range plan.Separators {
				if s.Action == ActionSplit {
					drops = append(drops, s.Page)
				}
			}
			if !reflect.DeepEqual(drops, c.want.drop) {
				t.Errorf("dropped pages %v, want %v", drops, c.want.drop)
			}
			if c.want.asns != nil {
				var asns []string
				for _, d := range plan.Documents {
					asns = append(asns, d.Metadata[MetaASN])
				}
				if !reflect.DeepEqual(asns, c.want.asns) {
					t.Errorf("ASNs %v, want %v", asns, c.want.asns)
				}
			}
			if c.want.tags != nil {
				var tags []string
				for _, d := range plan.Documents {
					tags = append(tags, d.Metadata[MetaTags])
				}
				if !reflect.DeepEqual(tags, c.want.tags) {
					t.Errorf("tags %v, want %v", tags, c.want.tags)
				}
			}
		})
	}
}
