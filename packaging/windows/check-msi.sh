#!/usr/bin/env bash
# Checks a built MSI with msiinfo: files, service, Start-menu shortcut,
# directories, upgrade code and the x64 platform. Prints PASS/FAIL lines.
#   check-msi.sh dist/poststelle-<version>-x64.msi
set -uo pipefail
msi=${1:?usage: check-msi.sh FILE.msi}
upgrade=EDE7B91A-72B1-45A7-936E-CADE32B9E288
fail=0
t() { msiinfo export "$msi" "$1" 2>/dev/null; }
has() { # DESCRIPTION TABLE REGEX
  local table; table=$(t "$2")   # not piped into grep -q: with pipefail, SIGPIPE would fail the check
  if grep -qE "$3" <<<"$table"; then echo "PASS: $1"; else echo "FAIL: $1 (table $2 has no match for $3)"; fail=1; fi
}
desk=0
grep -q 'poststelle-desk.exe' <<<"$(t File)" && desk=1
has "file poststelle.exe" File $'\tpoststelle.exe\t'
has "file poststelle.toml.example" File $'\tpoststelle.toml.example\t'
has "service Poststelle, auto start, runs 'serve --config …ProgramData…\\Poststelle\\poststelle.toml'" ServiceInstall \
  $'^PoststelleService\tPoststelle\tPoststelle\t16\t2\t.*serve --config "\\[CommonAppDataFolder\\]Poststelle\\\\poststelle.toml"'
has "service started on install, stopped and removed on uninstall" ServiceControl $'^PoststelleServiceControl\tPoststelle\t(161|163)\t'
has "recovery actions set after the service is installed (deferred, as LocalSystem)" CustomAction $'^ServiceRecovery\t3154\tpoststelle.exe\tservice recovery'
has "… sequenced after InstallServices, not on removal" InstallExecuteSequence $'^ServiceRecovery\tNOT REMOVE\t'
has "binaries in Program Files (64-bit)" Directory $'^INSTALLDIR\tProgramFiles64Folder\t'
has "configuration and data folder in ProgramData" Directory $'^DATADIR\tCommonAppDataFolder\t'
has "UpgradeCode {$upgrade}" Property "^UpgradeCode	\\{$upgrade\\}"
has "major upgrade of every older version (Upgrade table)" Upgrade "^\\{$upgrade\\}"
if [ $desk = 1 ]; then
  has "file poststelle-desk.exe" File $'\tpoststelle-desk.exe\t'
  has "Start-menu shortcut to the desk" Shortcut $'^DeskShortcut\tProgramMenuFolder\t.*poststelle-desk.exe'
else
  echo "NOTE: MSI built without the desk (no poststelle-desk.exe, no shortcut)"
fi
# wixl 0.101 always writes ";1033" into the template; the product language is in the Property table.
if grep -q "Template: x64;" <<<"$(msiinfo suminfo "$msi")"; then echo "PASS: x64 package"; else echo "FAIL: not an x64 package"; msiinfo suminfo "$msi"; fail=1; fi
has "product language German (1031)" Property $'^ProductLanguage\t1031'
exit $fail
