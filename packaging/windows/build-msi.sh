#!/usr/bin/env bash
# Builds dist/poststelle-<version>-x64.msi with wixl from dist/windows-amd64/.
# Run packaging/build-binaries.sh windows first (make package-msi does both).
#
# Authenticode signing (osslsigncode) happens when a certificate is configured:
#   SIGN_PKCS12           PKCS#12 file (.pfx/.p12) with the code-signing key and chain
#   SIGN_PASSWORD_FILE    file holding its password (or SIGN_PASSWORD in the environment)
#   SIGN_TIMESTAMP_URL    optional RFC 3161 timestamp authority
#   SIGN_CAFILE           optional CA bundle to verify the signatures against after signing
# The .exe files are signed before they go into the MSI, then the MSI itself.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
bin=dist/windows-amd64
[ -f $bin/poststelle.exe ] || { echo "missing $bin/poststelle.exe: run packaging/build-binaries.sh windows" >&2; exit 1; }
command -v wixl >/dev/null || { echo "wixl not found: apt-get install wixl (msitools)" >&2; exit 1; }
version=$(packaging/version.sh)
msiversion=$(packaging/version.sh --msi)
stage=dist/msi-stage
rm -rf "$stage"; mkdir -p "$stage"

# The example configuration: the embedded defaults (what `poststelle config`
# prints), data_dir relative to the configuration folder, CRLF for Notepad.
{
  echo "# Poststelle configuration example. The service reads %ProgramData%\\Poststelle\\poststelle.toml"
  echo "# (written with these defaults on its first start). Relative data_dir: relative to that folder."
  echo
  for f in $(ls mailroom/defaults/*.toml | sort); do cat "$f"; echo; done | sed 's|^data_dir = .*|data_dir = "data"|'
} | sed 's/$/\r/' >"$stage/poststelle.toml"
cp packaging/desktop/poststelle.ico "$stage/"
if [ -f docs/install.md ]; then sed 's/$/\r/' docs/install.md >"$stage/install.md"; else echo "Poststelle" >"$stage/install.md"; fi

desk=0
[ -f $bin/poststelle-desk.exe ] && desk=1
[ $desk = 1 ] || echo "WARNING: poststelle-desk.exe missing: MSI without the desk and its Start-menu entry" >&2

sign() { # FILE
  local pass=${SIGN_PASSWORD:-}
  [ -n "${SIGN_PASSWORD_FILE:-}" ] && pass=$(cat "$SIGN_PASSWORD_FILE")
  local args=(sign -pkcs12 "$SIGN_PKCS12" -n "Poststelle" -h sha256)
  [ -n "$pass" ] && args+=(-pass "$pass")
  [ -n "${SIGN_TIMESTAMP_URL:-}" ] && args+=(-ts "$SIGN_TIMESTAMP_URL")
  osslsigncode "${args[@]}" -in "$1" -out "$1.signed" >/dev/null
  mv "$1.signed" "$1"
  local v=(verify -in "$1"); [ -n "${SIGN_CAFILE:-}" ] && v+=(-CAfile "$SIGN_CAFILE")
  local res; res=$(osslsigncode "${v[@]}" 2>&1) || true
  echo "   $(basename "$1"): $(grep -m1 '^Signature verification' <<<"$res")"
}
srcbin=$bin
if [ -n "${SIGN_PKCS12:-}" ]; then
  echo ">> signing the executables with $SIGN_PKCS12"
  srcbin=$stage/bin; mkdir -p "$srcbin"
  cp $bin/*.exe "$srcbin/"
  for f in "$srcbin"/*.exe; do sign "$f"; done
fi

out=dist/poststelle-${version}-x64.msi
wixl -a x64 -D Version="$msiversion" -D BinDir="$srcbin" -D DocDir="$stage" -D Desk=$desk \
  -o "$out" packaging/windows/poststelle.wxs
[ -n "${SIGN_PKCS12:-}" ] && sign "$out"
echo "created $out (ProductVersion $msiversion)"
