//go:build windows

package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"

	"poststelle/cmd/internal/cli"
	"poststelle/mailroom"
	"poststelle/mailroom/safefile"
	_ "poststelle/packaging/winlink" // go-fitz's Windows MuPDF with Debian's mingw-w64
)

// serviceName is the Windows service the MSI registers (and `service install`).
const serviceName = "Poststelle"

// init makes `poststelle serve` a Windows service when the Service Control
// Manager started it: the MSI registers `poststelle.exe serve --config …` as
// the service's command line, so the service runs exactly what `serve` runs
// on a console. It wraps the serve command registered by serve.go, whose init
// runs before this one (the go tool initialises a package's files in file-name
// order, and "serve.go" < "service_windows.go").
func init() {
	register("service", "Windows service: install, remove, start, stop, status, recovery", runServiceCmd)
	c, ok := program.Commands["serve"]
	if !ok {
		return
	}
	inner := c.Run
	program.Commands["serve"] = cli.Command{Summary: c.Summary, Run: func(ctx context.Context, args []string) error {
		isService, err := svc.IsWindowsService()
		if err != nil || !isService {
			return inner(ctx, args)
		}
		return runAsService(inner, args)
	}}
}

// runAsService runs serve under the Service Control Manager. Without a
// console, stderr (the JSON log, and a crash's stack trace) goes to
// %ProgramData%\Poststelle\log\poststelle.log.
func runAsService(serve func(context.Context, []string) error, args []string) error {
	if f, err := openServiceLog(); err == nil {
		os.Stderr = f
		windows.SetStdHandle(windows.STD_ERROR_HANDLE, windows.Handle(f.Fd()))
		defer f.Close()
	}
	if err := ensureConfig(configArg(args)); err != nil {
		fmt.Fprintln(os.Stderr, "poststelle: default configuration:", err)
	}
	h := &serviceHandler{serve: serve, args: args}
	if err := svc.Run(serviceName, h); err != nil {
		return fmt.Errorf("service: %w", err)
	}
	return h.err
}

// configArg is the value of --config (or -config) in args.
func configArg(args []string) string {
	for i, a := range args {
		for _, f := range []string{"--config", "-config"} {
			if a == f && i+1 < len(args) {
				return args[i+1]
			}
			if v, ok := strings.CutPrefix(a, f+"="); ok {
				return v
			}
		}
	}
	return ""
}

// ensureConfig writes the commented default configuration to path when no
// file is there yet, with data_dir = "data" (relative to the configuration's
// folder: %ProgramData%\Poststelle\data). The MSI does not own this file, so
// an administrator's changes survive upgrades and uninstalls.
func ensureConfig(path string) error {
	if path == "" {
		return nil
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	body := regexp.MustCompile(`(?m)^data_dir = .*$`).ReplaceAll(mailroom.DefaultTOML(), []byte(`data_dir = "data"`))
	hdr := "# Poststelle configuration, written by the Windows service on its first start.\r\n" +
		"# Your changes are kept on upgrades. After a change: Restart-Service Poststelle\r\n\r\n"
	body = bytes.ReplaceAll(body, []byte("\n"), []byte("\r\n"))
	return safefile.Write(path, append([]byte(hdr), body...), 0o640)
}

// openServiceLog opens the service log for appending; a log larger than
// 20 MiB is renamed to poststelle.log.1 first (one old generation is kept).
func openServiceLog() (*os.File, error) {
	base := os.Getenv("ProgramData")
	if base == "" {
		base = `C:\ProgramData`
	}
	dir := filepath.Join(base, "Poststelle", "log")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, "poststelle.log")
	if fi, err := os.Stat(p); err == nil && fi.Size() > 20<<20 {
		os.Remove(p + ".1")
		os.Rename(p, p+".1")
	}
	return os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
}

type serviceHandler struct {
	serve func(context.Context, []string) error
	args  []string
	err   error
}

// Execute is called by svc.Run on its own goroutine. Stop and Shutdown cancel
// the engine's context; the engine finishes its current step and returns.
func (h *serviceHandler) Execute(_ []string, req <-chan svc.ChangeRequest, st chan<- svc.Status) (bool, uint32) {
	st <- svc.Status{State: svc.StartPending}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- h.serve(ctx, h.args) }()
	st <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for {
		select {
		case err := <-done:
			return h.finish(err, st)
		case c := <-req:
			switch c.Cmd {
			case svc.Interrogate:
				st <- c.CurrentStatus
			case svc.Stop, svc.Shutdown:
				st <- svc.Status{State: svc.StopPending, WaitHint: 90_000}
				cancel()
				return h.finish(<-done, st)
			}
		}
	}
}

func (h *serviceHandler) finish(err error, st chan<- svc.Status) (bool, uint32) {
	st <- svc.Status{State: svc.StopPending}
	if err != nil && !errors.Is(err, context.Canceled) {
		h.err = err
		fmt.Fprintln(os.Stderr, "poststelle:", err)
		return true, 1 // service-specific exit code: the recovery actions restart it
	}
	return false, 0
}

// runServiceCmd manages the service without the MSI (the MSI does the same).
func runServiceCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("service", flag.ContinueOnError)
	config := fs.String("config", defaultWindowsConfig(), "configuration file the service uses (install)")
	setUsage(fs, "usage: poststelle service install|remove|start|stop|status|recovery [--config FILE]\n")
	if len(args) == 0 {
		fs.Usage()
		return &cli.ExitError{Code: 2}
	}
	action := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("service manager (Administratorrechte nötig / administrator rights needed): %w", err)
	}
	defer m.Disconnect()
	if action == "install" {
		return installService(m, *config)
	}
	act, ok := serviceActions[action]
	if !ok {
		fs.Usage()
		return &cli.ExitError{Code: 2}
	}
	s, err := m.OpenService(serviceName)
	if err != nil {
		return err
	}
	defer s.Close()
	return act(ctx, s)
}

// serviceActions are the actions on the registered service.
var serviceActions = map[string]func(ctx context.Context, s *mgr.Service) error{
	"recovery": func(_ context.Context, s *mgr.Service) error { return setRecovery(s) }, // run by the MSI after it registered the service
	"remove":   func(_ context.Context, s *mgr.Service) error { return s.Delete() },
	"start":    func(_ context.Context, s *mgr.Service) error { return s.Start() },
	"stop":     stopService,
	"status":   printServiceStatus,
}

// installService registers this executable as the service running
// `serve --config config`, writing the default configuration first when
// there is none, and sets the recovery actions.
func installService(m *mgr.Mgr, config string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	if err := ensureConfig(config); err != nil {
		return err
	}
	s, err := m.CreateService(serviceName, exe, mgr.Config{
		DisplayName:      "Poststelle",
		Description:      "Poststelle – zentrale Posteingangsstelle: Eingangsordner, Postfächer, Verarbeitung, Übergabe an das DMS",
		StartType:        mgr.StartAutomatic,
		DelayedAutoStart: true,
	}, "serve", "--config", config)
	if err != nil {
		return err
	}
	defer s.Close()
	return setRecovery(s)
}

// stopService asks the service to stop and waits until it has stopped.
func stopService(ctx context.Context, s *mgr.Service) error {
	status, err := s.Control(svc.Stop)
	for err == nil && status.State != svc.Stopped && ctx.Err() == nil {
		time.Sleep(500 * time.Millisecond)
		status, err = s.Query()
	}
	return err
}

func printServiceStatus(_ context.Context, s *mgr.Service) error {
	status, err := s.Query()
	if err != nil {
		return err
	}
	fmt.Println(serviceStateName(status.State))
	return nil
}

// setRecovery restarts the service 5 s, 30 s and 2 min after a failure.
func setRecovery(s *mgr.Service) error {
	return s.SetRecoveryActions([]mgr.RecoveryAction{
		{Type: mgr.ServiceRestart, Delay: 5 * time.Second},
		{Type: mgr.ServiceRestart, Delay: 30 * time.Second},
		{Type: mgr.ServiceRestart, Delay: 2 * time.Minute},
	}, 24*60*60)
}

func defaultWindowsConfig() string {
	base := os.Getenv("ProgramData")
	if base == "" {
		base = `C:\ProgramData`
	}
	return filepath.Join(base, "Poststelle", "poststelle.toml")
}

func serviceStateName(s svc.State) string {
	names := map[svc.State]string{svc.Stopped: "stopped", svc.StartPending: "start pending", svc.StopPending: "stop pending",
		svc.Running: "running", svc.ContinuePending: "continue pending", svc.PausePending: "pause pending", svc.Paused: "paused"}
	if n, ok := names[s]; ok {
		return n
	}
	return strings.TrimSpace(fmt.Sprint(uint32(s)))
}
