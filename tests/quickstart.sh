#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The README's quick start, on Debian 12:
#   bash tests/quickstart.sh run    install what is missing, build, run a local server and the app
#   bash tests/quickstart.sh test   install what is missing, build, run the whole suite
#
# The suite runs twice: a normal build (gcc), and a clang build with
# AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer that also
# runs each fuzz target for a few seconds. Warnings are errors in both.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

build_packages=(
  gcc meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-bin libjson-glib-dev libsodium-dev libsqlite3-dev libpq-dev
  libgtk-4-dev libadwaita-1-dev desktop-file-utils appstream-util
  fonts-noto-color-emoji
)
test_packages=(clang libclang-rt-14-dev python3 xvfb xauth dbus tcpdump strace postgresql-15)

as_root () {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    echo "Run this as root, or install sudo: these packages are missing: ${*: -1}" >&2
    exit 1
  fi
}

install_missing () {
  local missing=()
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$package")
    fi
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}"
  fi
}

configure () {
  local dir=$1
  shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@"
  fi
}

# Prints one "N passed, N failed" line over the given meson build dirs,
# counting each TAP subtest of a GTest program, and each other test once.
summarize () {
  python3 - "$@" <<'PY'
import json, re, sys
passed = failed = skipped = 0
for build in sys.argv[1:]:
    with open(f"{build}/meson-logs/testlog.json") as log:
        for line in log:
            test = json.loads(line)
            ok = len(re.findall(r"^ok \d+", test.get("stdout") or "", re.M))
            not_ok = len(re.findall(r"^not ok \d+", test.get("stdout") or "", re.M))
            if test["result"] == "SKIP":
                skipped += 1
            elif ok + not_ok > 0:
                passed += ok
                failed += not_ok
                if test["result"] not in ("OK", "EXPECTEDFAIL") and not_ok == 0:
                    failed += 1
            elif test["result"] in ("OK", "EXPECTEDFAIL"):
                passed += 1
            else:
                failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
}

run_tests () {
  install_missing "${build_packages[@]}" "${test_packages[@]}"

  local status=0
  configure _build -Dwerror=true
  meson compile -C _build
  meson test -C _build --print-errorlogs --num-processes 2 --no-suite memcheck || status=1

  CC=clang configure _build-sanitize -Dwerror=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dfuzzing=true
  meson compile -C _build-sanitize
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    meson test -C _build-sanitize --print-errorlogs --num-processes 2 --no-suite memcheck || status=1

  summarize _build _build-sanitize
  return $status
}

server_answers () {
  (exec 3<>/dev/tcp/127.0.0.1/7777) 2>/dev/null
}

# A local server on 127.0.0.1:7777 (unless one already answers there), and
# the app, logged out; closing the app stops the server it started.
run_main () {
  install_missing "${build_packages[@]}"
  configure _build
  meson compile -C _build

  local server_pid=
  if ! server_answers; then
    local data_dir="${XDG_DATA_HOME:-$HOME/.local/share}/sotto-server"
    mkdir -p "$data_dir"
    _build/src/server/sotto-server --listen 127.0.0.1:7777 --listen "[::1]:7777" \
      --data-dir "$data_dir" &
    server_pid=$!
    trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null' EXIT
    for _ in $(seq 50); do
      server_answers && break
      sleep 0.1
    done
  fi

  GSETTINGS_SCHEMA_DIR="$top/_build/data" _build/src/app/sotto
}

case "${1:-}" in
  test) run_tests ;;
  run) run_main ;;
  *)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac
