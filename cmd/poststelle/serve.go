package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

func init() {
	register("serve", "run the engine: watch folders and mailboxes, process, deliver", runServe)
}

func runServe(ctx context.Context, args []string) error {
	fs, cf := commandFlags("serve")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, st, log, err := cf.openForEngine()
	if err != nil {
		return err
	}
	defer st.Close()
	exitAfterShutdown(ctx, cfg)
	if n, err := st.Recover(ctx, "engine"); err != nil {
		return fmt.Errorf("recovery: %w", err)
	} else if n > 0 {
		log.Info("recovered unfinished work", "documents", n)
	}
	for _, f := range cfg.Folders {
		os.MkdirAll(cfg.Resolve(f.Path), 0o770)
	}
	m := newMetrics()
	e, err := buildEngine(&wiring{Cfg: cfg, Store: st, Log: log, Serve: true})
	if err != nil {
		return err
	}
	e.Hooks = m.hooks()
	if cfg.HTTP.Listen != "" {
		ln, err := net.Listen("tcp", cfg.HTTP.Listen)
		if err != nil {
			return fmt.Errorf("http.listen %s: %w", cfg.HTTP.Listen, err)
		}
		srv := &http.Server{Handler: httpHandler(cfg, st, m), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		log.Info("http listening", "addr", ln.Addr().String())
	}
	closeAPI, err := startAPI(ctx, cfg, st, e, log)
	if err != nil {
		return err
	}
	defer closeAPI()
	st.Append(ctx, "engine", "start", "", "", map[string]any{"version": version, "config": cfg.Path(), "data_dir": cfg.DataDir})
	log.Info("poststelle started", "version", version, "data_dir", cfg.DataDir, "config", orDefault(cfg.Path()), "folders", len(cfg.Folders))
	err = e.Run(ctx)
	st.Append(context.Background(), "engine", "stop", "", "", nil)
	log.Info("poststelle stopped")
	return err
}

func orDefault(p string) string {
	if p == "" {
		return "(embedded default)"
	}
	return p
}
