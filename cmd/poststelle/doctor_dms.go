package main

import (
	"context"

	"poststelle/mailroom"
	"poststelle/mailroom/dms"
	"poststelle/mailroom/dms/targets"
)

func init() {
	doctorChecks["50-targets"] = func(cfg *mailroom.Config) []check {
		var out []check
		for _, t := range cfg.Targets {
			t := t
			out = append(out, check{"target " + t.Name, func(ctx context.Context, cfg *mailroom.Config) (string, error) {
				exp, err := targets.Raw(cfg, t)
				if err != nil {
					return "", err
				}
				return dms.Check(ctx, exp)
			}})
		}
		return out
	}
}
