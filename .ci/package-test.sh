#!/usr/bin/env bash
# Package test: builds the .deb (and the MSI), then on this machine, as root:
#   1. installs the .deb with dpkg (apt-get install -f for missing dependencies),
#   2. runs the systemd unit's ExecStart line as its User= with its Environment=,
#      WorkingDirectory= and UMask= (there is no systemd in CI),
#   3. drops a PDF into the configured hot folder and waits until the engine took
#      it in and processed it (poststelle status --json), then stops it (SIGTERM),
#   4. edits the conffile, upgrades to a second .deb with a higher version and
#      checks that conffile and data survived and the upgraded engine still works,
#   5. removes (data stays), then purges (data and configuration gone).
#   6. builds the MSI and checks files, service and shortcut with msiinfo, and
#      that the Windows binaries are amd64 PE files (PACKAGE_TEST_MSI=0 skips it).
# Least privilege (step 1a): two scanner accounts in poststelle-scan can drop
# files into the inbox and read nothing — not the inbox listing, not each
# other's files, not the data directory, database, originals or configuration;
# a link they drop is quarantined, never read.
# The desk must build: REQUIRE_DESK=1 unless set otherwise.
# Prints "N passed, N failed" at the end; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
export DEBIAN_FRONTEND=noninteractive
[ "$(id -u)" -eq 0 ] || { echo "package-test: must run as root" >&2; exit 1; }
export REQUIRE_DESK=${REQUIRE_DESK:-1}

CORPUS=${POSTSTELLE_CORPUS:-$(cd .. && pwd)/shared/corpus}
CONF=/etc/poststelle/poststelle.toml
UNIT=/lib/systemd/system/poststelle.service
WAIT=${PACKAGE_TEST_WAIT:-240}
pass=0 fail=0
ok() { echo "PASS: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
CREATED_USERS=()
finish() {
  stop_engine
  local u; for u in "${CREATED_USERS[@]}"; do userdel "$u" 2>/dev/null; done
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
  exit $?
}
die() { bad "$*"; finish; }

# ---- build -----------------------------------------------------------------
version=$(packaging/version.sh)
v2="$version+up1"
rm -f dist/poststelle_*.deb
make --no-print-directory package-deb || die "make package-deb"
deb1=dist/poststelle_${version}_amd64.deb
PKG_VERSION=$v2 bash packaging/deb/build-deb.sh >/dev/null || die "build second .deb"
deb2=dist/poststelle_${v2}_amd64.deb
check "two .deb files built ($version, $v2)" test -f "$deb1" -a -f "$deb2"
check "dpkg orders $v2 after $version" dpkg --compare-versions "$v2" gt "$version"
if [ "$REQUIRE_DESK" = 1 ]; then
  check "desk built and packaged (REQUIRE_DESK=1)" bash -c "dpkg-deb -c $deb1 | grep -q ' ./usr/bin/poststelle-desk$'"
elif [ -x dist/linux-amd64/poststelle-desk ]; then echo "NOTE: desk included"; else echo "NOTE: desk NOT included (did not build, see dist/linux-amd64/desk-build.log)"; fi

# ---- clean slate -------------------------------------------------------------
if dpkg-query -W poststelle >/dev/null 2>&1; then
  echo "package-test: purging a previous poststelle installation"
  dpkg --purge poststelle >/dev/null
fi

install_deb() {
  if ! dpkg --force-confold -i "$1"; then
    apt-get update -qq && apt-get install -f -y -qq -o Dpkg::Options::=--force-confold
  fi
  local st; st=$(dpkg-query -W -f='${Status}' poststelle 2>/dev/null)
  [ "$st" = "install ok installed" ]
}

# ---- the ExecStart of the unit, as systemd would run it -----------------------
unit_value() { sed -n "s/^$1=//p" "$UNIT" | tail -n1; }
ENGINE_PID=""
start_engine() {
  local exec user group wd umask_ envs=()
  exec=$(unit_value ExecStart); user=$(unit_value User); group=$(unit_value Group)
  wd=$(unit_value WorkingDirectory); umask_=$(unit_value UMask)
  while read -r e; do envs+=("$e"); done < <(sed -n 's/^Environment=//p' "$UNIT")
  echo "ExecStart (as $user:$group in $wd, umask $umask_): $exec"
  # shellcheck disable=SC2086 # ExecStart is a word list
  (cd "$wd" && umask "$umask_" && exec setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs \
     env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "${envs[@]}" $exec) >"$LOG" 2>&1 &
  ENGINE_PID=$!
}
stop_engine() {
  [ -n "$ENGINE_PID" ] || return 0
  kill -TERM "$ENGINE_PID" 2>/dev/null
  local i
  for i in $(seq 90); do kill -0 "$ENGINE_PID" 2>/dev/null || break; sleep 1; done
  if kill -0 "$ENGINE_PID" 2>/dev/null; then
    bad "engine did not stop within 90 s of SIGTERM"; kill -KILL "$ENGINE_PID"
  fi
  wait "$ENGINE_PID"; local rc=$?
  ENGINE_PID=""
  return $rc
}
as_engine() { setpriv --reuid=poststelle --regid=poststelle --init-groups "$@"; }
status_json() { (cd /var/lib/poststelle && as_engine poststelle status --config "$CONF" --json); }
# count STATE: from the status JSON (one "state": n per line)
count() { status_json | sed -n "s/^ *\"$1\": \([0-9]*\),\{0,1\}$/\1/p" | head -n1; }
total_docs() { status_json | awk '/"counts"/{c=1;next} c&&/}/{c=0} c{gsub(/[^0-9]/,"",$2); s+=$2} END{print s+0}'; }
wait_processed() { # N: wait until N documents exist and none is still in intake, split or recognition
  local want=$1 i n busy
  for i in $(seq "$WAIT"); do
    n=$(total_docs); busy=$(( $(count received) + $(count splitting) + $(count recognising) ))
    if [ "$n" -ge "$want" ] && [ "$busy" -eq 0 ]; then echo "processed after ${i}s: $n documents"; return 0; fi
    kill -0 "$ENGINE_PID" 2>/dev/null || { echo "engine exited:"; tail -n 20 "$LOG"; return 1; }
    sleep 1
  done
  echo "timeout after ${WAIT}s:"; status_json; tail -n 20 "$LOG"; return 1
}
as_user() { local u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"; }
drop() { # FILE NAME [USER]: put a file into the hot folder the way a scanner account does (group poststelle-scan)
  as_user "${3:-scan1}" sh -c 'umask 022; cat >"/var/lib/poststelle/inbox/.$2.part" && mv "/var/lib/poststelle/inbox/.$2.part" "/var/lib/poststelle/inbox/$2"' sh "$1" "$2" <"$1"
}
fails_as() { local u=$1; shift; ! as_user "$u" "$@" >/dev/null 2>&1; }
free_port() {
  local p
  for p in $(seq 18484 18584); do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; return; }; done
}
healthz() ( # PORT
  exec 3<>/dev/tcp/127.0.0.1/"$1" || exit 1
  printf 'GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  local resp; resp=$(timeout 5 cat <&3)
  [[ ${resp%%$'\r'*} == *" 200"* ]]
)

# ---- 1. install --------------------------------------------------------------
check "install $deb1" install_deb "$deb1"
check "system user poststelle exists" getent passwd poststelle
check "system group poststelle-scan exists (drop-only scanner accounts)" getent group poststelle-scan
check "/var/lib/poststelle: poststelle:poststelle-scan 0710 (scanners pass through, list nothing)" test "$(stat -c %U:%G:%a /var/lib/poststelle)" = poststelle:poststelle-scan:710
check "hot folder /var/lib/poststelle/inbox: poststelle:poststelle-scan 2730 (write, no listing)" test "$(stat -c %U:%G:%a /var/lib/poststelle/inbox)" = poststelle:poststelle-scan:2730
check "inbox default ACL: new files for the engine only" bash -c "getfacl -p /var/lib/poststelle/inbox 2>/dev/null | grep -qx 'default:user:poststelle:rwx' && getfacl -p /var/lib/poststelle/inbox | grep -qx 'default:group::---' && getfacl -p /var/lib/poststelle/inbox | grep -qx 'default:other::---'"
check "unit UMask=0027 (engine files: engine and its admin group poststelle only)" grep -qx 'UMask=0027' "$UNIT"
for u in scan1 scan2; do
  id "$u" >/dev/null 2>&1 || { useradd --no-create-home --shell /usr/sbin/nologin --groups poststelle-scan "$u" && CREATED_USERS+=("$u"); }
done
check "scanner accounts scan1, scan2 in poststelle-scan, not in poststelle" bash -c "id -nG scan1 | tr ' ' '\n' | grep -qx poststelle-scan && ! id -nG scan1 | tr ' ' '\n' | grep -qx poststelle"
check "conffile registered" grep -qx " $CONF [0-9a-f]*" <(dpkg-query -W -f='${Conffiles}\n' poststelle)
check "conffile data_dir = /var/lib/poststelle" grep -qx 'data_dir = "/var/lib/poststelle"' "$CONF"
check "conffile readable by the engine only (root:poststelle 0640)" test "$(stat -c %U:%G:%a $CONF)" = root:poststelle:640
check "unit hardening present" grep -q '^ProtectSystem=strict' "$UNIT"
if command -v systemd-analyze >/dev/null; then
  verify_unit() { local out; out=$(systemd-analyze verify "$UNIT" 2>&1); [ -z "$out" ] || echo "$out"; ! grep -q poststelle.service <<<"$out"; }
  check "systemd-analyze verify: no complaint about the unit" verify_unit
else
  echo "NOTE: systemd-analyze not installed: unit syntax not verified"
fi
check "poststelle doctor accepts the installed config" bash -c "cd /var/lib/poststelle && setpriv --reuid=poststelle --regid=poststelle --init-groups poststelle doctor --config $CONF >/tmp/package-test-doctor.txt 2>&1 || { cat /tmp/package-test-doctor.txt; false; }"

# ---- 1a. least privilege: scanners drop, read nothing -------------------------------
echo "scan1's file" >/tmp/package-test-scan1.pdf
check "scan1 can drop a file into the inbox" drop /tmp/package-test-scan1.pdf scan1.pdf scan1
check "scan1 cannot list the inbox" fails_as scan1 ls /var/lib/poststelle/inbox
check "scan2 cannot read the file scan1 dropped (umask 022 on scan1's side)" fails_as scan2 cat /var/lib/poststelle/inbox/scan1.pdf
check "scan1 cannot list the data directory" fails_as scan1 ls /var/lib/poststelle
exists_but_fails() { test -e "$2" && fails_as scan1 "$1" "$2"; }
check "scan1 cannot read the database (created by doctor above, from a shell with umask 022)" exists_but_fails cat /var/lib/poststelle/poststelle.db
check "scan1 cannot list the originals" exists_but_fails ls /var/lib/poststelle/originals
check "scan1 cannot read the configuration" fails_as scan1 cat "$CONF"
check "scan1 cannot list the export folder" fails_as scan1 ls /var/lib/poststelle/export
check "the engine account can read what scan1 dropped (ACL)" as_engine cat /var/lib/poststelle/inbox/scan1.pdf
check "scan1 can drop a link to the configuration (it will be quarantined, not read)" as_user scan1 ln -s "$CONF" /var/lib/poststelle/inbox/config-link.pdf
rm -f /var/lib/poststelle/inbox/scan1.pdf /tmp/package-test-scan1.pdf

port=$(free_port)
# A local change to the conffile: another HTTP port. It must survive the upgrade.
sed -i "s|^listen = \"127.0.0.1:8484\"|listen = \"127.0.0.1:$port\" # package-test|" "$CONF"
check "conffile edited (listen 127.0.0.1:$port)" grep -q "package-test" "$CONF"

# ---- 2./3. run, process one document, stop -------------------------------------------
LOG=$(mktemp /tmp/package-test-engine.XXXX.log)
start_engine
sleep 3
check "engine runs as user poststelle" test "$(ps -o user= -p "$ENGINE_PID" 2>/dev/null | tr -d ' ')" = poststelle
check "health endpoint answers 200 on 127.0.0.1:$port" healthz "$port"
doc1=$CORPUS/ocrmypdf/linn.pdf
[ -f "$doc1" ] || die "corpus file $doc1 missing"
drop "$doc1" linn.pdf
check "document received and processed" wait_processed 1
check "hot folder emptied after intake (but quarantine/)" test "$(ls -A /var/lib/poststelle/inbox)" = quarantine
check "the link scan1 dropped was quarantined with a reason" grep -q 'Keine gewöhnliche Datei' /var/lib/poststelle/inbox/quarantine/config-link.pdf.reason.txt
check "the configuration behind the link was not taken in" bash -c "! grep -rlq 'procedure_doc' /var/lib/poststelle/originals"
no_open_files() { # nothing in the data directory (but the inbox) is open to others or to poststelle-scan
  local f; f=$(find /var/lib/poststelle -mindepth 1 -path /var/lib/poststelle/inbox -prune -o \( -perm /007 -o -group poststelle-scan \) -print)
  [ -z "$f" ] || { ls -ld $f; return 1; }
}
check "nothing in the data directory is open to others or to poststelle-scan" no_open_files
check "nothing quarantined" test "$(count quarantined)" = 0
check "document reached the desk (review) or beyond" test $(( $(count review) + $(count approved) + $(count exporting) + $(count exported) )) -ge 1
check "searchable PDF written under /var/lib/poststelle/out" test -n "$(find /var/lib/poststelle/out -name '*.pdf' -size +1k | head -n1)"
check "source folder:eingang recorded" grep -q '"source": "folder:eingang"' <(status_json)
check "original stored under /var/lib/poststelle/originals" test -n "$(find /var/lib/poststelle/originals -type f | head -n1)"
check "logs are JSON lines on stderr (journal)" grep -q '^{"time":.*"msg":"poststelle started"' "$LOG"
check "engine stops cleanly on SIGTERM" stop_engine
check "no file in the data directory owned by root" test -z "$(find /var/lib/poststelle -user root | head -n1)"

# ---- 4. upgrade ---------------------------------------------------------------
sum_db=$(sha256sum < /var/lib/poststelle/poststelle.db)
check "upgrade to $deb2" install_deb "$deb2"
check "installed version is $v2" test "$(dpkg-query -W -f='${Version}' poststelle)" = "$v2"
check "conffile change survived the upgrade" grep -q "listen = \"127.0.0.1:$port\" # package-test" "$CONF"
check "no .dpkg-dist/.dpkg-old left" test -z "$(ls /etc/poststelle | grep -E 'dpkg-(dist|old|new)')"
check "database untouched by the upgrade" test "$(sha256sum < /var/lib/poststelle/poststelle.db)" = "$sum_db"
check "document still there after the upgrade" test "$(total_docs)" -ge 1
start_engine
sleep 3
doc2=$CORPUS/ocrmypdf/skew.pdf
[ -f "$doc2" ] || doc2=$CORPUS/ocrmypdf/multipage.pdf
drop "$doc2" second.pdf
check "upgraded engine processes a second document" wait_processed 2
check "engine stops cleanly on SIGTERM (after upgrade)" stop_engine

# ---- 5. remove, purge ---------------------------------------------------------------
check "dpkg --remove" dpkg --remove poststelle
check "data kept after remove" test -f /var/lib/poststelle/poststelle.db
check "conffile kept after remove" test -f "$CONF"
check "binary gone after remove" test ! -e /usr/bin/poststelle
check "dpkg --purge" dpkg --purge poststelle
check "data removed on purge" test ! -e /var/lib/poststelle
check "configuration removed on purge" test ! -e /etc/poststelle
check "package gone" bash -c "! dpkg-query -W -f='\${Status}' poststelle 2>/dev/null | grep -q installed"
rm -f "$LOG"

# ---- 6. MSI -----------------------------------------------------------------------
if [ "${PACKAGE_TEST_MSI:-1}" = 1 ]; then
  rm -f dist/poststelle-*.msi
  if make --no-print-directory package-msi; then
    msi=$(ls -t dist/poststelle-*.msi | head -n1)
    check "MSI built: $msi" test -s "$msi"
    check "poststelle.exe is a PE32+ x86-64 executable" bash -c "file dist/windows-amd64/poststelle.exe | grep -q 'PE32+ executable.*x86-64'"
    if [ -f dist/windows-amd64/poststelle-desk.exe ]; then
      check "poststelle-desk.exe is a PE32+ x86-64 GUI executable" bash -c "file dist/windows-amd64/poststelle-desk.exe | grep -q 'PE32+ executable (GUI) x86-64'"
    fi
    for f in dist/windows-amd64/*.exe; do
      dlls=$(x86_64-w64-mingw32-objdump -p "$f" | sed -n 's/^\s*DLL Name: //p' | tr '\n' ' ')
      echo "$(basename "$f") imports: $dlls"
      check "$(basename "$f") needs no MinGW runtime DLL" bash -c "! grep -qiE '(^| )lib[^ ]*\.dll' <<<'$dlls'"
      check "$(basename "$f") has a resource section (icon, version)" bash -c "x86_64-w64-mingw32-objdump -h $f | grep -q '\.rsrc'"
    done
    bash packaging/windows/check-msi.sh "$msi"; rc=$?
    check "msiinfo: files, service, shortcut, upgrade code (check-msi.sh)" test $rc -eq 0
    # Authenticode: sign with a throw-away certificate and verify against it.
    if command -v openssl >/dev/null; then
      sig=$(mktemp -d)
      openssl req -x509 -newkey rsa:2048 -keyout "$sig/key.pem" -out "$sig/cert.pem" -days 2 -nodes \
        -subj "/CN=Poststelle package-test" -addext "extendedKeyUsage=codeSigning" 2>/dev/null
      printf 'package-test' >"$sig/pass"
      openssl pkcs12 -export -inkey "$sig/key.pem" -in "$sig/cert.pem" -out "$sig/cert.pfx" -passout file:"$sig/pass"
      SIGN_PKCS12=$sig/cert.pfx SIGN_PASSWORD_FILE=$sig/pass SIGN_CAFILE=$sig/cert.pem bash packaging/windows/build-msi.sh
      for f in "$msi" dist/msi-stage/bin/poststelle.exe; do
        check "Authenticode signature on $(basename "$f") verifies" bash -c "osslsigncode verify -CAfile $sig/cert.pem -in $f 2>&1 | grep -q '^Signature verification: ok'"
      done
      rm -rf "$sig"
    else
      echo "NOTE: openssl missing: signing not tested"
    fi
  else
    bad "make package-msi"
  fi
fi
finish
