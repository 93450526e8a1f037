package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"poststelle/cmd/internal/cli"
	"poststelle/cmd/internal/wire"
	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/evidence/evidencetest"
	"poststelle/mailroom/store"
	"poststelle/mailroom/testcorpus"
)

// The verify command exits 0 on untouched material and 1 after one flipped
// byte, through the wiring `serve` and `process` use.
func TestVerifyCommandExitCodes(t *testing.T) {
	ctx := context.Background()
	pki := evidencetest.NewPKI(t)
	dir := t.TempDir()
	cfg, err := mailroom.Default(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Evidence.SealP12 = pki.SealP12
	t.Setenv("TEST_SEAL_PW", evidencetest.Password)
	cfg.Evidence.SealPasswordEnv = "TEST_SEAL_PW"
	cfg.Evidence.QASampleRate = 0
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := &engine.Engine{Config: cfg, Store: st, OneShot: true}
	w := &wiring{Cfg: cfg, Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: version}
	if err := wire.WireEvidence(w, e); err != nil {
		t.Fatal(err)
	}
	src := testcorpus.Path(t, "ocrmypdf", "linn.pdf")
	b, _, err := st.Intake(ctx, mailroom.Item{Source: "cli", Profile: mailroom.Profile{Name: "cli", Protection: mailroom.ProtectionHoch}, Path: src, Name: "linn.pdf"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.ProcessBatch(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	docs, _ := st.Documents(ctx, mailroom.DocFilter{BatchID: b.ID})
	out := filepath.Join(dir, "out", docs[0].ID)
	data, _ := os.ReadFile(src)
	os.WriteFile(filepath.Join(out, "document.pdf"), data, 0o640)
	everyone := func(login string) mailroom.Actor {
		return mailroom.Actor{Principal: mailroom.Principal{Login: login, Roles: mailroom.Roles()}, Via: mailroom.ViaCLI}
	}
	ref := mailroom.Ref{ID: docs[0].ID}
	if _, err := e.Approve(ctx, everyone("Anna Amt"), ref); !errors.Is(err, mailroom.ErrNotAllowed) {
		t.Fatalf("hoch without QA approved: %v", err)
	}
	if _, err := e.RecordQA(ctx, everyone("Petra"), ref, mailroom.QAResult{Complete: true, Legible: true, Matches: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Approve(ctx, everyone("Anna Amt"), ref); err != nil {
		t.Fatal(err)
	}
	st.Close()
	devnull, _ := os.Open(os.DevNull)
	stdout := os.Stdout
	os.Stdout = devnull
	defer func() { os.Stdout = stdout }()
	if err := runVerify(ctx, []string{"--trust", pki.CAFile, out}); err != nil {
		t.Fatalf("untouched: %v", err)
	}
	pdf := filepath.Join(out, mailroom.FileDocument)
	sealed, _ := os.ReadFile(pdf)
	sealed[len(sealed)/2] ^= 1
	os.WriteFile(pdf, sealed, 0o640)
	var ee *cli.ExitError
	if err := runVerify(ctx, []string{"--json", pdf}); !errors.As(err, &ee) || ee.Code != 1 {
		t.Fatalf("tampered: want exit 1, got %v", err)
	}
}
