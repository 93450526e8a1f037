package targets

import (
	"fmt"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/dms"
	"poststelle/mailroom/dms/cmis"
	"poststelle/mailroom/dms/folder"
	"poststelle/mailroom/dms/paperless"
	"poststelle/mailroom/dms/webdav"
)

// Open makes the exporter of one configured target, wrapped with rate
// limit, quick retries and (if obs is not nil) metrics.
func Open(cfg *mailroom.Config, t mailroom.TargetConfig, obs dms.Observer) (mailroom.Exporter, error) {
	exp, err := Raw(cfg, t)
	if err != nil {
		return nil, err
	}
	exp = dms.WithObserver(exp, obs)
	exp = dms.WithRateLimit(exp, t.RateLimit)
	if t.Retries > 0 {
		exp = dms.WithRetry(exp, dms.RetryPolicy{Retries: t.Retries, Base: time.Second, Max: 30 * time.Second})
	}
	return exp, nil
}

// OpenAll opens every configured target.
func OpenAll(cfg *mailroom.Config, obs dms.Observer) ([]mailroom.Exporter, error) {
	var out []mailroom.Exporter
	for _, t := range cfg.Targets {
		exp, err := Open(cfg, t, obs)
		if err != nil {
			return nil, fmt.Errorf("target %s: %w", t.Name, err)
		}
		out = append(out, exp)
	}
	return out, nil
}

// Raw makes the bare connector of one configured target.
func Raw(cfg *mailroom.Config, t mailroom.TargetConfig) (mailroom.Exporter, error) {
	timeout := t.Timeout.Duration
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	switch t.Type {
	case "folder":
		return &folder.Exporter{Target: t.Name, Dir: cfg.Resolve(t.Path), Mapping: t.Mapping}, nil
	case "webdav":
		pw, err := secret(cfg, t.PasswordFile, t.PasswordEnv)
		if err != nil {
			return nil, err
		}
		return &webdav.Client{Target: t.Name, URL: t.URL, Folder: t.Folder, User: t.User, Password: pw, Mapping: t.Mapping,
			Timeout: timeout, HTTP: dms.HTTPClient(timeout, t.Insecure)}, nil
	case "cmis":
		pw, err := secret(cfg, t.PasswordFile, t.PasswordEnv)
		if err != nil {
			return nil, err
		}
		return &cmis.Client{Target: t.Name, URL: t.URL, Repository: t.Repository, Folder: t.Folder, User: t.User, Password: pw,
			ObjectType: t.ObjectType, Mapping: t.Mapping, Timeout: timeout, HTTP: dms.HTTPClient(timeout, t.Insecure)}, nil
	case "paperless":
		tok, err := secret(cfg, t.TokenFile, t.TokenEnv)
		if err != nil {
			return nil, err
		}
		return &paperless.Client{Target: t.Name, URL: t.URL, Token: tok, Mapping: t.Mapping, Timeout: timeout,
			HTTP: dms.HTTPClient(timeout, t.Insecure)}, nil
	}
	return nil, fmt.Errorf("target type %q is not supported", t.Type)
}

func secret(cfg *mailroom.Config, file, env string) (string, error) {
	v, err := mailroom.Secret(cfg.Resolve(file), env)
	if err != nil {
		return "", fmt.Errorf("credentials: %w", err)
	}
	return v, nil
}
