package main

import (
	"context"
	"fmt"

	"poststelle/mailroom"
	"poststelle/mailroom/api"
	"poststelle/mailroom/identity"
	"poststelle/mailroom/store"
)

func init() {
	doctorChecks["80-api"] = func(cfg *mailroom.Config) []check {
		if !cfg.API.Enabled() {
			return nil
		}
		return []check{{"api", checkAPI}}
	}
}

// checkAPI reports the API's certificate (made at the first start of
// serve if it is to be generated) and whether anybody can log in.
func checkAPI(ctx context.Context, cfg *mailroom.Config) (string, error) {
	fp, file, err := api.Fingerprint(cfg)
	if err != nil {
		return "", err
	}
	_, _, generated := api.CertPaths(cfg)
	if fp == "" && !generated {
		return "", fmt.Errorf("api.cert_file %s does not exist", file)
	}
	st, err := store.Open(cfg.DataDir)
	if err != nil {
		return "", err
	}
	defer st.Close()
	id, err := identity.New(cfg, st, nil)
	if err != nil {
		return "", err
	}
	if need, err := id.PasswordRequired(ctx); err != nil {
		return "", err
	} else if !need {
		return "", fmt.Errorf("%s: no operators configured, nobody can log in (poststelle operator add NAME --role …)", cfg.API.Listen)
	}
	if fp == "" {
		return fmt.Sprintf("%s; certificate made at the first start of serve: %s", cfg.API.Listen, file), nil
	}
	return fmt.Sprintf("%s; certificate %s SHA-256 %s", cfg.API.Listen, file, fp), nil
}
