#!/usr/bin/env bash
# Checks a built MSI with msiinfo: files, service, Start-menu shortcut,
# directories, upgrade code and the x64 platform. Prints PASS/FAIL lines.
#   check-msi.sh dist/poststelle-<version>-x64.msi
set -uo pipefail
msi=${1:?usage: check-msi.sh FILE.msi}
upgrade=EDE7B91A-72B1-45A7-936E-CADE32B9E288
fail=0
t() { msiinfo export "$msi" "$1" 2>/dev/null | tr -d '\r'; }
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
has "service runs as the virtual account NT SERVICE\\Poststelle, not LocalSystem" ServiceInstall \
  $'^PoststelleService\tPoststelle\tPoststelle\t16\t2\t[^\t]*\t[^\t]*\t[^\t]*\tNT SERVICE\\\\Poststelle\t'
sid='S-1-5-80-3188711324-2963074789-1713971462-3107140759-3881175208' # NT SERVICE\Poststelle
has "ACL of ProgramData\\Poststelle: SYSTEM, Administrators full, the service modify, not inherited (Property table)" Property \
  "^POSTSTELLEDATAACL	O:BAD:PAI\\(A;OICI;FA;;;SY\\)\\(A;OICI;FA;;;BA\\)\\(A;OICI;0x1301bf;;;$sid\\)\$"
has "ACL of data\\inbox: as above, Users may only create (0x100006)" Property \
  "^POSTSTELLEINBOXACL	D:PAI\\(A;OICI;FA;;;SY\\)\\(A;OICI;FA;;;BA\\)\\(A;OICI;0x1301bf;;;$sid\\)\\(A;;0x100006;;;BU\\)\$"
has "ACL of poststelle.toml: owner Administrators, the service reads" Property \
  "^POSTSTELLECONFIGACL	O:BAD:PAI\\(A;;FA;;;SY\\)\\(A;;FA;;;BA\\)\\(A;;FR;;;$sid\\)\$"
has "ACLs applied by 'poststelle.exe service secure' (deferred, as LocalSystem, failure fails the install)" CustomAction \
  $'^SecureData\t3090\tpoststelle.exe\tservice secure --config "\\[CommonAppDataFolder\\]Poststelle\\\\poststelle.toml" --data-acl "\\[POSTSTELLEDATAACL\\]" --inbox-acl "\\[POSTSTELLEINBOXACL\\]" --config-acl "\\[POSTSTELLECONFIGACL\\]"'
secure_before_start() { # SecureData runs after InstallFiles (files in place) and before StartServices
  local seq; seq=$(t InstallExecuteSequence)
  local a b c
  a=$(awk -F'\t' '$1=="InstallFiles"{print $3}' <<<"$seq"); b=$(awk -F'\t' '$1=="SecureData"{print $3}' <<<"$seq")
  c=$(awk -F'\t' '$1=="StartServices"{print $3}' <<<"$seq")
  [ -n "$a" ] && [ -n "$b" ] && [ -n "$c" ] && [ "$a" -lt "$b" ] && [ "$b" -lt "$c" ] && grep -q $'^SecureData\tNOT REMOVE\t' <<<"$seq"
}
if secure_before_start; then echo "PASS: SecureData sequenced after InstallFiles, before StartServices, not on removal"; else echo "FAIL: SecureData sequence"; t InstallExecuteSequence; fail=1; fi
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
