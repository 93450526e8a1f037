package barcode

import (
	"context"
	"reflect"
	"sort"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/store"
	"poststelle/mailroom/testcorpus"
	"poststelle/scan/pages"
)

// End to end through the engine's split step with the real store, the real
// page opener and the default configuration.
func TestEngineSplitsPaperlessBatches(t *testing.T) {
	ctx := context.Background()
	cfg, err := mailroom.Default(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rules, err := NewRules(cfg.Separators)
	if err != nil {
		t.Fatal(err)
	}
	e := &engine.Engine{Config: cfg, Store: st, Opener: pages.NewOpener(pages.Options{DPI: 300}),
		Detector: New(Options{}), Rules: rules}
	for _, tc := range []struct {
		file string
		docs [][]int
		asns []string
		tags []string
	}{
		{"split-by-asn-1.pdf", [][]int{{1, 2}, {3}, {4, 5, 6}, {7, 8}, {9, 10}}, []string{"123", "124", "125", "126", "127"}, nil},
		{"split-by-tag-basic.pdf", [][]int{{1}, {2, 3}, {4, 5, 6}}, nil, []string{"", "invoice", "receipt"}},
		{"patch-code-t-double.pdf", [][]int{{1}, {4}}, nil, nil},
		{"patch-code-t.pdf", nil, nil, nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			b, _, err := st.Intake(ctx, mailroom.Item{Source: "test", Path: testcorpus.Path(t, "paperless_barcodes", tc.file),
				Name: tc.file, Profile: mailroom.Profile{Name: "test", Protection: mailroom.ProtectionNormal}})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.ProcessBatch(ctx, b.ID); err != nil {
				t.Fatal(err)
			}
			docs, err := st.Documents(ctx, mailroom.DocFilter{BatchID: b.ID})
			if err != nil {
				t.Fatal(err)
			}
			var got [][]int
			var asns, tags []string
			sort.Slice(docs, func(i, j int) bool { return docs[i].Seq < docs[j].Seq })
			for _, d := range docs {
				if d.State == mailroom.StateQuarantined {
					t.Fatalf("document quarantined: %s", d.Reason)
				}
				if len(d.Pages) == 0 {
					continue // the batch's own container document, if any
				}
				got = append(got, d.Pages)
				asns = append(asns, d.Metadata[MetaASN])
				tags = append(tags, d.Metadata[MetaTags])
			}
			if !reflect.DeepEqual(got, tc.docs) {
				t.Errorf("documents %v, want %v", got, tc.docs)
			}
			if tc.asns != nil && !reflect.DeepEqual(asns, tc.asns) {
				t.Errorf("ASNs %v, want %v", asns, tc.asns)
			}
			if tc.tags != nil && !reflect.DeepEqual(tags, tc.tags) {
				t.Errorf("tags %v, want %v", tags, tc.tags)
			}
		})
	}
}
