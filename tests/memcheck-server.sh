#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs the server integration suites with every sotto-server process under
# valgrind memcheck, and fails on any invalid access or definite leak.
#
#   bash tests/memcheck-server.sh [BUILD_DIR]     (default: _build)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/_build}" && pwd)
command -v valgrind >/dev/null || { echo "memcheck-server: install valgrind first" >&2; exit 2; }

logs=$(mktemp -d)
wrapper="$logs/sotto-server"
trap 'rm -rf "$logs"' EXIT

cat >"$wrapper" <<WRAP
#!/bin/sh
exec valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \\
  --log-file="$logs/server.%p.log" "$build/src/server/sotto-server" "\$@"
WRAP
chmod +x "$wrapper"

suites=(test-server test-server-rooms test-server-moderation test-server-state test-server-blobs)
ninja -C "$build" src/server/sotto-server "${suites[@]/#/tests/}" >/dev/null
status=0
for suite in "${suites[@]}"; do
  SOTTO_SERVER="$wrapper" G_DEBUG=gc-friendly "$build/tests/$suite" || status=$?
done

runs=$(find "$logs" -name 'server.*.log' | wc -l)
if grep -lE "Invalid (read|write|free)|uninitialised|definitely lost in" "$logs"/server.*.log >/dev/null 2>&1; then
  grep -hE -A20 "Invalid (read|write|free)|uninitialised|definitely lost in" "$logs"/server.*.log
  status=1
fi
echo "memcheck-server: $runs server processes checked, suite status $status"
exit $status
