package main

import (
	"context"
	"fmt"
	"time"

	"poststelle/cmd/internal/wire"
	"poststelle/mailroom"
	"poststelle/mailroom/rendition"
)

func init() {
	doctorChecks["25-mail"] = mailChecks
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
			src, err := wire.MailSource(cfg, a, nil)
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
