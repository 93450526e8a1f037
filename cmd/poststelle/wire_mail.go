package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/einvoice"
	"poststelle/mailroom/inbox"
	"poststelle/mailroom/rendition"
	"poststelle/mailroom/signature"
)

// The electronic mailbox: IMAP / De-Mail sources (serve only), MIME
// unpacking of .eml batches, the mail rendition, e-invoice recognition and
// signature checks (every mode, so `process x.eml` and hot folders work too).
func init() {
	wirers["25-mail"] = wireMail
	doctorChecks["25-mail"] = mailChecks
}

func wireMail(w *wiring, e *mailroom.Engine) error {
	mc := w.cfg.Mail
	v, err := signature.NewVerifier(w.cfg.Resolve(mc.TrustCAFile))
	if err != nil {
		return fmt.Errorf("mail.trust_ca_file: %w", err)
	}
	parts := filepath.Join(w.cfg.DataDir, "work", "mail-parts")
	if err := os.MkdirAll(parts, 0o750); err != nil {
		return err
	}
	e.Expanders = append(e.Expanders, &inbox.Expander{Mode: mc.Mode, MaxAttachment: mc.MaxAttachment, Verifier: v,
		TempDir: parts, Log: w.log.With("component", "mail")})
	e.Classifiers = append(e.Classifiers, &inbox.Classifier{Verifier: v}, &signature.Classifier{Verifier: v})
	if mc.EInvoice.Enabled {
		e.Classifiers = append(e.Classifiers, &einvoice.Classifier{Routes: mc.EInvoice.Routes})
	}
	if !w.serve {
		return nil
	}
	for _, a := range mc.Accounts {
		src, err := mailSource(w.cfg, a, w.store)
		if err != nil {
			return err
		}
		src.Log = w.log.With("source", src.Name())
		src.TempDir = parts
		e.Sources = append(e.Sources, src)
	}
	return nil
}

func mailSource(cfg *mailroom.Config, a mailroom.MailAccount, st inbox.State) (*inbox.IMAPSource, error) {
	pw, err := mailroom.Secret(cfg.Resolve(a.PasswordFile), a.PasswordEnv)
	if err != nil {
		return nil, fmt.Errorf("mail account %s: password: %w", a.Name, err)
	}
	a.CAFile = cfg.Resolve(a.CAFile)
	return &inbox.IMAPSource{Account: a, Password: pw, State: st, MaxMessage: cfg.Mail.MaxMessage,
		Reconnect: cfg.Mail.Reconnect.Duration}, nil
}

func mailChecks(cfg *mailroom.Config) []check {
	checks := []check{{name: "rendition font (fonts-dejavu-core)", run: func(ctx context.Context, cfg *mailroom.Config) (string, error) {
		if !rendition.FontAvailable() {
			return "", fmt.Errorf("%s missing: install fonts-dejavu-core (renditions fall back to a Latin-1 core font)", rendition.FontPath)
		}
		return rendition.FontPath, nil
	}}}
	for _, a := range cfg.Mail.Accounts {
		a := a
		checks = append(checks, check{name: "mailbox " + a.Name, run: func(ctx context.Context, cfg *mailroom.Config) (string, error) {
			src, err := mailSource(cfg, a, nil)
			if err != nil {
				return "", err
			}
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			return src.Check(ctx)
		}})
	}
	return checks
}
