package client_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"poststelle/mailroom"
	"poststelle/mailroom/api"
	"poststelle/mailroom/api/apitest"
	"poststelle/mailroom/api/apiv1"
	"poststelle/mailroom/testcorpus"
	"poststelle/ui"
	"poststelle/ui/client"
)

// openDoc opens id at the desk and waits until the view and the lease
// answer are there.
func (d *desk) openDoc(t *testing.T, id string) {
	t.Helper()
	d.Doc.Open(id)
	d.SelectTab(1)
	eventually(t, d.login+" opens "+id, 20*time.Second, func() bool {
		v := d.Doc.View()
		return v != nil && v.ID == id && (d.Doc.Holding() || d.Doc.LockedBy() != "")
	})
}

// fillForm fills the required fields of the metadata form.
func fillForm(d *desk, subject string) {
	f := d.Doc.Fields
	f["document_type"].SetText("Brief")
	f["department"].SetText("20 – Kämmerei")
	f["sender"].SetText("Stadtwerke")
	f["date_received"].SetText("01.12.2026")
	f["subject"].SetText(subject)
}

// openDocHeld opens id and waits until this desk holds it.
func (d *desk) openDocHeld(t *testing.T, id string) {
	t.Helper()
	d.Doc.Open(id)
	d.SelectTab(1)
	eventually(t, d.login+" holds "+id, 20*time.Second, func() bool {
		v := d.Doc.View()
		return v != nil && v.ID == id && d.Doc.Holding()
	})
}

// waitError waits for the desk to show an error containing want.
func (d *desk) waitError(t *testing.T, want string) {
	t.Helper()
	eventually(t, d.login+": message "+want, 20*time.Second, func() bool { return strings.Contains(d.LastError(), want) })
}

// A document open at one desk shows "In Bearbeitung durch NAME" at the
// others, read-only, in the document and in the Eingang; when the first
// desk moves on, the next refresh gives it to the other desk.
func TestLeaseShown(t *testing.T) {
	test.NewTempApp(t)
	rig := apitest.Start(t, nil)
	rig.Operator("anna", "anna-Passwort", both...)
	rig.Operator("bert", "bert-Passwort", both...)
	docs := rig.Review(testcorpus.Path(t, "ocrmypdf", "linn.pdf"), 2, normal)
	anna, bert := openDesk(t, rig, "anna", "anna-Passwort"), openDesk(t, rig, "bert", "bert-Passwort")
	anna.openDocHeld(t, docs[0].ID)
	bert.openDoc(t, docs[0].ID)
	if got := bert.Doc.LockedBy(); got != "anna" {
		t.Fatalf("bert sees the document held by %q", got)
	}
	if !bert.Doc.Lock.Visible() || bert.Doc.Lock.Text != "In Bearbeitung durch anna" {
		t.Fatalf("lock label %q visible=%v", bert.Doc.Lock.Text, bert.Doc.Lock.Visible())
	}
	if !bert.Doc.Buttons["rotate.left"].Disabled() || !bert.Doc.Save.Disabled() || !bert.QA.ApproveBt.Disabled() {
		t.Fatal("bert can still edit a document anna has open")
	}
	bert.SelectTab(0)
	bert.Inbox.Reload()
	eventually(t, "lock in bert's Eingang", 10*time.Second, func() bool {
		for i, r := range bert.Inbox.Rows() {
			if r.ID == docs[0].ID {
				return strings.Contains(bert.Inbox.CellText(i, 7), "In Bearbeitung durch anna")
			}
		}
		return false
	})
	// Anna moves on; bert's desk (showing the document) takes it at its
	// next refresh.
	anna.openDocHeld(t, docs[1].ID)
	bert.SelectTab(1)
	eventually(t, "bert gets the document", 10*time.Second, func() bool { return bert.Doc.Holding() && !bert.Doc.Lock.Visible() })
	if bert.Doc.Save.Disabled() {
		t.Fatal("bert's tools stay disabled after anna left")
	}
}

// A change made on an old version is refused with a German message;
// nothing is overwritten. Bert's desk hangs (no renewals: its lease runs
// out), anna takes the document, changes it and moves on; then bert saves
// what his desk still shows.
func TestStaleVersionAtDesk(t *testing.T) {
	test.NewTempApp(t)
	rig := apitest.Start(t, nil)
	rig.Engine().DeskLease = 400 * time.Millisecond
	rig.Operator("anna", "anna-Passwort", both...)
	rig.Operator("bert", "bert-Passwort", both...)
	docs := rig.Review(testcorpus.Path(t, "ocrmypdf", "linn.pdf"), 2, normal)
	id := docs[0].ID
	bert := openDeskRefresh(t, rig, "bert", "bert-Passwort", time.Hour)
	bert.openDocHeld(t, id)
	time.Sleep(500 * time.Millisecond)
	anna := openDesk(t, rig, "anna", "anna-Passwort")
	anna.openDocHeld(t, id)
	fillForm(anna, "Von Anna")
	anna.Doc.SaveMetadata()
	eventually(t, "anna's change", 10*time.Second, func() bool {
		d, _ := rig.Store().Document(context.Background(), id)
		return d.Metadata["subject"] == "Von Anna"
	})
	anna.openDocHeld(t, docs[1].ID)
	fillForm(bert, "Von Bert")
	bert.Doc.SaveMetadata()
	bert.waitError(t, "Das Dokument wurde inzwischen von anna geändert")
	if !strings.Contains(bert.LastError(), "nicht gespeichert") {
		t.Fatalf("message %q", bert.LastError())
	}
	d, _ := rig.Store().Document(context.Background(), id)
	if d.Metadata["subject"] != "Von Anna" {
		t.Fatalf("overwritten: %q", d.Metadata["subject"])
	}
}

// Missing roles are refused by the engine for a desk in client mode too.
func TestRoleRefusedAtDesk(t *testing.T) {
	test.NewTempApp(t)
	rig := apitest.Start(t, nil)
	rig.Operator("petra", "petra-Passwort", mailroom.RolePruefung)
	docs := rig.Review(testcorpus.Path(t, "ocrmypdf", "linn.pdf"), 1, normal)
	petra := openDesk(t, rig, "petra", "petra-Passwort")
	petra.openDocHeld(t, docs[0].ID)
	petra.QA.Approve()
	petra.waitError(t, `Keine Berechtigung: petra hat die Rolle "freigabe" nicht`)
	petra.Doc.Rotate(90)
	petra.waitError(t, `Keine Berechtigung: petra hat die Rolle "erfassung" nicht`)
	d, _ := rig.Store().Document(context.Background(), docs[0].ID)
	if d.State != mailroom.StateReview || d.Version != docs[0].Version {
		t.Fatalf("refused actions changed the document: %s v%d", d.State, d.Version)
	}
}

// Four eyes for "sehr hoch", end to end and without injected metadata:
// sven scans at a scan station (API import), petra checks, frank approves;
// sven is refused for the check and the approval, petra for the approval
// (the policy wants three people).
func TestFourEyesThreePeople(t *testing.T) {
	test.NewTempApp(t)
	rig := apitest.Start(t, func(cfg *mailroom.Config) {
		cfg.Evidence.SehrHochPersons = 3
		cfg.Folders = append(cfg.Folders, mailroom.FolderConfig{Profile: mailroom.Profile{Name: "bauakten",
			Protection: mailroom.ProtectionSehrHoch}, Path: "bauakten", AfterIntake: "delete"})
	})
	all := []mailroom.Role{mailroom.RoleErfassung, mailroom.RolePruefung, mailroom.RoleFreigabe}
	rig.Operator("sven", "sven-Passwort", all...)
	rig.Operator("petra", "petra-Passwort", all...)
	rig.Operator("frank", "frank-Passwort", all...)
	id := importAs(t, rig, "sven", "sven-Passwort", "bauakte.pdf", "bauakten")
	turn := func(login string, f func(d *desk)) {
		d := openDesk(t, rig, login, login+"-Passwort")
		d.openDocHeld(t, id)
		f(d)
		d.Close()
	}
	qa := func(d *desk) {
		d.SelectTab(2)
		d.QA.Complete.SetChecked(true)
		d.QA.Legible.SetChecked(true)
		d.QA.Matches.SetChecked(true)
		d.QA.Save()
	}
	turn("sven", func(d *desk) {
		d.SelectTab(2)
		if !strings.Contains(d.QA.FourEyes.Text, "sven") || !d.QA.FourEyes.Visible() {
			t.Fatalf("four-eyes hint %q", d.QA.FourEyes.Text)
		}
		qa(d)
		d.waitError(t, "Vier-Augen-Prinzip: sven hat gescannt und darf nicht die Qualitätsprüfung machen")
	})
	turn("petra", func(d *desk) {
		qa(d)
		eventually(t, "petra's QA", 10*time.Second, func() bool { v := d.Doc.View(); return v.QA != nil && v.QA.Person == "petra" })
	})
	turn("sven", func(d *desk) {
		d.QA.Approve()
		d.waitError(t, "Vier-Augen-Prinzip: sven hat gescannt und darf nicht freigeben")
	})
	turn("petra", func(d *desk) {
		d.QA.Approve()
		d.waitError(t, "Vier-Augen-Prinzip (drei Personen): petra hat die Qualitätsprüfung gemacht und darf nicht freigeben")
	})
	turn("frank", func(d *desk) {
		d.QA.Approve()
		eventually(t, "frank's approval", 10*time.Second, func() bool {
			doc, _ := rig.Store().Document(context.Background(), id)
			return doc.State == mailroom.StateApproved
		})
	})
	doc, _ := rig.Store().Document(context.Background(), id)
	if doc.Metadata["scanned_by"] != "sven" || mailroom.QAOf(doc).Person != "petra" || doc.Metadata[mailroom.MetaApprovedBy] != "frank" {
		t.Fatalf("scanned %q, checked %q, approved %q", doc.Metadata["scanned_by"], mailroom.QAOf(doc).Person, doc.Metadata[mailroom.MetaApprovedBy])
	}
	refused, _ := rig.Store().Journal(context.Background(), mailroom.JournalFilter{DocumentID: id, Text: "refused"})
	if len(refused) != 3 {
		t.Fatalf("%d refusals journaled, want 3 (QA by sven, approval by sven and petra)", len(refused))
	}
}

// importAs sends a corpus file through POST /api/v1/import as login (a scan
// station) and runs the pipeline; it returns the document.
func importAs(t *testing.T, rig *apitest.Rig, login, password, name, profile string) string {
	t.Helper()
	c := rig.Client()
	body, _ := json.Marshal(apiv1.LoginRequest{User: login, Password: password})
	resp, err := c.Post(rig.URL+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var s apiv1.Session
	json.NewDecoder(resp.Body).Decode(&s)
	resp.Body.Close()
	data, err := os.ReadFile(testcorpus.Path(t, "ocrmypdf", "linn.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/import?name=%s&profile=%s", rig.URL, name, profile), bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer "+s.Token)
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var imp apiv1.Imported
	json.NewDecoder(resp.Body).Decode(&imp)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || imp.ScannedBy != login {
		t.Fatalf("import: %d %+v", resp.StatusCode, imp)
	}
	docs := rig.Process(imp.Batch)
	if len(docs) != 1 || docs[0].State != mailroom.StateReview {
		t.Fatalf("imported document not in review: %+v", docs)
	}
	return docs[0].ID
}

// TLS: the generated certificate is trusted with --ca; without it, or with
// another certificate, the desk refuses to talk (a message, not the
// connection banner). Its fingerprint is what openssl shows.
func TestTLSGeneratedCertificate(t *testing.T) {
	test.NewTempApp(t)
	rig := apitest.Start(t, nil)
	rig.Operator("anna", "anna-Passwort", both...)
	ctx := context.Background()
	m, _ := client.New(client.Options{Server: rig.URL, CAFile: rig.CAFile})
	if _, err := m.Login(ctx, "anna", "anna-Passwort"); err != nil {
		t.Fatalf("with --ca: %v", err)
	}
	other := apitest.Start(t, nil) // a second engine: another generated certificate
	for name, ca := range map[string]string{"system roots": "", "another engine's certificate": other.CAFile} {
		m, _ := client.New(client.Options{Server: rig.URL, CAFile: ca})
		_, err := m.Login(ctx, "anna", "anna-Passwort")
		ie, ok := mailroom.AsInputError(err)
		if !ok || !strings.Contains(ie.DE, "Zertifikat des Servers wird nicht vertraut") || errors.Is(err, ui.ErrDisconnected) {
			t.Fatalf("%s: %v", name, err)
		}
	}
	fp, file, err := api.Fingerprint(rig.Config)
	if err != nil || file != rig.CAFile {
		t.Fatalf("fingerprint %q of %s: %v", fp, file, err)
	}
	pemData, _ := os.ReadFile(rig.CAFile)
	b, _ := pem.Decode(pemData)
	sum := sha256.Sum256(b.Bytes)
	if !strings.EqualFold(strings.ReplaceAll(fp, ":", ""), fmt.Sprintf("%x", sum)) {
		t.Fatalf("fingerprint %s, certificate's SHA-256 %x", fp, sum)
	}
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("openssl not installed (Debian package openssl)")
		}
		t.Skip("openssl not installed: fingerprint not compared with openssl's")
	}
	out, err := exec.Command(openssl, "x509", "-noout", "-fingerprint", "-sha256", "-in", rig.CAFile).Output()
	if err != nil || !strings.Contains(string(out), fp) {
		t.Fatalf("openssl: %s %v; we say %s", out, err, fp)
	}
}

// The engine restarts: the desk shows "Verbindung zum Server unterbrochen",
// then reconnects by itself, with the same session, and works on.
func TestEngineRestartBannerReconnect(t *testing.T) {
	test.NewTempApp(t)
	rig := apitest.Start(t, nil)
	rig.Operator("anna", "anna-Passwort", both...)
	docs := rig.Review(testcorpus.Path(t, "ocrmypdf", "linn.pdf"), 1, normal)
	anna := openDesk(t, rig, "anna", "anna-Passwort")
	eventually(t, "inbox", 10*time.Second, func() bool { return len(anna.Inbox.Rows()) == 1 })
	rig.Stop()
	eventually(t, "banner", 20*time.Second, func() bool { return anna.Banner() != "" })
	if anna.Banner() != "Verbindung zum Server unterbrochen – neuer Versuch läuft …" || anna.LastError() != "" {
		t.Fatalf("banner %q, error dialog %q", anna.Banner(), anna.LastError())
	}
	rig.Restart()
	eventually(t, "reconnect", 20*time.Second, func() bool { return anna.Banner() == "" })
	if !strings.Contains(anna.StatusText(), "wiederhergestellt") || anna.Login() != nil {
		t.Fatalf("status %q, login shown %v", anna.StatusText(), anna.Login() != nil)
	}
	anna.openDocHeld(t, docs[0].ID)
	anna.SelectTab(2)
	anna.QA.Complete.SetChecked(true)
	anna.QA.Legible.SetChecked(true)
	anna.QA.Matches.SetChecked(true)
	anna.QA.Save()
	eventually(t, "QA after the restart", 10*time.Second, func() bool {
		d, _ := rig.Store().Document(context.Background(), docs[0].ID)
		return mailroom.QAOf(d) != nil
	})
	logins, _ := rig.Store().Journal(context.Background(), mailroom.JournalFilter{Action: "login"})
	if len(logins) != 1 {
		t.Fatalf("%d logins: the desk logged in again instead of keeping its session", len(logins))
	}
}
