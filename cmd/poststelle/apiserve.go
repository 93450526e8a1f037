package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"poststelle/mailroom"
	"poststelle/mailroom/api"
	"poststelle/mailroom/desk"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/identity"
	"poststelle/mailroom/store"
	"poststelle/scan/pages"
)

// startAPI starts the HTTPS API of [api] (docs/api.md) when it is
// configured: the listener is opened at once (a busy port stops serve), the
// certificate loaded or made, and the session sweep runs with the engine.
// It returns a function that closes the page renderer.
func startAPI(ctx context.Context, cfg *mailroom.Config, st *store.Store, e *engine.Engine, log *slog.Logger) (func(), error) {
	if !cfg.API.Enabled() {
		return func() {}, nil
	}
	id, err := identity.New(cfg, st, log)
	if err != nil {
		return nil, err
	}
	cert, fp, err := api.LoadCertificate(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.API.Listen)
	if err != nil {
		return nil, fmt.Errorf("api.listen %s: %w", cfg.API.Listen, err)
	}
	if need, _ := id.PasswordRequired(ctx); !need {
		log.Warn("api: no operators configured, nobody can log in (poststelle operator add NAME --role …)")
	}
	opener := e.Opener
	if opener == nil {
		opener = pages.NewOpener(pages.Options{MaxPixels: cfg.Recognition.MaxPixels})
	}
	d := desk.New(cfg, st, e, opener)
	srv := &api.Server{Config: cfg, Desk: d, Identity: id, Version: version, Log: log.With("component", "api")}
	e.Runners = append(e.Runners, mailroom.RunnerFunc{N: "sessions", F: id.Run})
	go func() {
		if err := srv.Serve(ctx, ln, cert); err != nil {
			log.Error("api stopped", "err", err)
		}
	}()
	certFile, _, _ := api.CertPaths(cfg)
	log.Info("api listening", "addr", ln.Addr().String(), "cert", certFile, "sha256", fp)
	return d.Renderer().Close, nil
}
