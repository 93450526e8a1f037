package outbox_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/dms/outbox"
)

// An e-invoice's Prüfbericht (named by einvoice_report) is delivered with
// the document; when it is missing, delivery stops for an operator.
func TestExportDocDeliversPruefbericht(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, t.TempDir())
	in := filepath.Join(t.TempDir(), "rechnung.xml")
	os.WriteFile(in, []byte("<Invoice/>"), 0o640)
	_, d, err := st.Intake(ctx, mailroom.Item{Source: "test", Profile: mailroom.Profile{Name: "test"}, Path: in, Name: "rechnung.xml"})
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []mailroom.State{mailroom.StateSplitting, mailroom.StateRecognising, mailroom.StateReview} {
		if _, err := st.Transition(ctx, d.ID, mailroom.Change{To: to, Actor: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(st.DataDir(), "out", d.ID)
	os.MkdirAll(out, 0o750)
	os.WriteFile(filepath.Join(out, "document.pdf"), []byte("%PDF-1.7\n"), 0o640)
	report := filepath.Join(out, "pruefbericht.pdf")
	os.WriteFile(report, []byte("%PDF-1.4\n% Prüfbericht\n"), 0o640)
	if _, err := st.Transition(ctx, d.ID, mailroom.Change{To: mailroom.StateApproved, Actor: "Erika Muster", Action: "approve",
		Mutate: func(d *mailroom.Document) error {
			d.Metadata["einvoice_report"] = "pruefbericht.pdf"
			d.Metadata["einvoice_validation"] = "invalid"
			return nil
		}}); err != nil {
		t.Fatal(err)
	}
	doc, err := outbox.ExportDocFor(ctx, st, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Files["pruefbericht.pdf"] != report || doc.Metadata["einvoice_validation"] != "invalid" {
		t.Errorf("files %v metadata %v", doc.Files, doc.Metadata)
	}
	os.Remove(report)
	_, err = outbox.ExportDocFor(ctx, st, d.ID)
	if err == nil || !mailroom.IsPermanent(err) {
		t.Errorf("missing Prüfbericht: err %v, want permanent", err)
	}
}
