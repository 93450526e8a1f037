// Package apitest runs a real engine with its HTTPS API for tests: a SQLite
// store in a temp dir, the engine (no OCR), operators in the operator
// table, the API on a free loopback port with the certificate generated as
// at a first start. The engine can be stopped and started again on the
// same port and data directory, as a restart of `poststelle serve` does.
package apitest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/api"
	"poststelle/mailroom/desk"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/identity"
	"poststelle/mailroom/store"
	"poststelle/scan/pages"
)

// Rig is an engine with its API.
type Rig struct {
	t      *testing.T
	Config *mailroom.Config
	// URL is the API's base, "https://127.0.0.1:PORT"; CAFile the
	// generated certificate (what desks get with --ca).
	URL    string
	CAFile string
	addr   string

	mu     sync.Mutex
	store  *store.Store
	engine *engine.Engine
	desk   *desk.Service
	cancel context.CancelFunc
	done   chan struct{}
}

// Start starts the engine and its API. setup, if not nil, changes the
// configuration first (folders, [evidence]).
func Start(t *testing.T, setup func(cfg *mailroom.Config)) *Rig {
	t.Helper()
	cfg, err := mailroom.Default(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg.API.Listen = "127.0.0.1:0"
	cfg.Evidence.QASampleRate = 0
	if setup != nil {
		setup(cfg)
	}
	r := &Rig{t: t, Config: cfg, addr: "127.0.0.1:0"}
	r.open()
	r.serve()
	t.Cleanup(func() {
		r.Stop()
		r.Store().Close()
		r.desk.Renderer().Close()
	})
	return r
}

// open opens the store and builds the engine.
func (r *Rig) open() {
	st, err := store.Open(r.Config.DataDir)
	if err != nil {
		r.t.Fatal(err)
	}
	op := pages.NewOpener(pages.Options{})
	e := &engine.Engine{Config: r.Config, Store: st, Opener: op, OneShot: true,
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Policy: &evidence.Policy{SampleRate: r.Config.Evidence.QASampleRate, ThreePersons: r.Config.Evidence.SehrHochPersons == 3}}
	r.mu.Lock()
	r.store, r.engine, r.desk = st, e, desk.New(r.Config, st, e, op)
	r.mu.Unlock()
}

// serve starts the API on r.addr (the same port after a restart).
func (r *Rig) serve() {
	id, err := identity.New(r.Config, r.Store(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		r.t.Fatal(err)
	}
	cert, _, err := api.LoadCertificate(r.Config)
	if err != nil {
		r.t.Fatal(err)
	}
	var ln net.Listener
	for i := 0; ; i++ {
		if ln, err = net.Listen("tcp", r.addr); err == nil || i == 50 {
			break
		}
		time.Sleep(100 * time.Millisecond) // the old listener's port is being freed
	}
	if err != nil {
		r.t.Fatal(err)
	}
	r.addr = ln.Addr().String()
	r.URL = "https://" + r.addr
	r.CAFile, _, _ = api.CertPaths(r.Config)
	srv := &api.Server{Config: r.Config, Desk: r.Desk(), Identity: id, Version: "test",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln, cert); close(done) }()
	r.mu.Lock()
	r.cancel, r.done = cancel, done
	r.mu.Unlock()
}

// Stop stops the API (the engine is down: connections are refused).
func (r *Rig) Stop() {
	r.mu.Lock()
	cancel, done := r.cancel, r.done
	r.cancel = nil
	r.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// Restart stops the engine, closes and reopens the store and starts the
// engine and API again on the same port; sessions live in the store.
func (r *Rig) Restart() {
	r.Stop()
	r.Store().Close()
	r.desk.Renderer().Close()
	r.open()
	r.serve()
}

// Store is the engine's store (a new one after Restart).
func (r *Rig) Store() *store.Store {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.store
}

// Engine is the engine (a new one after Restart).
func (r *Rig) Engine() *engine.Engine {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.engine
}

// Desk is the desk service the API serves.
func (r *Rig) Desk() *desk.Service {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.desk
}

// Operator adds an operator to the operator table.
func (r *Rig) Operator(login, password string, roles ...mailroom.Role) {
	r.t.Helper()
	h, err := identity.HashPassword(password)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.Store().AddOperator(context.Background(), store.Operator{Login: login, Name: login, PasswordHash: h, Roles: roles}, "test"); err != nil {
		r.t.Fatal(err)
	}
}

// Client is an HTTP client that trusts the generated certificate.
func (r *Rig) Client() *http.Client {
	r.t.Helper()
	pem, err := os.ReadFile(r.CAFile)
	if err != nil {
		r.t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// Review takes n copies of the corpus file src in (each one distinct, as
// separate scans), with profile prof, and runs them to review. It returns
// the documents.
func (r *Rig) Review(src string, n int, prof mailroom.Profile) []*mailroom.Document {
	r.t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		r.t.Fatal(err)
	}
	ctx := context.Background()
	dir := r.t.TempDir()
	var out []*mailroom.Document
	for i := 0; i < n; i++ {
		p := filepath.Join(dir, filepath.Base(src))
		// A comment after %%EOF makes each copy a scan of its own.
		if err := os.WriteFile(p, append(append([]byte{}, data...), []byte("\n% copy "+strconv.Itoa(i)+"\n")...), 0o640); err != nil {
			r.t.Fatal(err)
		}
		b, _, err := r.Store().Intake(ctx, engine.WithScannedBy(mailroom.Item{Source: "folder:" + prof.Name, Profile: prof, Path: p,
			Name: strconv.Itoa(i+1) + "-" + filepath.Base(src)}, ""))
		if err != nil && !errors.Is(err, mailroom.ErrDuplicate) {
			r.t.Fatal(err)
		}
		out = append(out, r.Process(b.ID)...)
	}
	return out
}

// Process runs a batch through the pipeline and returns its documents.
func (r *Rig) Process(batchID string) []*mailroom.Document {
	r.t.Helper()
	ctx := context.Background()
	if err := r.Engine().ProcessBatch(ctx, batchID); err != nil {
		r.t.Fatal(err)
	}
	docs, err := r.Store().Documents(ctx, mailroom.DocFilter{BatchID: batchID})
	if err != nil {
		r.t.Fatal(err)
	}
	return docs
}
