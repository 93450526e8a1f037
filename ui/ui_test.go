package ui_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/identity"
	"poststelle/mailroom/store"
	"poststelle/mailroom/testcorpus"
	"poststelle/scan/pages"
	"poststelle/ui"
	"poststelle/ui/embedded"
)

// pump queues the desk's UI updates; the test goroutine runs them, so
// widgets are only ever touched by one goroutine.
type pump struct {
	mu sync.Mutex
	fs []func()
}

func (p *pump) do(f func()) {
	p.mu.Lock()
	p.fs = append(p.fs, f)
	p.mu.Unlock()
}

func (p *pump) drain() {
	for {
		p.mu.Lock()
		fs := p.fs
		p.fs = nil
		p.mu.Unlock()
		if len(fs) == 0 {
			return
		}
		for _, f := range fs {
			f()
		}
	}
}

var uiPump = &pump{}

type env struct {
	st  *store.Store
	e   *engine.Engine
	m   *embedded.Model
	app *ui.App
	w   fyne.Window
}

// hash makes an argon2id operator hash (mailroom/identity).
func hash(pw string) string {
	h, err := identity.HashPassword(pw)
	if err != nil {
		panic(err)
	}
	return h
}

// newEnv makes a data directory with corpus files processed to review and
// the desk over it in a test window.
func newEnv(t *testing.T, ops []mailroom.OperatorConfig, files ...string) *env {
	t.Helper()
	test.NewTempApp(t)
	cfg, err := mailroom.Default(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Operators = ops
	st, err := store.Open(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	op := pages.NewOpener(pages.Options{})
	e := &engine.Engine{Config: cfg, Store: st, Opener: op, OneShot: true}
	ctx := context.Background()
	for _, f := range files {
		src := testcorpus.Path(t, strings.Split(f, "/")...)
		b, _, err := st.Intake(ctx, mailroom.Item{Source: "folder:eingang", Profile: mailroom.Profile{Name: "eingang",
			Protection: mailroom.ProtectionNormal, Class: "Eingangspost"}, Path: src, Name: filepath.Base(src)})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.ProcessBatch(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
	}
	m := embedded.New(cfg, st, e, op)
	t.Cleanup(m.Renderer().Close)
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1400, 900))
	a := ui.New(w, m, ui.Options{Refresh: time.Hour, Do: uiPump.do})
	t.Cleanup(a.Close)
	return &env{st, e, m, a, w}
}

// eventually waits for cond, driven by background goroutines.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		uiPump.drain()
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestLoginScreen(t *testing.T) {
	ev := newEnv(t, []mailroom.OperatorConfig{{Login: "anna", Name: "Anna Schmidt", PasswordHash: hash("geheim")}})
	ev.app.Start()
	lf := ev.app.Login()
	if lf == nil {
		t.Fatal("no login form")
	}
	test.Type(lf.User, "anna")
	test.Type(lf.Password, "falsch")
	test.Tap(lf.Button)
	eventually(t, "error text", func() bool { return strings.Contains(lf.Error.Text, "Anmeldung fehlgeschlagen") })
	if lf.Password.Text != "" {
		t.Fatal("password field not cleared after a failed login")
	}
	es, _ := ev.st.Journal(context.Background(), mailroom.JournalFilter{Action: "login-failed"})
	if len(es) != 1 {
		t.Fatalf("%d failed logins journaled", len(es))
	}
	test.Type(lf.Password, "geheim")
	test.Tap(lf.Button)
	eventually(t, "main screen", func() bool { return ev.app.Login() == nil && ev.app.Inbox != nil })
	if ev.app.Op.Person() != "anna" || !strings.Contains(ev.app.StatusText(), "Anna Schmidt") {
		t.Fatalf("operator %+v, status %q", ev.app.Op, ev.app.StatusText())
	}
}

func start(t *testing.T, ev *env) {
	t.Helper()
	ev.app.Start()
	eventually(t, "inbox", func() bool { return ev.app.Inbox != nil && len(ev.app.Inbox.Rows()) > 0 })
}

func TestInboxFilterSortAndOpen(t *testing.T) {
	ev := newEnv(t, nil, "ocrmypdf/multipage.pdf", "ocrmypdf/cardinal.pdf", "badpdf/bad1.pdf")
	start(t, ev)
	in := ev.app.Inbox
	if n := len(in.Rows()); n != 2 {
		t.Fatalf("%d rows in the inbox, want 2 (the bad file is quarantined)", n)
	}
	if !strings.Contains(in.Counts.Text, "Prüfung: 2") || !strings.Contains(in.Counts.Text, "Quarantäne: 1") {
		t.Fatalf("counts %q", in.Counts.Text)
	}
	test.Type(in.Filter, "cardinal")
	if len(in.Rows()) != 1 || in.Rows()[0].Filename != "cardinal.pdf" {
		t.Fatalf("filter: %+v", in.Rows())
	}
	in.Filter.SetText("")
	// The sort choice is shown in full, not cut to "Älteste zue…".
	// (Fyne's Select sizes itself by its placeholder: text, 4 inner paddings, the icon.)
	need := fyne.MeasureText("Älteste zuerst", theme.TextSize(), fyne.TextStyle{}).Width +
		4*theme.InnerPadding() + theme.IconInlineSize()
	if in.Sort.MinSize().Width < need {
		t.Fatalf("sort select %.0f wide, its longest option needs %.0f", in.Sort.MinSize().Width, need)
	}
	in.Sort.SetSelected("Seitenzahl")
	if in.Rows()[0].Pages != 6 {
		t.Fatalf("sorted by pages: first has %d", in.Rows()[0].Pages)
	}
	in.Table.Select(widget.TableCellID{Row: 0, Col: 1})
	if ev.app.Tab() != 1 {
		t.Fatalf("tab %d after opening", ev.app.Tab())
	}
	eventually(t, "document view", func() bool { v := ev.app.Doc.View(); return v != nil && len(v.Pages) == 6 })
	eventually(t, "all thumbnails", func() bool { return ev.app.Doc.ThumbCount() == 6 })
	eventually(t, "preview", func() bool { return ev.app.Doc.Preview.Image.Bounds().Dy() > 1000 })
	// Quarantine tab shows the bad file with its reason.
	ev.app.SelectTab(3)
	eventually(t, "quarantine", func() bool { return len(ev.app.Quar.Rows()) == 1 })
	if !strings.Contains(ev.app.Quar.Rows()[0].Reason, "PDF") {
		t.Fatalf("reason %q", ev.app.Quar.Rows()[0].Reason)
	}
}

func TestDocumentPagesMetadataShortcuts(t *testing.T) {
	ev := newEnv(t, nil, "ocrmypdf/multipage.pdf")
	start(t, ev)
	a := ev.app
	id := a.Inbox.Rows()[0].ID
	a.Doc.Open(id)
	a.SelectTab(1)
	eventually(t, "document", func() bool { return a.Doc.View() != nil })
	// Keyboard: Alt+→ next page.
	sc := ev.w.Canvas().(fyne.Shortcutable)
	sc.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyRight, Modifier: fyne.KeyModifierAlt})
	if a.Doc.Current() != 1 {
		t.Fatalf("Alt+→: page %d", a.Doc.Current())
	}
	// Rotate the second page with the button.
	test.Tap(a.Doc.Buttons["rotate.right"])
	eventually(t, "rotation", func() bool { v := a.Doc.View(); return v != nil && v.Pages[1].Rotation == 90 })
	if !a.Doc.View().Changed() || !a.Doc.Changed.Visible() {
		t.Fatal("page change not shown")
	}
	// Delete it (Strg+Entf) and restore it.
	sc.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyDelete, Modifier: fyne.KeyModifierControl})
	eventually(t, "delete", func() bool { v := a.Doc.View(); return v != nil && len(v.Pages) == 5 })
	if !a.Doc.Restore.Visible() || len(a.Doc.Restore.Options) != 1 {
		t.Fatal("restore choice not offered")
	}
	a.Doc.Restore.SetSelectedIndex(0)
	eventually(t, "restore", func() bool { v := a.Doc.View(); return v != nil && len(v.Pages) == 6 })
	// Required fields: subject and sender are empty.
	f := a.Doc.Fields
	if f["date_received"].Text == "" || f["document_type"].Text != "Eingangspost" {
		t.Fatalf("proposals not filled: date %q type %q", f["date_received"].Text, f["document_type"].Text)
	}
	test.Tap(a.Doc.Save)
	if !strings.Contains(a.Doc.Hint.Text, "Pflichtfeld fehlt: Absender") {
		t.Fatalf("validation: %q", a.Doc.Hint.Text)
	}
	test.Type(f["department"], "63")
	test.Type(f["sender"], "Stadtwerke Musterstadt")
	test.Type(f["subject"], "Jahresabrechnung")
	f["date_received"].SetText("31.02.2026")
	test.Tap(a.Doc.Save)
	if !strings.Contains(a.Doc.Hint.Text, "TT.MM.JJJJ") {
		t.Fatalf("bad date accepted: %q", a.Doc.Hint.Text)
	}
	f["date_received"].SetText("03.11.2026")
	// Strg+S saves.
	sc.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierControl})
	eventually(t, "metadata saved", func() bool {
		d, _ := ev.st.Document(context.Background(), id)
		return d.Metadata["sender"] == "Stadtwerke Musterstadt"
	})
	d, _ := ev.st.Document(context.Background(), id)
	if d.Metadata["date_received"] != "2026-11-03" || d.Metadata["department"] != "63" || d.Metadata["subject"] != "Jahresabrechnung" {
		t.Fatalf("metadata %v", d.Metadata)
	}
	// Split before page 3 (Strg+T) makes a second document in the inbox.
	a.Doc.GoPage(2)
	sc.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyT, Modifier: fyne.KeyModifierControl})
	eventually(t, "split", func() bool { v := a.Doc.View(); return v != nil && len(v.Pages) == 2 })
	eventually(t, "two documents", func() bool { return len(a.Inbox.Rows()) == 2 })
	// The shortcut list names every shortcut.
	if len(a.Shortcuts()) < 20 || a.Shortcuts()[0].Keys(ui.German) != "Strg+1" {
		t.Fatalf("shortcuts %d, first %q", len(a.Shortcuts()), a.Shortcuts()[0].Keys(ui.German))
	}
	// Zoom.
	z := a.Doc.ZoomFactor()
	sc.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyEqual, Modifier: fyne.KeyModifierControl})
	if a.Doc.ZoomFactor() <= z {
		t.Fatal("zoom in did nothing")
	}
}

func TestQAApproveRejectAndEnglish(t *testing.T) {
	ev := newEnv(t, nil, "ocrmypdf/multipage.pdf", "ocrmypdf/cardinal.pdf")
	start(t, ev)
	a := ev.app
	rows := a.Inbox.Rows()
	a.Doc.Open(rows[0].ID)
	eventually(t, "document", func() bool { return a.Doc.View() != nil })
	a.SelectTab(2)
	q := a.QA
	test.Tap(q.Complete)
	test.Tap(q.Legible)
	test.Tap(q.Matches)
	test.Type(q.Expected, "5") // wrong count: refused
	test.Tap(q.SaveBtn)
	if !strings.Contains(a.LastError(), "weicht von 6") {
		t.Fatalf("page-count mismatch not refused: %q", a.LastError())
	}
	q.Expected.SetText("6")
	test.Tap(q.Copy)
	test.Tap(q.SaveBtn)
	eventually(t, "QA recorded", func() bool { return strings.Contains(q.Result.Text, "bestanden") })
	d, _ := ev.st.Document(context.Background(), rows[0].ID)
	qa := mailroom.QAOf(d)
	if qa == nil || !qa.Passed() || qa.ExpectedPages != 6 || qa.Person == "" || len(qa.Anomalies) != 1 || qa.Anomalies[0] != "copy" {
		t.Fatalf("qa %+v", qa)
	}
	// Strg+Enter approves; the next document opens.
	ev.w.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierControl})
	eventually(t, "approved", func() bool {
		d, _ := ev.st.Document(context.Background(), rows[0].ID)
		return d.State == mailroom.StateApproved
	})
	eventually(t, "next document", func() bool { v := a.Doc.View(); return v != nil && v.ID == rows[1].ID })
	a.QA.RejectWith("Falsches Postfach")
	eventually(t, "rejected", func() bool {
		d, _ := ev.st.Document(context.Background(), rows[1].ID)
		return d.State == mailroom.StateRejected && d.Reason == "Falsches Postfach"
	})
	// Journal shows the decisions; filter narrows.
	a.SelectTab(4)
	eventually(t, "journal", func() bool { return len(a.Journal.Entries()) > 5 })
	a.Journal.Filter.SetText("Falsches Postfach")
	eventually(t, "journal filter", func() bool {
		es := a.Journal.Entries()
		return len(es) == 1 && es[0].Action == "reject"
	})
	// English.
	a.SetLang(ui.English)
	if a.Inbox.Filter.PlaceHolder != "Filter (source, file, class, flag) …" {
		t.Fatalf("English placeholder %q", a.Inbox.Filter.PlaceHolder)
	}
}

// A quarantine row shows the reason in the desk's language; the detail in
// parentheses stays. Reasons not in the "German / English" form pass through.
func TestReasonInDeskLanguage(t *testing.T) {
	r := mailroom.BadInput("Seite 1 konnte nicht verarbeitet werden", "page 1 could not be processed",
		errors.New("decode")).(*mailroom.InputError).Reason()
	if got, want := ui.German.Reason(r), "Seite 1 konnte nicht verarbeitet werden (decode)"; got != want {
		t.Errorf("German: %q, want %q", got, want)
	}
	if got, want := ui.English.Reason(r), "page 1 could not be processed (decode)"; got != want {
		t.Errorf("English: %q, want %q", got, want)
	}
	plain := mailroom.BadInput("PDF enthält keine Seiten", "PDF has no pages", nil).(*mailroom.InputError).Reason()
	if got := ui.German.Reason(plain); got != "PDF enthält keine Seiten" {
		t.Errorf("German without detail: %q", got)
	}
	if got := ui.German.Reason("delivery failed: 503"); got != "delivery failed: 503" {
		t.Errorf("other reason changed: %q", got)
	}
}

// A long actor is clipped so the document column stays in place.
func TestJournalLineColumns(t *testing.T) {
	at := time.Date(2026, 11, 29, 11, 16, 28, 0, time.UTC)
	short := ui.Line(mailroom.JournalEntry{Seq: 1, Time: at, Action: "intake", Actor: "folder:eingang", DocumentID: "2be52d0a-09d7", Detail: "{}"})
	long := ui.Line(mailroom.JournalEntry{Seq: 1, Time: at, Action: "intake", Actor: "folder:eingang#b51d5147c9a3", DocumentID: "2be52d0a-09d7", Detail: "{}"})
	col := func(s string) int { return utf8.RuneCountInString(s[:max(strings.Index(s, "2be52d0a"), 0)]) }
	if i, j := col(short), col(long); i != j || j == 0 {
		t.Fatalf("document column moved (%d vs %d):\n%s\n%s", i, j, short, long)
	}
	if !strings.Contains(long, "…") {
		t.Fatalf("clipped actor not marked: %s", long)
	}
}

// Page counts read as German: "1 Seite", not "1 Seiten".
func TestPageCountWording(t *testing.T) {
	for _, c := range []struct {
		l    ui.Lang
		n    int
		want string
	}{{ui.German, 1, "1 Seite"}, {ui.German, 11, "11 Seiten"}, {ui.English, 1, "1 page"}, {ui.English, 2, "2 pages"}} {
		if got := c.l.Pages(c.n); got != c.want {
			t.Errorf("%s %d: %q, want %q", c.l, c.n, got, c.want)
		}
	}
}
