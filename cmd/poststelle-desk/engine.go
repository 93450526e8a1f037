package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"poststelle/barcode"
	"poststelle/mailroom"
	"poststelle/mailroom/dms/outbox"
	"poststelle/mailroom/dms/targets"
	"poststelle/mailroom/einvoice"
	"poststelle/mailroom/evidence"
	"poststelle/mailroom/inbox"
	"poststelle/mailroom/proposal"
	"poststelle/mailroom/signature"
	"poststelle/mailroom/store"
	"poststelle/ocr"
	"poststelle/scan"
)

// Parts selects the engine capabilities of the embedded engine.
type Parts struct {
	Sources     bool // watched folders (as `poststelle serve`)
	Recognition bool // OCR and PDF/A (tesseract)
	Outbox      bool // delivery to the DMS targets
}

// buildEngine wires the embedded engine from the same parts and the same
// configuration as `poststelle serve` (cmd/poststelle/wire_*.go).
//
// This mirrors the wirers of cmd/poststelle, which live in package main
// and cannot be imported; see docs/desk.md for the proposed shared wiring
// package that would replace this file.
func buildEngine(cfg *mailroom.Config, st *store.Store, log *slog.Logger, p Parts) (*mailroom.Engine, error) {
	e := &mailroom.Engine{Config: cfg, Store: st, Log: log}
	rc := cfg.Recognition
	e.Opener = scan.NewOpener(scan.Options{DPI: rc.DPI, MaxPixels: rc.MaxPixels})
	if p.Sources {
		for _, f := range cfg.Folders {
			os.MkdirAll(cfg.Resolve(f.Path), 0o770)
			e.Sources = append(e.Sources, &scan.HotFolder{
				Dir: cfg.Resolve(f.Path), Profile: f.Profile, AfterIntake: f.AfterIntake, Poll: f.Poll,
				StableDelay: cfg.Intake.StableDelay.Duration, PollInterval: cfg.Intake.PollInterval.Duration,
				RescanInterval: cfg.Intake.RescanInterval.Duration, Log: log.With("source", "folder:"+f.Name),
			})
		}
	}
	if p.Recognition {
		pool, err := ocr.New(ocr.Options{Languages: rc.Languages, Workers: rc.Workers, NoOSD: !rc.AutoRotate})
		if err != nil {
			return nil, fmt.Errorf("recognition: %w", err)
		}
		var orient scan.Orienter
		if rc.AutoRotate {
			orient = pool
		}
		e.Recognition = scan.NewRecognition(scan.RecognitionOptions{Config: rc, Recognizer: pool, Orienter: orient,
			Workers: pool.Workers(), Log: log.With("component", "recognition")})
	}
	if cfg.Separators.Enabled {
		rules, err := barcode.NewRules(cfg.Separators)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		e.Detector = barcode.New(barcode.Options{})
		e.Rules = rules
	}
	// Mail unpacking, e-invoices, signatures and text proposals, as in
	// cmd/poststelle/wire_mail.go and wire_proposal.go (sources stay with serve).
	mc := cfg.Mail
	v, err := signature.NewVerifier(cfg.Resolve(mc.TrustCAFile))
	if err != nil {
		return nil, fmt.Errorf("mail.trust_ca_file: %w", err)
	}
	parts := filepath.Join(cfg.DataDir, "work", "mail-parts")
	if err := os.MkdirAll(parts, 0o750); err != nil {
		return nil, err
	}
	e.Expanders = append(e.Expanders, &inbox.Expander{Mode: mc.Mode, MaxAttachment: mc.MaxAttachment, Verifier: v,
		TempDir: parts, Log: log.With("component", "mail")})
	e.Classifiers = append(e.Classifiers, &inbox.Classifier{Verifier: v}, &signature.Classifier{Verifier: v})
	if mc.EInvoice.Enabled {
		e.Classifiers = append(e.Classifiers, &einvoice.Classifier{Routes: mc.EInvoice.Routes})
	}
	e.Proposers = append(e.Proposers, proposal.Text{})
	var sealer evidence.Sealer
	if f := cfg.Evidence.SealP12; f != "" {
		pw, err := mailroom.Secret(cfg.Resolve(cfg.Evidence.SealPasswordFile), cfg.Evidence.SealPasswordEnv)
		if err != nil {
			return nil, fmt.Errorf("evidence.seal_password: %w", err)
		}
		s, err := evidence.LoadPKCS12(cfg.Resolve(f), pw)
		if err != nil {
			return nil, fmt.Errorf("evidence.seal_p12: %w", err)
		}
		s.Location = cfg.Instance
		sealer = s
	}
	var tsa *evidence.TSAClient
	if cfg.Evidence.TSA != "" {
		tsa = &evidence.TSAClient{URL: cfg.Evidence.TSA}
	}
	e.Policy = &evidence.Policy{SampleRate: cfg.Evidence.QASampleRate}
	e.Finisher = &evidence.Finisher{Config: cfg, Store: st, Records: st, Sealer: sealer, TSA: tsa, Version: version}
	if p.Outbox {
		exps, err := targets.OpenAll(cfg, nil)
		if err != nil {
			return nil, err
		}
		e.Runners = append(e.Runners, &outbox.Outbox{Store: st, Targets: exps, Config: cfg.Outbox, Log: log.With("component", "outbox")})
	}
	return e, nil
}
