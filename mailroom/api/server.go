// Package api is the engine's HTTPS API under /api/v1 (docs/api.md): JSON
// for desks in client mode (ui/client) and scan stations. Handlers are thin:
// they authenticate the bearer token (mailroom/identity), decode the
// request and call mailroom/desk and the engine with the acting person, who
// checks roles, versions and desk leases. The JSON types are
// mailroom/api/apiv1. The read-only health and metrics listener stays
// separate (cmd/poststelle).
package api

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/api/apiv1"
	"poststelle/mailroom/desk"
	"poststelle/mailroom/identity"
)

// Server serves the API.
type Server struct {
	Config   *mailroom.Config
	Desk     *desk.Service
	Identity *identity.Service
	// Version of the program (GET /api/v1/info).
	Version string
	Log     *slog.Logger
}

func (s *Server) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Handler returns the API's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	p := apiv1.Prefix
	mux.HandleFunc("POST "+p+"/login", s.login)
	mux.HandleFunc("POST "+p+"/logout", s.authed(s.logout))
	mux.HandleFunc("GET "+p+"/session", s.authed(s.session))
	mux.HandleFunc("GET "+p+"/info", s.authed(s.info))
	mux.HandleFunc("GET "+p+"/counts", s.authed(s.counts))
	mux.HandleFunc("GET "+p+"/documents", s.authed(s.documents))
	mux.HandleFunc("GET "+p+"/documents/{id}", s.authed(s.document))
	mux.HandleFunc("GET "+p+"/documents/{id}/pages/{page}/image", s.authed(s.pageImage))
	mux.HandleFunc("POST "+p+"/documents/{id}/lease", s.authed(s.hold))
	mux.HandleFunc("DELETE "+p+"/documents/{id}/lease", s.authed(s.leave))
	mux.HandleFunc("POST "+p+"/documents/{id}/{action}", s.authed(s.change))
	mux.HandleFunc("GET "+p+"/journal", s.authed(s.journal))
	mux.HandleFunc("POST "+p+"/import", s.authed(s.importFile))
	mux.HandleFunc(p+"/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, apiv1.Error{Code: apiv1.CodeNotFound, DE: "Unbekannter Pfad", EN: "unknown path"})
	})
	return mux
}

// Serve serves the API over TLS on ln until ctx ends, then shuts down
// (requests under way get 5 s to finish).
func (s *Server) Serve(ctx context.Context, ln net.Listener, cert tls.Certificate) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ErrorLog:  slog.NewLogLogger(s.log().Handler(), slog.LevelWarn)}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			srv.Shutdown(sctx)
			cancel()
		case <-done:
		}
	}()
	err := srv.ServeTLS(ln, "", "")
	close(done)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
