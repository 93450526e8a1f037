package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"poststelle/mailroom"
	"poststelle/mailroom/api/apitest"
	"poststelle/mailroom/testcorpus"
	"poststelle/ui"
	"poststelle/ui/client"
	"poststelle/ui/embedded"
)

// The desk in client mode on the real (GLFW/OpenGL) driver under Xvfb,
// against an engine with its HTTPS API on loopback: the login and a
// document another clerk has open (screenshots for docs/desk.md), and the
// time to the first preview of a 100-page document over the API, with the
// embedded desk on the same data measured in the same run for reference.

// hundredPages makes a 100-page scan from the corpus with qpdf.
func hundredPages(t *testing.T) string {
	t.Helper()
	qpdf, err := exec.LookPath("qpdf")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("qpdf not installed (Debian package qpdf)")
		}
		t.Skip("qpdf not installed")
	}
	src := testcorpus.Path(t, "scans", "batch-visible.pdf")
	big := filepath.Join(t.TempDir(), "hundert.pdf")
	args := []string{"--empty", "--pages"}
	for i := 0; i < 9; i++ {
		args = append(args, src, "1-11")
	}
	args = append(args, src, "1", "--", big) // 9×11 + 1 = 100 pages
	if out, err := exec.Command(qpdf, args...).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v %s", err, out)
	}
	return big
}

// glDesk opens a desk window over m on the real driver.
func glDesk(t *testing.T, m ui.Model, tm *timing) (*ui.App, fyne.Window) {
	t.Helper()
	var w fyne.Window
	var desk *ui.App
	opt := ui.Options{Refresh: 500 * time.Millisecond}
	if tm != nil {
		opt.Timing = tm.record
	}
	onUI(func() {
		w = glApp.NewWindow("Poststelle")
		w.Resize(fyne.NewSize(1400, 900))
		desk = ui.New(w, m, opt)
		desk.Start()
		w.Show()
	})
	t.Cleanup(func() { onUI(func() { desk.Close(); w.Hide() }) })
	return desk, w
}

// glLogin logs in through the login form.
func glLogin(t *testing.T, desk *ui.App, w fyne.Window, login, password, screenshot string) {
	t.Helper()
	waitFor(t, "login form", 10*time.Second, func() bool { return desk.Login() != nil })
	onUI(func() {
		desk.Login().User.SetText(login)
		desk.Login().Password.SetText(password)
	})
	if screenshot != "" {
		shot(t, w, screenshot)
	}
	onUI(func() { desk.Login().Button.OnTapped() })
	waitFor(t, login+" logged in", 20*time.Second, func() bool { return desk.Login() == nil && desk.Inbox != nil })
}

func TestClientLoginAndLockedDocument(t *testing.T) {
	needX(t)
	rig := apitest.Start(t, nil)
	rig.Operator("anna", "anna-Passwort", mailroom.RolePruefung, mailroom.RoleFreigabe)
	rig.Operator("bert", "bert-Passwort", mailroom.RolePruefung, mailroom.RoleFreigabe)
	docs := rig.Review(testcorpus.Path(t, "scans", "batch-visible.pdf"), 2, mailroom.Profile{Name: "eingang",
		Protection: mailroom.ProtectionNormal, Class: "Eingangspost"})
	anna, _ := client.New(client.Options{Server: rig.URL, CAFile: rig.CAFile})
	if _, err := anna.Login(t.Context(), "anna", "anna-Passwort"); err != nil {
		t.Fatal(err)
	}
	if _, err := anna.Hold(t.Context(), docs[0].ID); err != nil { // anna has the first document open at her desk
		t.Fatal(err)
	}
	m, err := client.New(client.Options{Server: rig.URL, CAFile: rig.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	desk, w := glDesk(t, m, nil)
	glLogin(t, desk, w, "bert", "bert-Passwort", "login.png")
	waitFor(t, "inbox", 20*time.Second, func() bool { return len(desk.Inbox.Rows()) == 2 })
	onUI(func() { desk.Doc.Open(docs[0].ID); desk.SelectTab(1) })
	waitFor(t, "lock shown", 20*time.Second, func() bool { return desk.Doc.LockedBy() == "anna" && desk.Doc.ThumbCount() == 11 })
	var label string
	onUI(func() { label = desk.Doc.Lock.Text })
	if label != "In Bearbeitung durch anna" {
		t.Fatalf("lock label %q", label)
	}
	shot(t, w, "gesperrt.png")
}

// TestClientOpen100Pages: time to the first preview of a 100-page document
// over the API on loopback (target 300 ms), and, in the same run on the
// same data, the embedded desk.
func TestClientOpen100Pages(t *testing.T) {
	needX(t)
	rig := apitest.Start(t, nil)
	rig.Operator("anna", "anna-Passwort", mailroom.RolePruefung, mailroom.RoleFreigabe)
	big := hundredPages(t)
	docs := rig.Review(big, 1, mailroom.Profile{Name: "eingang", Protection: mailroom.ProtectionNormal})
	if len(docs) != 1 || len(docs[0].Pages) != 100 {
		t.Fatalf("100-page document not in review: %d docs", len(docs))
	}
	open := func(name string, m ui.Model, login bool) (first, shown time.Duration, thumbs []time.Duration) {
		var tm timing
		desk, w := glDesk(t, m, &tm)
		if login {
			glLogin(t, desk, w, "anna", "anna-Passwort", "")
		}
		waitFor(t, name+" inbox", 20*time.Second, func() bool { return desk.Inbox != nil && len(desk.Inbox.Rows()) == 1 })
		onUI(func() { desk.Doc.Open(docs[0].ID); desk.SelectTab(1) })
		waitFor(t, name+" 100 thumbnails", 3*time.Minute, func() bool { return desk.Doc.ThumbCount() == 100 })
		th := tm.get("thumb")
		sort.Slice(th, func(i, j int) bool { return th[i] < th[j] })
		return tm.get("document")[0], tm.get("preview")[0], th
	}
	// The client first, with the API's renderer cold; then the embedded
	// desk with a renderer of its own (its preview cold too; its
	// thumbnails come from the disk cache the API's renderer filled).
	cDoc, cPrev, cThumbs := open("client", mustClient(t, rig), true)
	em := embedded.New(rig.Config, rig.Store(), rig.Engine(), rig.Engine().Opener)
	defer em.Renderer().Close()
	eDoc, ePrev, eThumbs := open("embedded", em, true)
	t.Logf("100-page document, first preview shown: over the API %s (document loaded %s; thumbnails 1st %s, 100th %s); "+
		"embedded, same run %s (document %s; thumbnails 1st %s, 100th %s)",
		cPrev.Round(time.Millisecond), cDoc.Round(time.Millisecond), cThumbs[0].Round(time.Millisecond), cThumbs[99].Round(time.Millisecond),
		ePrev.Round(time.Millisecond), eDoc.Round(time.Millisecond), eThumbs[0].Round(time.Millisecond), eThumbs[99].Round(time.Millisecond))
	if cPrev > time.Second {
		t.Fatalf("first preview over the API took %s (target 300 ms)", cPrev)
	}
}

func mustClient(t *testing.T, rig *apitest.Rig) *client.Model {
	t.Helper()
	m, err := client.New(client.Options{Server: rig.URL, CAFile: rig.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
