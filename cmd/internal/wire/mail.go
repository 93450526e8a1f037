package wire

import (
	"fmt"
	"os"

	"poststelle/mailroom"
	"poststelle/mailroom/einvoice"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/inbox"
	"poststelle/mailroom/signature"
)

// The electronic mailbox: IMAP / De-Mail sources (serve only), MIME
// unpacking of .eml batches, the mail rendition, e-invoice recognition and
// signature checks (every mode, so `process x.eml` and hot folders work too).
func init() {
	register("25-mail", wireMail)
}

func wireMail(w *Wiring, e *engine.Engine) error {
	mc := w.Cfg.Mail
	v, err := signature.NewVerifier(w.Cfg.Resolve(mc.TrustCAFile))
	if err != nil {
		return fmt.Errorf("mail.trust_ca_file: %w", err)
	}
	parts := mailroom.Layout{Root: w.Cfg.DataDir}.Work("mail-parts")
	if err := os.MkdirAll(parts, 0o750); err != nil {
		return err
	}
	lim := inbox.Limits(mc.Limits)
	e.Expanders = append(e.Expanders, &inbox.Expander{Mode: mc.Mode, MaxAttachment: mc.MaxAttachment, Verifier: v,
		TempDir: parts, Log: w.Log.With("component", "mail"), Limits: lim})
	e.Classifiers = append(e.Classifiers, &inbox.Classifier{Verifier: v, Limits: lim}, &signature.Classifier{Verifier: v})
	if mc.EInvoice.Enabled {
		e.Classifiers = append(e.Classifiers, &einvoice.Classifier{Routes: mc.EInvoice.Routes})
	}
	if !w.Serve || w.without(Sources) {
		return nil
	}
	for _, a := range mc.Accounts {
		src, err := MailSource(w.Cfg, a, w.Store)
		if err != nil {
			return err
		}
		src.Log = w.Log.With("source", src.Name())
		src.TempDir = parts
		e.Sources = append(e.Sources, src)
	}
	return nil
}

// MailSource makes the IMAP source of one account (st may be nil for checks).
func MailSource(cfg *mailroom.Config, a mailroom.MailAccount, st inbox.State) (*inbox.IMAPSource, error) {
	pw, err := mailroom.Secret(cfg.Resolve(a.PasswordFile), a.PasswordEnv)
	if err != nil {
		return nil, fmt.Errorf("mail account %s: password: %w", a.Name, err)
	}
	a.CAFile = cfg.Resolve(a.CAFile)
	if a.Profile.ScannedBy == "" {
		a.Profile.ScannedBy = mailroom.ScannedByMail // nobody scanned it (four eyes)
	}
	return &inbox.IMAPSource{Account: a, Password: pw, State: st, MaxMessage: cfg.Mail.MaxMessage,
		Reconnect: cfg.Mail.Reconnect.Duration}, nil
}
