package outbox_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/dms/folder"
	"poststelle/mailroom/dms/outbox"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/evidence/evidencetest"
	"poststelle/mailroom/store"
)

// approvedWithEvidence takes a PDF in and approves it through the evidence
// Finisher (Transfervermerk embedded, hashes journaled), returning its id.
func approvedWithEvidence(t *testing.T, st *store.Store, name string) string {
	t.Helper()
	ctx := context.Background()
	own := evidencetest.OwnPDF(t)
	src := filepath.Join(t.TempDir(), name)
	os.WriteFile(src, own, 0o640)
	cfg, _ := mailroom.Default(st.DataDir())
	e := &engine.Engine{Config: cfg, Store: st, OneShot: true,
		Finisher: &evidence.Finisher{Config: cfg, Store: st, Records: st, Version: "test"}}
	b, d, err := st.Intake(ctx, mailroom.Item{Source: "test", Profile: mailroom.Profile{Name: "test"}, Path: src, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.ProcessBatch(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(st.DataDir(), "out", d.ID, mailroom.FileDocument), own, 0o640)
	if _, err := e.Approve(ctx, mailroom.Actor{Principal: mailroom.Principal{Login: "Erika Muster", Roles: mailroom.Roles()}, Via: mailroom.ViaCLI}, mailroom.Ref{ID: d.ID}); err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// A document changed after approval is not delivered: the delivery is held
// with the reason "Dokument nach Freigabe verändert", on the document and
// in the journal (export-held). The same for a changed transfervermerk.xml.
// An untouched document is delivered and its sidecar carries the journal
// head (an anchor of the journal in the DMS).
func TestExportHoldsDocumentChangedAfterApproval(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, t.TempDir())
	good := approvedWithEvidence(t, st, "gut.pdf")
	pdfChanged := approvedWithEvidence(t, st, "geaendert.pdf")
	tvChanged := approvedWithEvidence(t, st, "vermerk.pdf")
	out := func(id, f string) string { return filepath.Join(st.DataDir(), "out", id, f) }
	f, _ := os.OpenFile(out(pdfChanged, mailroom.FileDocument), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("\n% nach der Freigabe angehängt\n")
	f.Close()
	tv, _ := os.ReadFile(out(tvChanged, mailroom.FileTransfervermerk))
	os.WriteFile(out(tvChanged, mailroom.FileTransfervermerk), []byte(strings.Replace(string(tv), "Erika Muster", "Mallory", 1)), 0o640)

	exportDir := t.TempDir()
	ob := &outbox.Outbox{Store: st, Config: cfg(20 * time.Millisecond), Targets: []mailroom.Exporter{&folder.Exporter{Target: "ablage", Dir: exportDir}}}
	for _, id := range []string{good, pdfChanged, tvChanged} {
		ob.DeliverDocument(ctx, id)
	}
	d, _ := st.Document(ctx, good)
	if d.State != mailroom.StateExported {
		t.Fatalf("untouched document: state %s, reason %q", d.State, d.Reason)
	}
	for _, id := range []string{pdfChanged, tvChanged} {
		d, _ := st.Document(ctx, id)
		if d.State == mailroom.StateExported || !strings.Contains(d.Reason, "Dokument nach Freigabe verändert") {
			t.Errorf("%s: state %s, reason %q", id, d.State, d.Reason)
		}
		held, _ := st.OutboxEntries(ctx, mailroom.OutboxFilter{DocumentID: id, Statuses: []mailroom.OutboxStatus{mailroom.OutboxHeld}})
		if len(held) != 1 {
			t.Errorf("%s: held entries %+v", id, held)
		}
		j, _ := st.Journal(ctx, mailroom.JournalFilter{DocumentID: id, Action: "export-held"})
		if len(j) != 1 || !strings.Contains(j[0].Detail, "Dokument nach Freigabe verändert") {
			t.Errorf("%s: export-held journal %+v", id, j)
		}
		if _, err := os.Stat(filepath.Join(exportDir, id)); err == nil {
			t.Errorf("%s: delivered anyway", id)
		}
	}
	doc, err := outbox.ExportDocFor(ctx, st, good)
	if err != nil {
		t.Fatal(err)
	}
	seq, _ := strconv.ParseInt(doc.Metadata[evidence.MetaJournalSeq], 10, 64)
	head, _ := st.Journal(ctx, mailroom.JournalFilter{Newest: true, Limit: 1})
	if seq != head[0].Seq || doc.Metadata[evidence.MetaJournalHash] != head[0].Hash {
		t.Errorf("sidecar anchor %d %s, journal head %d %s", seq, doc.Metadata[evidence.MetaJournalHash], head[0].Seq, head[0].Hash)
	}
	sc, _ := os.ReadFile(filepath.Join(exportDir, good, "index.json"))
	if !strings.Contains(string(sc), `"journal_hash"`) {
		t.Errorf("delivered sidecar without the journal head: %s", sc)
	}
}
