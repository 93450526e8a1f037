//go:build !windows

package main

import (
	"context"
	"fmt"

	"poststelle/cmd/internal/cli"
)

// On Linux the engine runs as the systemd unit poststelle.service that the
// .deb installs (packaging/deb/poststelle.service); `service` only says so.
// The Windows counterpart is service_windows.go.
func init() {
	register("service", "Windows service management (on Linux: systemctl … poststelle)", func(ctx context.Context, args []string) error {
		return &cli.ExitError{Code: 2, Msg: fmt.Sprint("'poststelle service' manages the Windows service. Unter Linux läuft der Dienst unter systemd / on Linux use systemd:\n",
			"  systemctl status poststelle    journalctl -u poststelle    systemctl restart poststelle")}
	})
}
