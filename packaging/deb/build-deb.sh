#!/usr/bin/env bash
# Builds dist/poststelle_<version>_amd64.deb with nfpm from dist/linux-amd64/.
# Run packaging/build-binaries.sh linux first (make package-deb does both).
# PKG_VERSION overrides the version (default: packaging/version.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
export PATH=$PATH:/usr/local/go/bin
bin=dist/linux-amd64
[ -x $bin/poststelle ] || { echo "missing $bin/poststelle: run packaging/build-binaries.sh linux" >&2; exit 1; }
version=$(packaging/version.sh)
stage=dist/deb-stage
rm -rf "$stage"; mkdir -p "$stage"

# The conffile: the embedded, commented defaults with the Debian data directory.
{
  echo "# /etc/poststelle/poststelle.toml — configuration of the Poststelle engine (systemd: poststelle.service)."
  echo "# Installed by the poststelle package; your changes are kept on upgrades (dpkg conffile)."
  echo "# After a change: systemctl restart poststelle; check with: sudo -u poststelle poststelle doctor --config /etc/poststelle/poststelle.toml"
  echo
  $bin/poststelle config | sed 's|^data_dir = .*|data_dir = "/var/lib/poststelle"|'
} >"$stage/poststelle.toml"
grep -q '^data_dir = "/var/lib/poststelle"$' "$stage/poststelle.toml" || { echo "config: data_dir line not found in 'poststelle config' output" >&2; exit 1; }

# Depends: the Debian packages that ship the shared libraries the binaries link
# directly (ELF NEEDED entries, resolved with ldd, owner from dpkg -S — what
# dpkg-shlibdeps does, without versions), plus the OCR runtime.
libdeps() {
  local need lib
  for need in $(objdump -p "$1" | awk '$1 == "NEEDED" {print $2}'); do
    lib=$(ldd "$1" | awk -v n="$need" '$1 == n && $3 ~ /^\// {print $3}')
    [ -n "$lib" ] || { echo "UNRESOLVED: $need (install its package on the build machine)" >&2; exit 1; }
    dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "/usr$lib" 2>/dev/null ||
      { echo "no Debian package owns $lib" >&2; exit 1; }
  done | cut -d: -f1 | sort -u
}
# With dpkg-dev installed, dpkg-shlibdeps gives versioned dependencies.
shlibdeps() {
  command -v dpkg-shlibdeps >/dev/null || return 1
  local tmp; tmp=$(mktemp -d)
  mkdir -p "$tmp/debian"
  printf 'Source: poststelle\n\nPackage: poststelle\nArchitecture: any\n' >"$tmp/debian/control"
  local bins=(); for b in "$@"; do bins+=("$(readlink -f "$b")"); done
  (cd "$tmp" && dpkg-shlibdeps -O "${bins[@]}" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p' | tr ',' '\n' | sed 's/^ *//'
  rm -rf "$tmp"
}
deps=(tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng tesseract-ocr-osd fonts-dejavu-core adduser acl)
bins=($bin/poststelle)
desk=0
if [ -x $bin/poststelle-desk ]; then
  desk=1
  bins+=($bin/poststelle-desk)
  # GL and X11 client libraries GLFW (the desk's window system layer) loads at run time.
  deps+=(libgl1 libx11-6 libxcursor1 libxrandr2 libxinerama1 libxi6 libxxf86vm1)
fi
if found=$(shlibdeps "${bins[@]}") && [ -n "$found" ]; then
  mapfile -t -O ${#deps[@]} deps <<<"$found"
else
  for b in "${bins[@]}"; do
    found=$(libdeps "$b") || exit 1
    deps+=($found)
  done
fi
# Drop unversioned names that also appear with a version.
mapfile -t deps < <(printf '%s\n' "${deps[@]}" | sort -u | awk '{n=$1; if (NF > 1) v[n]=$0; else if (!(n in u)) u[n]=$0} END {for (n in u) if (!(n in v)) print u[n]; for (n in v) print v[n]}' | sort)
(IFS=,; echo "Depends: ${deps[*]}")

cp packaging/desktop/poststelle.svg packaging/desktop/poststelle.png "$stage/" 2>/dev/null || true
cp docs/install.md "$stage/install.md" 2>/dev/null || echo "# see https://… docs/install.md" >"$stage/install.md"

{
cat <<YAML
name: poststelle
arch: amd64
platform: linux
version: "$version"
version_schema: none
section: misc
priority: optional
maintainer: "Poststelle <poststelle@localhost>"
description: |-
  Poststelle - software for a municipal mailroom
  Takes in scanned batches, hot-folder files and mail without losing a byte,
  splits batches at separator sheets, makes documents searchable PDF/A with
  tesseract, supports verification at the desk, adds TR-RESISCAN evidence and
  delivers to the DMS exactly once. Ships the engine (poststelle, a systemd
  service) and, when built, the desk (poststelle-desk).
vendor: Poststelle
homepage: "https://example.invalid/poststelle"
license: Proprietary
depends:
YAML
for d in "${deps[@]}"; do echo "  - $d"; done
cat <<YAML
contents:
  - src: $bin/poststelle
    dst: /usr/bin/poststelle
    file_info: {mode: 0755}
  - src: packaging/deb/poststelle.service
    dst: /lib/systemd/system/poststelle.service
    file_info: {mode: 0644}
  - src: $stage/poststelle.toml
    dst: /etc/poststelle/poststelle.toml
    type: config|noreplace
    file_info: {mode: 0640}
  - dst: /etc/poststelle
    type: dir
    file_info: {mode: 0750}
  - src: $stage/install.md
    dst: /usr/share/doc/poststelle/install.md
    file_info: {mode: 0644}
YAML
if [ $desk = 1 ]; then
cat <<YAML
  - src: $bin/poststelle-desk
    dst: /usr/bin/poststelle-desk
    file_info: {mode: 0755}
  - src: packaging/desktop/de.poststelle.desk.desktop
    dst: /usr/share/applications/de.poststelle.desk.desktop
    file_info: {mode: 0644}
  - src: packaging/desktop/poststelle.svg
    dst: /usr/share/icons/hicolor/scalable/apps/poststelle.svg
    file_info: {mode: 0644}
  - src: packaging/desktop/poststelle.png
    dst: /usr/share/icons/hicolor/256x256/apps/poststelle.png
    file_info: {mode: 0644}
YAML
fi
cat <<YAML
scripts:
  postinstall: packaging/deb/postinst
  preremove: packaging/deb/prerm
  postremove: packaging/deb/postrm
deb:
  fields:
    Bugs: "mailto:poststelle@localhost"
YAML
} >"$stage/nfpm.yaml"

nfpm=${NFPM:-}
if [ -z "$nfpm" ]; then
  nfpm=$root/dist/tools/nfpm
  if [ ! -x "$nfpm" ]; then
    (cd packaging/tools && go build -o "$nfpm" github.com/goreleaser/nfpm/v2/cmd/nfpm)
  fi
fi
"$nfpm" package --config "$stage/nfpm.yaml" --packager deb --target "dist/poststelle_${version}_amd64.deb"
ls -l "dist/poststelle_${version}_amd64.deb"
