#!/bin/sh
# Runs a UI test in its own X server (Xvfb) and D-Bus session, so that it
# needs no desktop and leaves none behind.
set -eu
exec xvfb-run -a -s "-screen 0 1600x1200x24 -nolisten tcp" dbus-run-session -- "$@"
