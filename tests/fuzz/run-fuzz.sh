#!/bin/sh
# Runs one libFuzzer target for a few seconds over its seed corpus.
# New inputs go to a scratch directory, never into the source tree; a
# failing input is printed in base64 so it can be added to the corpus.
set -u
target=$1
seeds=$2
seconds=$3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/corpus"
# libFuzzer's own exit code for a crash is 77, which meson reads as a
# skipped test: a failure must say so.
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -error_exitcode=1 -timeout_exitcode=1 \
  -artifact_prefix="$scratch/" -print_final_stats=1 "$scratch/corpus" "$seeds"
status=$?
if [ "$status" -ne 0 ]; then
  for f in "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* "$scratch"/oom-*; do
    [ -f "$f" ] || continue
    echo "failing input $(basename "$f") (base64):"
    base64 "$f"
  done
fi
exit "$status"
