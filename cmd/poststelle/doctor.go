package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"poststelle/cmd/internal/cli"
	"poststelle/mailroom"
	"poststelle/mailroom/store"
)

func init() {
	register("doctor", "check configuration, folders, disk, tesseract, mailboxes and targets", runDoctor)
}

// check is one doctor check: it returns a short result or an error.
type check struct {
	name string
	run  func(ctx context.Context, cfg *mailroom.Config) (string, error)
}

// doctorChecks lets capabilities add checks (mailboxes, DMS targets) in their own files.
var doctorChecks = map[string]func(cfg *mailroom.Config) []check{}

func runDoctor(ctx context.Context, args []string) error {
	fs, cf := commandFlags("doctor")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := cf.Load()
	if err != nil {
		fmt.Printf("FEHLER config: %v\n", err)
		return &cli.ExitError{Code: 1, Msg: "configuration invalid"}
	}
	checks := []check{
		{"config", func(context.Context, *mailroom.Config) (string, error) {
			return "valid (" + orDefault(cfg.Path()) + ")", nil
		}},
		{"data_dir", func(context.Context, *mailroom.Config) (string, error) { return writable(cfg.DataDir) }},
		{"disk", func(context.Context, *mailroom.Config) (string, error) { return diskFree(cfg.DataDir) }},
		{"store", func(ctx context.Context, _ *mailroom.Config) (string, error) {
			st, err := store.Open(cfg.DataDir)
			if err != nil {
				return "", err
			}
			defer st.Close()
			r, err := st.IntegrityCheck(ctx)
			if err != nil || r != "ok" {
				return "", fmt.Errorf("integrity_check: %s %v", r, err)
			}
			n, err := st.VerifyChain(ctx)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("integrity ok, journal chain ok (%d entries)", n), nil
		}},
		{"tesseract", func(ctx context.Context, _ *mailroom.Config) (string, error) {
			return tesseractLangs(ctx, cfg.Recognition.Languages)
		}},
	}
	for _, f := range cfg.Folders {
		f := f
		checks = append(checks, check{"folder " + f.Name, func(context.Context, *mailroom.Config) (string, error) {
			return writable(cfg.Resolve(f.Path))
		}})
	}
	for _, k := range sortedKeys(doctorChecks) {
		checks = append(checks, doctorChecks[k](cfg)...)
	}
	failed := 0
	for _, c := range checks {
		res, err := c.run(ctx, cfg)
		if err != nil {
			failed++
			fmt.Printf("FEHLER %-20s %v\n", c.name, err)
			continue
		}
		fmt.Printf("ok     %-20s %s\n", c.name, res)
	}
	if failed > 0 {
		return &cli.ExitError{Code: 1, Msg: fmt.Sprintf("%d check(s) failed", failed)}
	}
	return nil
}

func writable(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o770); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, ".doctor-*")
	if err != nil {
		return "", fmt.Errorf("not writable: %w", err)
	}
	f.Close()
	os.Remove(f.Name())
	return dir + " writable", nil
}

func diskFree(dir string) (string, error) {
	free, err := freeBytes(dir)
	if err != nil {
		return "", err
	}
	msg := fmt.Sprintf("%.1f GiB free", float64(free)/(1<<30))
	if free < 1<<30 {
		return "", fmt.Errorf("only %s", msg)
	}
	return msg, nil
}

func tesseractLangs(ctx context.Context, want string) (string, error) {
	bin, err := exec.LookPath("tesseract")
	if err != nil {
		return "", fmt.Errorf("tesseract not found (Debian: apt-get install tesseract-ocr tesseract-ocr-deu)")
	}
	out, err := exec.CommandContext(ctx, bin, "--list-langs").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("tesseract --list-langs: %v", err)
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(out), "\n") {
		have[strings.TrimSpace(l)] = true
	}
	var missing []string
	for _, l := range strings.Split(want, "+") {
		if l != "" && !have[l] {
			missing = append(missing, l)
		}
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("languages missing: %s (Debian: tesseract-ocr-%s)", strings.Join(missing, ", "), missing[0])
	}
	return fmt.Sprintf("%s, languages %s present", filepath.Base(bin), want), nil
}
