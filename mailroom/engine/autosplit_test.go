package engine_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
)

// textRecognition "recognises" each source page as the text given for it
// (a text layer without word boxes: the boundary scorer reads numbering
// from it) and records which pages each call got.
type textRecognition struct {
	texts map[int]string
	mu    sync.Mutex
	calls [][]int
}

func (r *textRecognition) Recognise(ctx context.Context, job mailroom.RecognitionJob) (mailroom.RecognitionResult, error) {
	r.mu.Lock()
	r.calls = append(r.calls, append([]int{}, job.Pages...))
	r.mu.Unlock()
	out := filepath.Join(job.OutDir, mailroom.FileDocument)
	if err := os.MkdirAll(job.OutDir, 0o750); err != nil {
		return mailroom.RecognitionResult{}, err
	}
	if err := os.WriteFile(out, []byte("%PDF-1.7\n"), 0o640); err != nil {
		return mailroom.RecognitionResult{}, err
	}
	res := mailroom.RecognitionResult{Output: out}
	for _, p := range job.Pages {
		res.Pages = append(res.Pages, mailroom.PageResult{Page: p, Text: r.texts[p]})
	}
	return res, nil
}

// numbered gives pages the texts of documents of the given lengths, each
// page with "Seite i von n".
func numbered(lengths ...int) map[int]string {
	m := map[int]string{}
	src := 1
	for _, n := range lengths {
		for i := 1; i <= n; i++ {
			m[src] = "Kopf der Seite\nText der Seite mit Inhalt\nFuß\nSeite " + strconv.Itoa(i) + " von " + strconv.Itoa(n)
			src++
		}
	}
	return m
}

func autoSplitEngine(t *testing.T, mode string, n int, texts map[int]string) (*engine.Engine, *textRecognition) {
	e, _ := newEngine(t)
	e.Config.Separators.AutoSplit = mode
	rec := &textRecognition{texts: texts}
	e.Opener, e.Recognition = opener{n: n}, rec
	return e, rec
}

func batchDocs(t *testing.T, e *engine.Engine, b *mailroom.Batch) []*mailroom.Document {
	t.Helper()
	if err := e.ProcessBatch(context.Background(), b.ID); err != nil {
		t.Fatal(err)
	}
	docs, err := e.Store.Documents(context.Background(), mailroom.DocFilter{BatchID: b.ID})
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

func TestAutoSplitProposes(t *testing.T) {
	e, _ := autoSplitEngine(t, mailroom.AutoSplitPropose, 5, numbered(2, 3))
	b := intake(t, e, "stapel.pdf", "%PDF-1.7 stack")
	docs := batchDocs(t, e, b)
	if len(docs) != 1 || docs[0].State != mailroom.StateReview {
		t.Fatalf("want one document in review, got %d", len(docs))
	}
	ps := mailroom.ProposedSplits(docs[0])
	if len(ps) != 1 || ps[0].Page != 3 || ps[0].Score < 2 || len(ps[0].Reasons) == 0 {
		t.Fatalf("proposals %+v, want one before page 3 with score and reasons", ps)
	}
	// metadata.json carries them too.
	data, err := os.ReadFile(mailroom.Layout{Root: e.Store.DataDir()}.OutFile(docs[0].ID, mailroom.FileMetadata))
	if err != nil {
		t.Fatal(err)
	}
	var m mailroom.DocumentMetadata
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Metadata[mailroom.MetaProposedSplits], `"page":3`) {
		t.Errorf("metadata.json proposed_splits = %q", m.Metadata[mailroom.MetaProposedSplits])
	}
}

func TestAutoSplitOff(t *testing.T) {
	e, _ := autoSplitEngine(t, mailroom.AutoSplitOff, 5, numbered(2, 3))
	docs := batchDocs(t, e, intake(t, e, "stapel.pdf", "%PDF-1.7 stack"))
	if len(docs) != 1 || docs[0].Metadata[mailroom.MetaProposedSplits] != "" {
		t.Fatalf("auto_split off: %d documents, proposals %q", len(docs), docs[0].Metadata[mailroom.MetaProposedSplits])
	}
}

// apply: the document is cut before every proposal with the desk's split,
// journaled with the reasons; every part is recognised with its own pages.
func TestAutoSplitApplies(t *testing.T) {
	e, rec := autoSplitEngine(t, mailroom.AutoSplitApply, 7, numbered(2, 3, 2))
	b := intake(t, e, "stapel.pdf", "%PDF-1.7 stack")
	docs := batchDocs(t, e, b)
	var got [][]int
	for _, d := range docs {
		if d.State != mailroom.StateReview {
			t.Errorf("document %v is %s, want review", d.Pages, d.State)
		}
		if len(mailroom.ProposedSplits(d)) != 0 {
			t.Errorf("document %v still has proposals %q", d.Pages, d.Metadata[mailroom.MetaProposedSplits])
		}
		got = append(got, d.Pages)
	}
	if want := [][]int{{1, 2}, {3, 4, 5}, {6, 7}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("documents %v, want %v", got, want)
	}
	if !strings.Contains(docs[1].Metadata[mailroom.MetaAutoSplit], `"page":3`) || docs[1].Metadata["split_from"] != docs[0].ID {
		t.Errorf("second part's metadata: %v", docs[1].Metadata)
	}
	// Recognised: the whole batch once, then each part.
	if want := [][]int{{1, 2, 3, 4, 5, 6, 7}, {1, 2}, {3, 4, 5}, {6, 7}}; !reflect.DeepEqual(rec.calls, want) {
		t.Errorf("recognition calls %v, want %v", rec.calls, want)
	}
	j, err := e.Store.Journal(context.Background(), mailroom.JournalFilter{BatchID: b.ID, Action: "page-op"})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range j {
		if strings.Contains(string(x.Detail), `"auto-split"`) && strings.Contains(string(x.Detail), "numbering-restarts") {
			n++
		}
	}
	if n < 2 {
		t.Errorf("auto-split journaled %d times with its reasons, want 2 splits: %+v", n, j)
	}
}

// Separator sheets win: a batch they split is not split further
// automatically; the proposal is only shown.
func TestAutoSplitSeparatorsWin(t *testing.T) {
	e, _ := autoSplitEngine(t, mailroom.AutoSplitApply, 6, numbered(2, 1, 1, 2))
	e.Detector, e.Rules = separatorOn{2: true}, cutAtSymbols{}
	docs := batchDocs(t, e, intake(t, e, "stapel.pdf", "%PDF-1.7 stack"))
	var got [][]int
	for _, d := range docs {
		got = append(got, d.Pages)
	}
	if want := [][]int{{1, 2}, {4, 5, 6}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("documents %v, want %v (split at the separator only)", got, want)
	}
	if ps := mailroom.ProposedSplits(docs[1]); len(ps) != 1 || ps[0].Page != 5 {
		t.Errorf("proposals of the second document %+v, want one before page 5", ps)
	}
}

// The clerk accepts one proposal (a split, journaled as the clerk's
// decision) and dismisses another (journaled, not proposed again after the
// document is re-made).
func TestAcceptAndDismissSplit(t *testing.T) {
	e, _ := autoSplitEngine(t, mailroom.AutoSplitPropose, 6, numbered(2, 2, 2))
	b := intake(t, e, "stapel.pdf", "%PDF-1.7 stack")
	d := batchDocs(t, e, b)[0]
	ops := &engine.PageOps{Store: e.Store.(mailroom.PageStore), Docs: e.Store}
	ctx := context.Background()
	clerk := mailroom.Actor{Principal: mailroom.Principal{Login: "sachbearbeiterin", Roles: mailroom.Roles()}, Via: mailroom.ViaDesk}
	if _, err := ops.DismissSplit(ctx, clerk, mailroom.Ref{ID: d.ID}, 5); err != nil {
		t.Fatal(err)
	}
	head, tail, err := ops.AcceptSplit(ctx, clerk, mailroom.Ref{ID: d.ID}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(head.Pages, []int{1, 2}) || !reflect.DeepEqual(tail.Pages, []int{3, 4, 5, 6}) {
		t.Fatalf("accepted split: %v %v", head.Pages, tail.Pages)
	}
	if ps := mailroom.ProposedSplits(tail); len(ps) != 0 {
		t.Errorf("dismissed proposal still open on the tail: %+v", ps)
	}
	if _, _, err := ops.AcceptSplit(ctx, clerk, mailroom.Ref{ID: tail.ID}, 5); err == nil {
		t.Error("accepted a dismissed proposal")
	}
	j, _ := e.Store.Journal(ctx, mailroom.JournalFilter{DocumentID: tail.ID, Action: "page-op"})
	ops2 := map[string]string{}
	for _, x := range j {
		var det struct {
			Detail struct {
				Op string `json:"op"`
			} `json:"detail"`
		}
		json.Unmarshal([]byte(x.Detail), &det)
		ops2[det.Detail.Op] = x.Actor
	}
	if ops2["accept-split"] != "sachbearbeiterin" {
		t.Errorf("accept not journaled as the clerk's decision: %v", ops2)
	}
	// Re-made: the tail goes through recognition again; the dismissed
	// proposal stays dismissed.
	if _, err := ops.ApplyPages(ctx, clerk, mailroom.Ref{ID: tail.ID}); err != nil {
		t.Fatal(err)
	}
	if err := e.ProcessBatch(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	tail, _ = e.Store.Document(ctx, tail.ID)
	if tail.State != mailroom.StateReview || len(mailroom.ProposedSplits(tail)) != 0 {
		t.Errorf("after re-making: %s, proposals %q", tail.State, tail.Metadata[mailroom.MetaProposedSplits])
	}
}
