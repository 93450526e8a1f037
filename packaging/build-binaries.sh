#!/usr/bin/env bash
# Builds the Poststelle binaries for one platform into dist/<os>-amd64/.
#   build-binaries.sh linux|windows
# The desk (cmd/poststelle-desk) is built when it exists and compiles; if it
# does not, a warning is printed and the engine alone is packaged, unless
# REQUIRE_DESK=1 makes that an error.
# VERSION (default: git describe) is stamped into both (main.version).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
os=${1:?usage: build-binaries.sh linux|windows}
VERSION=${VERSION:-$(packaging/version.sh --raw)}
out=dist/$os-amd64
mkdir -p "$out"
ldflags="-s -w -X main.version=$VERSION"
exe=""
envs=(CGO_ENABLED=1 GOARCH=amd64)
case $os in
  linux) envs+=(GOOS=linux) ;;
  windows)
    exe=.exe
    envs+=(GOOS=windows CC=${WINCC:-x86_64-w64-mingw32-gcc} CXX=${WINCXX:-x86_64-w64-mingw32-g++})
    ;;
  *) echo "unknown os $os" >&2; exit 2 ;;
esac

# Windows: a resource object with the icon and version information (file
# properties in Explorer), linked in by the external linker; -static links
# libgcc/libwinpthread in, so the .exe needs no MinGW DLLs beside it.
winres() { # NAME DESCRIPTION → path of the resource object
  local name=$1 desc=$2 res=$out/res
  mkdir -p "$res"
  local nums; nums=$(packaging/version.sh --msi | tr . ,),0
  cat >"$res/$name.rc" <<RC
#include <winver.h>
1 ICON "$PWD/packaging/desktop/poststelle.ico"
1 VERSIONINFO
FILEVERSION $nums
PRODUCTVERSION $nums
FILEOS VOS_NT_WINDOWS32
FILETYPE VFT_APP
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040704B0"
    BEGIN
      VALUE "CompanyName", "Poststelle"
      VALUE "FileDescription", "$desc"
      VALUE "FileVersion", "$VERSION"
      VALUE "ProductName", "Poststelle"
      VALUE "ProductVersion", "$VERSION"
      VALUE "OriginalFilename", "$name.exe"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x0407, 1200
  END
END
RC
  ${WINDRES:-x86_64-w64-mingw32-windres} "$res/$name.rc" -O coff -o "$res/$name.o"
  echo "$PWD/$res/$name.o"
}
engineflags=$ldflags
if [ "$os" = windows ]; then
  engineflags="$ldflags -extldflags '-static $(winres poststelle "Poststelle Dienst und Kommandozeile")'"
fi

echo ">> $out/poststelle$exe ($VERSION)"
env "${envs[@]}" go build -trimpath -ldflags "$engineflags" -o "$out/poststelle$exe" ./cmd/poststelle

rm -f "$out/poststelle-desk$exe" "$out/.desk-missing"
deskflags=$ldflags
if [ "$os" = windows ]; then
  deskflags="$deskflags -H=windowsgui -extldflags '-static $(winres poststelle-desk "Poststelle Erfassungsplatz")'"
fi
if ls cmd/poststelle-desk/*.go >/dev/null 2>&1 &&
   echo ">> $out/poststelle-desk$exe" &&
   env "${envs[@]}" go build -trimpath -ldflags "$deskflags" -o "$out/poststelle-desk$exe" ./cmd/poststelle-desk 2>"$out/desk-build.log"; then
  rm -f "$out/desk-build.log"
else
  echo "WARNING: poststelle-desk did not build for $os; packaging the engine only. See $out/desk-build.log" >&2
  [ -f "$out/desk-build.log" ] && tail -n 20 "$out/desk-build.log" >&2
  if [ "${REQUIRE_DESK:-0}" = 1 ]; then exit 1; fi
  touch "$out/.desk-missing"
fi
