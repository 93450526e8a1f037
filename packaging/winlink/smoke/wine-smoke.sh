#!/usr/bin/env bash
# Links go-fitz's Windows MuPDF with Debian's mingw-w64 and the winlink shims
# into a small C program and runs it under wine (apt-get install wine64) on
# the corpus PDFs, including the malformed ones: MuPDF's fz_try/fz_catch go
# through the setjmp shim and msvcrt's longjmp. The Go binaries themselves
# need Windows 10 APIs (bcryptprimitives.dll) that Debian 12's wine lacks.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
corpus=${POSTSTELLE_CORPUS:-$here/../../../../shared/corpus}
fitz=$(cd "$here/../../.." && go list -m -f '{{.Dir}}' github.com/gen2brain/go-fitz)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -n '/^\/\*/,/^\*\//p' "$here/../winlink_windows.go" | sed '1d;$d' >"$tmp/shim.c"
x86_64-w64-mingw32-gcc -O2 -I"$fitz/include" "$here/mupdf_smoke.c" "$tmp/shim.c" "$here/../setjmp_windows_amd64.S" \
  -L"$fitz/libs" -lmupdf_windows_amd64 -lmupdfthird_windows_amd64 -lm -lcomdlg32 -lgdi32 -static -o "$tmp/smoke.exe"
wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
export WINEDEBUG=-all WINEPREFIX=$tmp/wine
files=("$corpus"/ocrmypdf/invalid.pdf "$corpus"/badpdf/*.pdf "$corpus"/ocrmypdf/linn.pdf)
out=$("$wine" "$tmp/smoke.exe" "${files[@]/#/Z:}" 2>/dev/null)
echo "$out"
n=$(grep -cE ': (caught error|[0-9]+ pages)' <<<"$out")
[ "$n" -eq ${#files[@]} ] && tail -n1 <<<"$out" | grep -q done && echo "wine smoke: ${#files[@]} files, no crash"
