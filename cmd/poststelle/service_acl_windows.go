//go:build windows

package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"

	"poststelle/mailroom"
)

// runServiceSecure is `poststelle.exe service secure`: as SYSTEM or an
// administrator it creates %ProgramData%\Poststelle (the configuration's
// folder) with its explicit, non-inherited ACL, writes the default
// configuration if there is none and gives it its ACL (owner
// Administrators), and gives the hot folders inside that folder the
// drop-only ACL. The MSI runs it after installing the files, on every
// install and upgrade. The ACLs can be given as flags (the MSI passes its
// Property table's values); by default they are the ones in acl.go.
func runServiceSecure(args []string) error {
	fs := flag.NewFlagSet("service secure", flag.ContinueOnError)
	config := fs.String("config", defaultWindowsConfig(), "configuration file of the service")
	dataACL := fs.String("data-acl", dataDirSDDL, "SDDL for the configuration's folder")
	inboxACL := fs.String("inbox-acl", inboxSDDL, "SDDL for hot folders inside it")
	configACL := fs.String("config-acl", configSDDL, "SDDL for the configuration file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir := filepath.Dir(*config)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	if err := applySDDL(dir, *dataACL); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	if err := ensureConfig(*config); err != nil {
		return err
	}
	if err := applySDDL(*config, *configACL); err != nil {
		return fmt.Errorf("%s: %w", *config, err)
	}
	cfg, err := mailroom.Load(*config, "")
	if err != nil {
		return err
	}
	for _, f := range cfg.Folders {
		p := cfg.Resolve(f.Path)
		if rel, err := filepath.Rel(dir, p); err != nil || strings.HasPrefix(rel, "..") {
			fmt.Fprintf(os.Stderr, "poststelle: hot folder %s is outside %s: set its permissions yourself (docs/install.md)\n", p, dir)
			continue
		}
		if err := os.MkdirAll(p, 0o750); err != nil {
			return err
		}
		if err := applySDDL(p, *inboxACL); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	return nil
}

// applySDDL sets the owner (if the SDDL names one) and the DACL of path,
// protected from inheritance.
func applySDDL(path, sddl string) error {
	sd, err := windows.SecurityDescriptorFromString(sddl)
	if err != nil {
		return fmt.Errorf("SDDL %q: %w", sddl, err)
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return err
	}
	info := windows.SECURITY_INFORMATION(windows.DACL_SECURITY_INFORMATION | windows.PROTECTED_DACL_SECURITY_INFORMATION)
	owner, _, err := sd.Owner()
	if err == nil && owner != nil {
		info |= windows.OWNER_SECURITY_INFORMATION
	} else {
		owner = nil
	}
	return windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, info, owner, nil, dacl, nil)
}

// checkConfigOwner refuses a configuration not owned by SYSTEM or the
// Administrators: anyone else who owns it could change what the service
// does (targets, operators, paths).
func checkConfigOwner(path string) error {
	if path == "" {
		return nil
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("Konfiguration %s fehlt: als Administrator `poststelle.exe service secure` ausführen / "+
			"configuration %s missing: run `poststelle.exe service secure` as administrator", path, path)
	}
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		return fmt.Errorf("%s: owner: %w", path, err)
	}
	owner, _, err := sd.Owner()
	if err != nil {
		return fmt.Errorf("%s: owner: %w", path, err)
	}
	if owner.IsWellKnown(windows.WinLocalSystemSid) || owner.IsWellKnown(windows.WinBuiltinAdministratorsSid) {
		return nil
	}
	return fmt.Errorf("Konfiguration %s gehört %s, nicht SYSTEM oder Administratoren: Dienst startet nicht / "+
		"configuration %s is owned by %s, not SYSTEM or Administrators: the service does not start "+
		"(fix: `poststelle.exe service secure` as administrator)", path, owner, path, owner)
}
