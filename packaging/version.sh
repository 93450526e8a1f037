#!/usr/bin/env bash
# Prints the package version derived from git, in a form Debian and MSI accept.
#   version.sh            Debian version:  1.2.3 | 1.2.3+4.gabc1234 | 0.0.0+57.gabc1234 (no tag) [+ .dirty]
#   version.sh --raw      git describe --tags --always --dirty (what `poststelle version` prints)
#   version.sh --msi      MSI ProductVersion a.b.c (numeric; c = commits since the tag, so upgrades increase)
# PKG_VERSION in the environment overrides the Debian version (e.g. for a test build).
set -euo pipefail
cd "$(dirname "$0")/.."
raw=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
case "${1:-}" in
  --raw) echo "$raw"; exit 0 ;;
esac
dirty=""
[[ $raw == *-dirty ]] && dirty=".dirty"
desc=${raw%-dirty}
if [[ $desc =~ ^v?([0-9]+(\.[0-9]+)*)(-([0-9]+)-g([0-9a-f]+))?$ ]]; then
  base=${BASH_REMATCH[1]}; n=${BASH_REMATCH[4]:-0}; hash=${BASH_REMATCH[5]:-}
else
  # No release tag yet: 0.0.0 plus the commit count, so every new commit sorts higher.
  base=0.0.0; n=$(git rev-list --count HEAD 2>/dev/null || echo 0); hash=$(git rev-parse --short HEAD 2>/dev/null || echo 0)
fi
if [[ ${1:-} == --msi ]]; then
  IFS=. read -r a b c _ <<<"$base.0.0"
  # MSI: major ≤ 255, minor ≤ 255, build ≤ 65535. Only the first three fields count for upgrades.
  echo "$((a % 256)).$((b % 256)).$(((c * 1000 + n) % 65536))"
  exit 0
fi
if [[ -n ${PKG_VERSION:-} ]]; then echo "$PKG_VERSION"; exit 0; fi
if [[ -n $hash ]]; then echo "$base+$n.g$hash$dirty"; else echo "$base$dirty"; fi
