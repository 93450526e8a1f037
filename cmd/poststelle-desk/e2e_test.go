package main

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/safefile"
	"poststelle/mailroom/store"
	"poststelle/mailroom/testcorpus"
	"poststelle/scan/pages"
	"poststelle/ui"
	"poststelle/ui/embedded"
)

// The end-to-end tests run the desk with the real (GLFW/OpenGL) Fyne
// driver on an Xvfb display that TestMain starts on a free display number.
// Fyne's event loop must own the main goroutine, so TestMain runs it and
// the tests run beside it, touching widgets only through fyne.DoAndWait.

var (
	updateShots = flag.Bool("update-screenshots", false, "write the screenshots to docs/screenshots/")
	withOCR     = os.Getenv("POSTSTELLE_E2E_OCR") != ""
	glApp       fyne.App
	xvfbErr     error
	fbFile      string // Xvfb's screen as an XWD file (-fbdir)
)

func TestMain(m *testing.M) {
	flag.Parse()
	stop, err := startXvfb()
	if err != nil {
		xvfbErr = err
		os.Exit(m.Run())
	}
	os.Setenv("FYNE_THEME", "light")
	glApp = app.NewWithID("de.poststelle.desk.test")
	code := 0
	go func() {
		code = m.Run()
		fyne.Do(glApp.Quit)
	}()
	glApp.Run()
	stop()
	os.Exit(code)
}

// startXvfb starts Xvfb on the first free display from :71 and sets DISPLAY.
func startXvfb() (func(), error) {
	bin, err := exec.LookPath("Xvfb")
	if err != nil {
		return nil, fmt.Errorf("Xvfb not installed (Debian package xvfb)")
	}
	for n := 71; n < 200; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); err == nil {
			continue
		}
		sock := fmt.Sprintf("/tmp/.X11-unix/X%d", n)
		if _, err := os.Stat(sock); err == nil {
			continue
		}
		fbdir, err := os.MkdirTemp("", "poststelle-xvfb-")
		if err != nil {
			return nil, err
		}
		fbFile = filepath.Join(fbdir, "Xvfb_screen0")
		cmd := exec.Command(bin, fmt.Sprintf(":%d", n), "-screen", "0", "1440x960x24", "-nolisten", "tcp", "-fbdir", fbdir)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		for i := 0; i < 100; i++ {
			if _, err := os.Stat(sock); err == nil {
				os.Setenv("DISPLAY", fmt.Sprintf(":%d", n))
				return func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait(); os.RemoveAll(fbdir) }, nil
			}
			time.Sleep(50 * time.Millisecond)
		}
		cmd.Process.Kill()
		cmd.Wait()
		os.RemoveAll(fbdir)
	}
	return nil, fmt.Errorf("no free X display")
}

func needX(t *testing.T) {
	t.Helper()
	if glApp == nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("end-to-end test needs Xvfb: %v", xvfbErr)
		}
		t.Skipf("end-to-end test skipped: %v", xvfbErr)
	}
}

// openDesk shows the desk over m in a new 1400×900 window, refreshing
// every refresh and recording its timings in tm; closeDesk closes it.
func openDesk(m ui.Model, refresh time.Duration, tm *timing) (desk *ui.App, w fyne.Window, closeDesk func()) {
	onUI(func() {
		w = glApp.NewWindow("Poststelle")
		w.Resize(fyne.NewSize(1400, 900))
		desk = ui.New(w, m, ui.Options{Refresh: refresh, Timing: tm.record})
		desk.Start()
		w.Show()
	})
	return desk, w, func() { onUI(func() { desk.Close(); w.Hide() }) }
}

// ui runs f on the UI goroutine and waits.
func onUI(f func()) { fyne.DoAndWait(f) }

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < timeout {
		ok := false
		onUI(func() { ok = cond() })
		if ok {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", timeout, what)
	return 0
}

// shot captures the window into name (docs/screenshots with
// -update-screenshots, else a temp dir) and checks it is not blank.
func shot(t *testing.T, w fyne.Window, name string) {
	t.Helper()
	time.Sleep(300 * time.Millisecond) // let the last frame paint
	// The GL driver's Canvas.Capture reads the front buffer, which Mesa's
	// software GLX on Xvfb does not give back; read Xvfb's frame buffer.
	var size fyne.Size
	var scale float32
	onUI(func() { size = w.Canvas().Size(); scale = w.Canvas().Scale() })
	img, err := readXWD(fbFile, int(size.Width*scale), int(size.Height*scale))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if img == nil || img.Bounds().Dx() < 800 {
		t.Fatalf("%s: capture failed", name)
	}
	colors := map[uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colors[r>>12<<8|g>>12<<4|bl>>12] = true
		}
	}
	if len(colors) < 8 {
		t.Fatalf("%s: screenshot looks blank (%d colours)", name, len(colors))
	}
	dir := t.TempDir()
	if *updateShots {
		dir = filepath.Join("..", "..", "docs", "screenshots")
		os.MkdirAll(dir, 0o755)
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s (%dx%d)", filepath.Join(dir, name), b.Dx(), b.Dy())
}

type timing struct {
	mu     sync.Mutex
	events map[string][]time.Duration
}

func (tm *timing) record(ev string, _ int, d time.Duration) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	if tm.events == nil {
		tm.events = map[string][]time.Duration{}
	}
	tm.events[ev] = append(tm.events[ev], d)
}

func (tm *timing) get(ev string) []time.Duration {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return append([]time.Duration{}, tm.events[ev]...)
}

func (tm *timing) reset() {
	tm.mu.Lock()
	tm.events = nil
	tm.mu.Unlock()
}

// TestEndToEndBatchVisible is the "done when": batch-visible.pdf is
// dropped into the hot folder of a running engine, the desk shows it with
// thumbnails, the clerk splits it in two, turns a page, fills the metadata,
// passes the quality check and approves both documents.
func TestEndToEndBatchVisible(t *testing.T) {
	needX(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg, err := mailroom.Default(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e, err := buildEngine(cfg, st, log, Parts{Sources: true, Recognition: withOCR, Outbox: true})
	if err != nil {
		t.Fatal(err)
	}
	engineDone := make(chan struct{})
	go func() { e.Run(ctx); close(engineDone) }()
	defer func() { cancel(); <-engineDone }()
	m := embedded.New(cfg, st, e, pages.NewOpener(pages.Options{}))
	defer m.Renderer().Close()

	// Drop the batch into the hot folder.
	inbox := cfg.Resolve(cfg.Folders[0].Path)
	os.MkdirAll(inbox, 0o770)
	data, err := os.ReadFile(testcorpus.Path(t, "scans", "batch-visible.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	dropped := time.Now()
	if err := safefile.Write(filepath.Join(inbox, "batch-visible.pdf"), data, 0o640); err != nil {
		t.Fatal(err)
	}

	var tm timing
	desk, w, closeDesk := openDesk(m, time.Second, &tm)
	defer closeDesk()

	// The document reaches review; the desk lists it.
	var reviewAt time.Time
	for deadline := time.Now().Add(4 * time.Minute); reviewAt.IsZero(); {
		if time.Now().After(deadline) {
			t.Fatal("batch did not reach review")
		}
		docs, _ := st.Documents(ctx, mailroom.DocFilter{States: []mailroom.State{mailroom.StateReview}})
		if len(docs) == 1 {
			reviewAt = time.Now()
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("hot folder → review: %s (OCR: %v)", reviewAt.Sub(dropped).Round(time.Millisecond), withOCR)
	listed := waitFor(t, "inbox row", 20*time.Second, func() bool { return desk.Inbox != nil && len(desk.Inbox.Rows()) == 1 })
	var row ui.DocRow
	onUI(func() { row = desk.Inbox.Rows()[0] })
	if row.Pages != 11 || row.Filename != "batch-visible.pdf" {
		t.Fatalf("inbox row %+v", row)
	}
	shot(t, w, "eingang.png")

	// Open it: preview and all thumbnails.
	tm.reset()
	opened := time.Now()
	onUI(func() { desk.Inbox.Table.Select(widget.TableCellID{Row: 0, Col: 1}) })
	waitFor(t, "preview", 10*time.Second, func() bool { return len(tm.get("preview")) > 0 })
	waitFor(t, "11 thumbnails", 30*time.Second, func() bool { return desk.Doc.ThumbCount() == 11 })
	t.Logf("review → listed in the desk: %s; open → first preview %s; open → 11 thumbnails %s",
		listed.Round(time.Millisecond), tm.get("preview")[0].Round(time.Millisecond),
		time.Since(opened).Round(time.Millisecond))
	id := row.ID

	// Fill the metadata of the whole batch first (the tail inherits it).
	onUI(func() {
		f := desk.Doc.Fields
		f["department"].SetText("20 – Kämmerei")
		f["sender"].SetText("Lieferant GmbH")
		f["subject"].SetText("Rechnungen Oktober")
		f["aktenzeichen"].SetText("20.1-0815/2026")
	})
	onUI(desk.Doc.SaveMetadata)
	waitFor(t, "metadata saved", 10*time.Second, func() bool {
		d, _ := st.Document(ctx, id)
		return d.Metadata["sender"] == "Lieferant GmbH"
	})
	// Turn page 2 and split before page 3 (invoice 1 = pages 1–2).
	onUI(func() { desk.Doc.GoPage(1); desk.Doc.Rotate(180) })
	waitFor(t, "rotation", 10*time.Second, func() bool { v := desk.Doc.View(); return v != nil && v.Pages[1].Rotation == 180 })
	waitFor(t, "rotated preview", 10*time.Second, func() bool { return desk.Doc.Current() == 1 })
	shot(t, w, "dokument.png")
	onUI(func() { desk.Doc.GoPage(2); desk.Doc.SplitHere() })
	waitFor(t, "split", 10*time.Second, func() bool { v := desk.Doc.View(); return v != nil && len(v.Pages) == 2 })
	docs, _ := st.Documents(ctx, mailroom.DocFilter{BatchID: reviewBatch(t, st, id)})
	if len(docs) != 2 {
		t.Fatalf("%d documents after the split", len(docs))
	}
	tail := docs[1].ID
	if len(docs[1].Pages) != 9 || docs[1].Metadata["sender"] != "Lieferant GmbH" {
		t.Fatalf("tail %v %v", docs[1].Pages, docs[1].Metadata)
	}

	// Each document: subject, apply the page changes (PDF re-made), QA, approve.
	for i, doc := range []string{id, tail} {
		subject := []string{"Rechnung EN16931 Einfach", "Rechnungen Gutschrift, Miete, XRechnung"}[i]
		onUI(func() { desk.Doc.Open(doc); desk.SelectTab(1) })
		waitFor(t, "document "+doc, 10*time.Second, func() bool { v := desk.Doc.View(); return v != nil && v.ID == doc })
		onUI(func() { desk.Doc.Fields["subject"].SetText(subject); desk.Doc.SaveMetadata() })
		waitFor(t, "subject saved", 10*time.Second, func() bool { d, _ := st.Document(ctx, doc); return d.Metadata["subject"] == subject })
		onUI(desk.Doc.ApplyPages)
		waitFor(t, "PDF re-made", 4*time.Minute, func() bool {
			d, _ := st.Document(ctx, doc)
			return d.State == mailroom.StateReview && !d.HasFlag(mailroom.FlagPagesChanged)
		})
		waitFor(t, "desk reloads", 10*time.Second, func() bool {
			v := desk.Doc.View()
			return v != nil && v.ID == doc && v.State == mailroom.StateReview && !v.Changed()
		})
		n := 0
		onUI(func() {
			n = len(desk.Doc.View().Pages)
			desk.SelectTab(2)
			q := desk.QA
			q.Complete.SetChecked(true)
			q.Legible.SetChecked(true)
			q.Matches.SetChecked(true)
			q.Expected.SetText(fmt.Sprint(n))
		})
		if i == 1 {
			shot(t, w, "pruefung.png")
		}
		onUI(desk.QA.Save)
		waitFor(t, "QA recorded", 10*time.Second, func() bool { d, _ := st.Document(ctx, doc); return mailroom.QAOf(d) != nil })
		onUI(desk.QA.Approve)
		waitFor(t, "approved", 30*time.Second, func() bool {
			d, _ := st.Document(ctx, doc)
			return d.State == mailroom.StateApproved || d.State == mailroom.StateExporting || d.State == mailroom.StateExported
		})
		if desk.LastError() != "" {
			t.Fatalf("desk showed an error: %s", desk.LastError())
		}
	}
	for _, doc := range []string{id, tail} {
		d, _ := st.Document(ctx, doc)
		qa := mailroom.QAOf(d)
		if qa == nil || !qa.Passed() || qa.ExpectedPages != len(d.Pages) || d.Metadata[mailroom.MetaApprovedBy] == "" {
			t.Fatalf("%s: qa %+v approved_by %q", doc, qa, d.Metadata[mailroom.MetaApprovedBy])
		}
		t.Logf("document %s: %s, pages %v, rotations %v, subject %q", doc, d.State, d.Pages, mailroom.Rotations(d), d.Metadata["subject"])
	}
	es, _ := st.Journal(ctx, mailroom.JournalFilter{Action: "page-op"})
	ops := map[string]int{}
	for _, e := range es {
		for _, op := range []string{"rotate", "split", "apply"} {
			if strings.Contains(e.Detail, `"op":"`+op+`"`) {
				ops[op]++
			}
		}
	}
	if ops["rotate"] != 1 || ops["split"] != 2 || ops["apply"] != 2 {
		t.Fatalf("page-op journal %v", ops)
	}
	if _, err := st.VerifyChain(ctx); err != nil {
		t.Fatal(err)
	}
	// Delivery (the outbox runs in the embedded engine): wait briefly and report.
	time.Sleep(3 * time.Second)
	for _, doc := range []string{id, tail} {
		d, _ := st.Document(ctx, doc)
		t.Logf("document %s after 3 s: %s", doc, d.State)
	}
}

func reviewBatch(t *testing.T, st *store.Store, id string) string {
	d, err := st.Document(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d.BatchID
}

// TestOpen100Pages measures opening a 100-page document at the desk: time
// to the first page preview and how the thumbnail strip fills.
func TestOpen100Pages(t *testing.T) {
	needX(t)
	big := hundredPages(t)
	ctx := context.Background()
	cfg, _ := mailroom.Default(t.TempDir())
	st, err := store.Open(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	op := pages.NewOpener(pages.Options{})
	e := &engine.Engine{Config: cfg, Store: st, Opener: op, OneShot: true}
	b, _, err := st.Intake(ctx, mailroom.Item{Source: "folder:eingang", Profile: mailroom.Profile{Name: "eingang"}, Path: big, Name: "hundert.pdf"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.ProcessBatch(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	docs, _ := st.Documents(ctx, mailroom.DocFilter{BatchID: b.ID})
	if len(docs) != 1 || len(docs[0].Pages) != 100 {
		t.Fatalf("100-page document not in review: %d docs", len(docs))
	}
	m := embedded.New(cfg, st, e, op)
	defer m.Renderer().Close()
	var tm timing
	desk, _, closeDesk := openDesk(m, time.Hour, &tm)
	defer closeDesk()
	waitFor(t, "inbox", 10*time.Second, func() bool { return desk.Inbox != nil && len(desk.Inbox.Rows()) == 1 })
	onUI(func() { desk.Doc.Open(docs[0].ID); desk.SelectTab(1) })
	waitFor(t, "100 thumbnails", 2*time.Minute, func() bool { return desk.Doc.ThumbCount() == 100 })
	prev := tm.get("preview")
	th := tm.get("thumb")
	sort.Slice(th, func(i, j int) bool { return th[i] < th[j] })
	if len(prev) == 0 || len(th) != 100 {
		t.Fatalf("preview %v, %d thumbnails", prev, len(th))
	}
	t.Logf("100-page document (cold caches): document loaded after %s, first preview rendered after %s, shown after %s; thumbnails 1st %s, 10th %s, 50th %s, 100th %s",
		tm.get("document")[0].Round(time.Millisecond), tm.get("preview-rendered")[0].Round(time.Millisecond), prev[0].Round(time.Millisecond), th[0].Round(time.Millisecond), th[9].Round(time.Millisecond),
		th[49].Round(time.Millisecond), th[99].Round(time.Millisecond))
	// Progressive: the first thumbnail is shown well before the last one
	// (not all at once at the end). A ratio, not absolute times: the CI
	// machine may be loaded.
	if th[0]*2 > th[99] {
		t.Fatalf("thumbnails not progressive: first %s, last %s", th[0], th[99])
	}
	if prev[0] > time.Second {
		t.Fatalf("first preview took %s (target 300 ms)", prev[0])
	}
	// Reopen: thumbnails come from the caches.
	tm.reset()
	onUI(func() { desk.Doc.Open(docs[0].ID) })
	waitFor(t, "preview again", 10*time.Second, func() bool { return len(tm.get("preview")) > 0 })
	t.Logf("reopened (warm caches): first preview after %s", tm.get("preview")[0].Round(time.Millisecond))
}

// readXWD reads the top-left w×h pixels of an XWD screen dump (ZPixmap,
// 32 bits per pixel, as Xvfb -fbdir writes it for depth 24).
func readXWD(path string, w, h int) (image.Image, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) < 100 {
		return nil, fmt.Errorf("xwd: short file")
	}
	u := func(i int) int { return int(binary.BigEndian.Uint32(data[4*i:])) }
	hdr, format, width, height := u(0), u(2), u(4), u(5)
	byteOrder, bpp, bpl, ncolors := u(7), u(11), u(12), u(19)
	if format != 2 || bpp != 32 {
		return nil, fmt.Errorf("xwd: format %d, %d bits per pixel not supported", format, bpp)
	}
	off := hdr + 12*ncolors
	if w > width {
		w = width
	}
	if h > height {
		h = height
	}
	if off+bpl*h > len(data) {
		return nil, fmt.Errorf("xwd: truncated")
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		row := data[off+y*bpl:]
		for x := 0; x < w; x++ {
			p := row[4*x : 4*x+4]
			var r, g, b byte
			if byteOrder == 0 { // LSBFirst: B G R X
				b, g, r = p[0], p[1], p[2]
			} else {
				r, g, b = p[1], p[2], p[3]
			}
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = r, g, b, 0xff
		}
	}
	return img, nil
}
