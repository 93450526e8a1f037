package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/store"
)

// reviewDoc makes a document of n pages in review, as the pipeline would.
func reviewDoc(t *testing.T, n int) (*store.Store, *mailroom.Document) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p := filepath.Join(t.TempDir(), "stapel.pdf")
	os.WriteFile(p, []byte("%PDF-1.4\nstapel\n%%EOF\n"), 0o644)
	_, d, err := s.Intake(ctx, mailroom.Item{Source: "folder:test", Profile: mailroom.Profile{Name: "test", Protection: mailroom.ProtectionNormal},
		Path: p, Metadata: map[string]string{"department": "63"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Claim(ctx, mailroom.StateReceived, mailroom.StateSplitting, "test"); err != nil {
		t.Fatal(err)
	}
	pages := make([]int, n)
	for i := range pages {
		pages[i] = i + 1
	}
	if _, err := s.ApplySplit(ctx, d.ID, n, mailroom.SplitPlan{Documents: []mailroom.Segment{{Pages: pages}}}, "test"); err != nil {
		t.Fatal(err)
	}
	d, err = s.Transition(ctx, d.ID, mailroom.Change{To: mailroom.StateReview, Actor: "test",
		Mutate: func(d *mailroom.Document) error { d.Output = "/x/document.pdf"; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return s, d
}

func ops(s *store.Store) *engine.PageOps { return &engine.PageOps{Store: s, Docs: s} }

// anna holds every role (the page operations' roles are tested in mailroom/engine).
var anna = mailroom.Actor{Principal: mailroom.Principal{Login: "anna", Roles: mailroom.Roles()}, Via: mailroom.ViaDesk}

func TestPageOpsRotateDeleteRestoreMove(t *testing.T) {
	s, d := reviewDoc(t, 5)
	ctx := context.Background()
	o := ops(s)
	if _, err := o.Rotate(ctx, anna, mailroom.Ref{ID: d.ID}, 1, 90); err != nil {
		t.Fatal(err)
	}
	got, err := o.Rotate(ctx, anna, mailroom.Ref{ID: d.ID}, 1, 180)
	if err != nil {
		t.Fatal(err)
	}
	if r := mailroom.Rotations(got); !reflect.DeepEqual(r, map[int]int{2: 270}) {
		t.Fatalf("rotations %v", r)
	}
	if !got.HasFlag(mailroom.FlagPagesChanged) {
		t.Fatal("pages-changed flag missing")
	}
	if _, err := o.Rotate(ctx, anna, mailroom.Ref{ID: d.ID}, 1, 45); err == nil {
		t.Fatal("45° accepted")
	}
	got, err = o.Delete(ctx, anna, mailroom.Ref{ID: d.ID}, 2) // source page 3
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Pages, []int{1, 2, 4, 5}) {
		t.Fatalf("after delete %v", got.Pages)
	}
	del, _ := s.DeletedPages(ctx, d.ID)
	if len(del) != 1 || del[0].Page != 3 || del[0].By != "anna" {
		t.Fatalf("deleted %+v", del)
	}
	got, err = o.Move(ctx, anna, mailroom.Ref{ID: d.ID}, 0, 3) // page 1 to the end
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Pages, []int{2, 4, 5, 1}) {
		t.Fatalf("after move %v", got.Pages)
	}
	got, err = o.Restore(ctx, anna, mailroom.Ref{ID: d.ID}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Pages, []int{2, 4, 3, 5, 1}) {
		t.Fatalf("after restore %v", got.Pages)
	}
	if del, _ := s.DeletedPages(ctx, d.ID); len(del) != 0 {
		t.Fatalf("still deleted: %+v", del)
	}
	if _, err := o.Restore(ctx, anna, mailroom.Ref{ID: d.ID}, 3); err == nil {
		t.Fatal("restoring a page that is not deleted succeeded")
	}
	if _, err := o.Move(ctx, anna, mailroom.Ref{ID: d.ID}, 0, 9); err == nil {
		t.Fatal("move out of range accepted")
	}
	// Every operation is journaled as page-op; the chain stays intact.
	es, _ := s.Journal(ctx, mailroom.JournalFilter{DocumentID: d.ID, Action: "page-op"})
	if len(es) != 5 {
		t.Fatalf("%d page-op entries, want 5", len(es))
	}
	var det struct {
		Detail map[string]any `json:"detail"`
	}
	json.Unmarshal([]byte(es[2].Detail), &det)
	if det.Detail["op"] != "delete" || det.Detail["page"] != float64(3) {
		t.Fatalf("journal detail %s", es[2].Detail)
	}
	if _, err := s.VerifyChain(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestPageOpsLastPageAndQA(t *testing.T) {
	s, d := reviewDoc(t, 1)
	ctx := context.Background()
	o := ops(s)
	if _, err := o.Delete(ctx, anna, mailroom.Ref{ID: d.ID}, 0); err == nil {
		t.Fatal("deleted the last page")
	} else if _, ok := mailroom.AsInputError(err); !ok {
		t.Fatalf("not an InputError: %v", err)
	}
	// A page operation drops a QA recorded on the old pages.
	e := &engine.Engine{Store: s}
	if _, err := e.RecordQA(ctx, anna, mailroom.Ref{ID: d.ID}, mailroom.QAResult{Complete: true, Legible: true, Matches: true}); err != nil {
		t.Fatal(err)
	}
	got, err := o.Rotate(ctx, anna, mailroom.Ref{ID: d.ID}, 0, 90)
	if err != nil {
		t.Fatal(err)
	}
	if mailroom.QAOf(got) != nil {
		t.Fatal("QA survived a page change")
	}
	if err := mailroom.CheckPagesApplied(got); !errors.Is(err, mailroom.ErrNotAllowed) {
		t.Fatalf("CheckPagesApplied = %v", err)
	}
}

func TestPageOpsSplitMergeApply(t *testing.T) {
	s, d := reviewDoc(t, 6)
	ctx := context.Background()
	o := ops(s)
	if _, err := o.Rotate(ctx, anna, mailroom.Ref{ID: d.ID}, 4, 90); err != nil { // source page 5
		t.Fatal(err)
	}
	if _, _, err := o.Split(ctx, anna, mailroom.Ref{ID: d.ID}, 0); err == nil {
		t.Fatal("split before the first page accepted")
	}
	head, tail, err := o.Split(ctx, anna, mailroom.Ref{ID: d.ID}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(head.Pages, []int{1, 2}) || !reflect.DeepEqual(tail.Pages, []int{3, 4, 5, 6}) {
		t.Fatalf("split %v | %v", head.Pages, tail.Pages)
	}
	if tail.ID == head.ID || tail.BatchID != head.BatchID || tail.State != mailroom.StateReview || tail.Output != "" {
		t.Fatalf("tail %+v", tail)
	}
	if tail.Metadata["department"] != "63" || tail.Metadata["split_from"] != head.ID {
		t.Fatalf("tail metadata %v", tail.Metadata)
	}
	if r := mailroom.Rotations(tail); !reflect.DeepEqual(r, map[int]int{5: 90}) {
		t.Fatalf("tail rotations %v", r)
	}
	if len(mailroom.Rotations(head)) != 0 {
		t.Fatal("head kept the tail's rotation")
	}
	docs, _ := s.Documents(ctx, mailroom.DocFilter{BatchID: d.BatchID})
	if len(docs) != 2 || docs[1].Seq != 2 {
		t.Fatalf("batch has %d documents", len(docs))
	}
	// Merge them back: the tail is rejected with a reason naming the head.
	merged, err := o.MergeNext(ctx, anna, mailroom.Ref{ID: head.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(merged.Pages, []int{1, 2, 3, 4, 5, 6}) {
		t.Fatalf("merged %v", merged.Pages)
	}
	tl, _ := s.Document(ctx, tail.ID)
	if tl.State != mailroom.StateRejected || tl.Reason == "" {
		t.Fatalf("merged tail %s %q", tl.State, tl.Reason)
	}
	if _, err := o.MergeNext(ctx, anna, mailroom.Ref{ID: head.ID}); err == nil {
		t.Fatal("merge without a next document accepted")
	}
	// Apply: review → recognising, flag cleared.
	ap, err := o.ApplyPages(ctx, anna, mailroom.Ref{ID: head.ID})
	if err != nil {
		t.Fatal(err)
	}
	if ap.State != mailroom.StateRecognising || ap.HasFlag(mailroom.FlagPagesChanged) || ap.Output != "" {
		t.Fatalf("applied %s %v %q", ap.State, ap.Flags, ap.Output)
	}
	if _, err := o.Rotate(ctx, anna, mailroom.Ref{ID: head.ID}, 0, 90); err == nil {
		t.Fatal("page op outside review accepted")
	}
	if _, err := s.VerifyChain(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSplitIsOneTransaction(t *testing.T) {
	s, d := reviewDoc(t, 3)
	ctx := context.Background()
	boom := errors.New("boom")
	_, _, err := s.SplitDocument(ctx, d.ID, "anna", nil, func(h, tl *mailroom.Document) error {
		h.Pages, tl.Pages = []int{1}, []int{2, 3}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	docs, _ := s.Documents(ctx, mailroom.DocFilter{BatchID: d.BatchID})
	if len(docs) != 1 || len(docs[0].Pages) != 3 {
		t.Fatalf("failed split left %d documents, pages %v", len(docs), docs[0].Pages)
	}
}
