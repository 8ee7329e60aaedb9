#!/bin/sh
# Fails when a file with translatable strings (C, GtkBuilder, desktop entry,
# metainfo, settings schema) is missing from po/POTFILES.in, or when the
# list names a file that does not exist.
set -eu
export LC_ALL=C
top=$1
cd "$top"
status=0
listed=$(mktemp)
trap 'rm -f "$listed"' EXIT
grep -v '^#' po/POTFILES.in | sed '/^$/d' | sort > "$listed"

translatable=$( {
  grep -rlE '(^|[^A-Za-z0-9_])(N?_|C_|NC_|g_dn?gettext)\s*\(' src --include='*.c'
  grep -rl 'translatable="yes"' src --include='*.ui'
  ls data/*.desktop.in data/*.metainfo.xml.in data/*.gschema.xml 2>/dev/null
} | sort -u)

for file in $translatable; do
  if ! grep -qx "$file" "$listed"; then
    echo "missing from po/POTFILES.in: $file"
    status=1
  fi
done

while read -r file; do
  if [ ! -f "$file" ]; then
    echo "po/POTFILES.in names a missing file: $file"
    status=1
  fi
done < "$listed"

if ! sort -c "$listed" 2>/dev/null; then
  echo "po/POTFILES.in is not sorted"
  status=1
fi

exit $status
