// Command poststelle-desk is the verification desk: the Fyne app where the
// mailroom staff review documents, correct pages, check quality and
// approve. It runs the engine embedded, with the same configuration as
// `poststelle serve`, or works as a client of an engine's HTTPS API
// (--server; several desks on one engine) (docs/desk.md).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"poststelle/cmd/internal/cli"
	"poststelle/mailroom/store"
	"poststelle/ocr"
	"poststelle/scan/pages"
	"poststelle/ui"
	"poststelle/ui/client"
	"poststelle/ui/embedded"
)

var version = "dev"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "poststelle-desk:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("poststelle-desk", flag.ContinueOnError)
	var cf cli.ConfigFlags
	cf.Add(fs)
	lang := fs.String("lang", "de", "language of the desk: de or en")
	engine := fs.String("engine", "run", "run: the embedded engine watches folders, recognises and delivers; "+
		"off: only review (when `poststelle serve` runs on the same data directory)")
	noOCR := fs.Bool("no-ocr", false, "run the embedded engine without OCR (page images only)")
	server := fs.String("server", "", "client mode: the engine's API, https://HOST:PORT (docs/desk.md); no local data directory")
	ca := fs.String("ca", "", "client mode: PEM file of the certificate(s) to trust for --server (e.g. the engine's <data_dir>/tls/cert.pem)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *server != "" {
		m, err := client.New(client.Options{Server: *server, CAFile: *ca})
		if err != nil {
			return err
		}
		runDesk(m, *lang)
		return nil
	}
	if *engine == "run" && !*noOCR {
		ocr.SingleThreaded() // re-executes with OMP_THREAD_LIMIT=1 (tesseract single-threaded)
	}
	cfg, err := cf.Load()
	if err != nil {
		return err
	}
	st, err := store.Open(cfg.DataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("component", "desk")
	run := *engine == "run"
	e, err := buildEngine(cfg, st, log, Parts{Sources: run, Recognition: run && !*noOCR, Outbox: run})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if run {
		if err := startEngine(ctx, cfg, st, e); err != nil {
			return err
		}
	}
	m := embedded.New(cfg, st, e, pages.NewOpener(pages.Options{MaxPixels: cfg.Recognition.MaxPixels}))
	defer m.Renderer().Close()
	runDesk(m, *lang)
	cancel()
	if run {
		st.Append(context.Background(), "desk", "stop", "", "", nil)
	}
	return nil
}

// runDesk shows the desk over m until its window is closed.
func runDesk(m ui.Model, lang string) {
	a := app.NewWithID("de.poststelle.desk")
	w := a.NewWindow("Poststelle")
	w.Resize(fyne.NewSize(1400, 900))
	desk := ui.New(w, m, ui.Options{Lang: ui.Lang(lang)})
	desk.Start()
	w.ShowAndRun()
	desk.Close()
}
