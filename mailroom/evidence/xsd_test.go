package evidence_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/evidence/evidencetest"
)

// The Transfervermerk validates against docs/transfervermerk.xsd with
// xmllint (libxml2-utils) as an independent checker, for a manual approval
// with QA and for an automatic approval without.
func TestTransfervermerkValidatesAgainstXSD(t *testing.T) {
	evidencetest.NeedTool(t, "xmllint", "libxml2-utils")
	xsd, _ := filepath.Abs("../../docs/transfervermerk.xsd")
	cfg, _ := mailroom.Default(t.TempDir())
	now := time.Now().UTC()
	d := &mailroom.Document{ID: "6f1c1f0e-0000-4000-8000-000000000001", BatchID: "b1", Seq: 1, Pages: []int{1, 2},
		Protection: mailroom.ProtectionNormal, Metadata: map[string]string{"document_class": "Antrag & <Formular>"}, Flags: []string{"blank-page"}}
	b := &mailroom.Batch{ID: "b1", Source: "folder:eingang", Profile: "eingang", Filename: "scan.pdf", SHA256: sha64, Size: 10, ReceivedAt: now}
	qa := &mailroom.QAResult{Person: "Petra Prüfer", Time: now, Complete: true, Legible: true, Matches: true, ExpectedPages: 2, ActualPages: 2,
		Anomalies: []string{"Kopie"}}
	for name, a := range map[string]mailroom.Approval{
		"manual":    {Person: "Anna Amt", Time: now, QA: qa},
		"automatic": {Person: mailroom.AutomaticApprover, Automatic: true, Time: now},
	} {
		tv := evidence.Build(evidence.Input{Doc: d, Batch: b, Approval: a, Config: cfg, Version: "test", Now: now,
			Product: &evidence.TVDatei{Name: "document.pdf", SHA256: sha64, Groesse: 5}, Sampled: name == "manual",
			Sealed: evidence.TVIntegritaet{Siegel: "keines", Niveau: evidence.LevelNone, Massnahme: "x"}})
		data, err := tv.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(t.TempDir(), "tv.xml")
		os.WriteFile(f, data, 0o600)
		if out, err := exec.Command("xmllint", "--noout", "--schema", xsd, f).CombinedOutput(); err != nil {
			t.Fatalf("%s: xmllint: %v\n%s\n%s", name, err, out, data)
		}
		back, err := evidence.ParseTransfervermerk(data)
		if err != nil || back.DocumentID != d.ID || back.Uebereinstimmung.AutomatischeFreigabe != a.Automatic {
			t.Fatalf("%s: round trip: %v", name, err)
		}
	}
	// A Transfervermerk without the responsible person must not validate.
	bad := filepath.Join(t.TempDir(), "bad.xml")
	os.WriteFile(bad, []byte(`<Transfervermerk xmlns="urn:poststelle:transfervermerk:1" version="1" dokumentId="x"/>`), 0o600)
	if err := exec.Command("xmllint", "--noout", "--schema", xsd, bad).Run(); err == nil {
		t.Fatal("xmllint accepted an empty Transfervermerk: the schema checks nothing")
	}
}

const sha64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
