package outbox_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/store"
)

// approvedDocs takes n small files in and moves their documents to approved
// the way the engine does (received → splitting → recognising → review →
// approved), each transition journaled. withPDF gives every second document
// an out/<id>/document.pdf and transfervermerk.xml.
func approvedDocs(t testing.TB, st *store.Store, n int, withPDF bool) []string {
	t.Helper()
	ctx := context.Background()
	in := filepath.Join(t.TempDir(), "in")
	os.MkdirAll(in, 0o750)
	var ids []string
	for i := 0; i < n; i++ {
		p := filepath.Join(in, fmt.Sprintf("brief-%04d.pdf", i))
		os.WriteFile(p, []byte(fmt.Sprintf("%%PDF-1.4\n%% test document %d %s\n", i, t.Name())), 0o640)
		_, d, err := st.Intake(ctx, mailroom.Item{Source: "test", Profile: mailroom.Profile{Name: "test"}, Path: p, Name: filepath.Base(p)})
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []mailroom.State{mailroom.StateSplitting, mailroom.StateRecognising, mailroom.StateReview} {
			if _, err := st.Transition(ctx, d.ID, mailroom.Change{To: to, Actor: "test"}); err != nil {
				t.Fatal(err)
			}
		}
		if withPDF && i%2 == 0 {
			out := filepath.Join(st.DataDir(), "out", d.ID)
			os.MkdirAll(out, 0o750)
			os.WriteFile(filepath.Join(out, "document.pdf"), []byte(fmt.Sprintf("%%PDF-1.7\n%% searchable %d\n", i)), 0o640)
			os.WriteFile(filepath.Join(out, "transfervermerk.xml"), []byte("<transfervermerk/>"), 0o640)
		}
		if _, err := st.Transition(ctx, d.ID, mailroom.Change{To: mailroom.StateApproved, Actor: "Erika Muster", Action: "approve",
			Mutate: func(d *mailroom.Document) error { d.Metadata[mailroom.MetaApprovedBy] = "Erika Muster"; return nil }}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	return ids
}

func openStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
