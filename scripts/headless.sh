#!/usr/bin/env bash
# Runs a command the way the app runs on a desktop, without one: on a virtual display (Xvfb), in a
# private D-Bus session with an unlocked gnome-keyring, in a fresh home, with the settings
# WebKitGTK needs there. The one place that sets this up, for the e2e tests (scripts/e2e.sh), the
# benchmarks (bench/run.sh) and scripts/link-order.sh.
#
#   scripts/headless.sh COMMAND [ARG...]
#
# HEADLESS_HOME      the home to use (default: a new temporary folder, removed afterwards)
# HEADLESS_XVFB_LOG  a file Xvfb's output is appended to (default: none)
#
# The exit status is COMMAND's. The display, the D-Bus session and the keyring end with it.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: scripts/headless.sh COMMAND [ARG...]" >&2; exit 2; }
for tool in Xvfb dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || { echo "headless.sh: needs $tool (scripts/setup.sh installs it)" >&2; exit 1; }
done

tmp=$(mktemp -d)
xvfb=""
cleanup() {
  if [ -n "$xvfb" ]; then kill "$xvfb" 2>/dev/null || true; wait "$xvfb" 2>/dev/null || true; fi
  # Whatever the command left running may still write there; the command's status stands.
  rm -rf "$tmp" 2>/dev/null || true
}
trap cleanup EXIT

# Xvfb picks a free display itself and writes its number to fd 3 once it accepts connections.
Xvfb -displayfd 3 -screen 0 1280x860x24 -nolisten tcp 3>"$tmp/display" >>"${HEADLESS_XVFB_LOG:-/dev/null}" 2>&1 &
xvfb=$!
for _ in $(seq 100); do
  [ -s "$tmp/display" ] && break
  kill -0 "$xvfb" 2>/dev/null || break
  sleep 0.1
done
[ -s "$tmp/display" ] || { echo "headless.sh: Xvfb did not start" >&2; exit 1; }

home=${HEADLESS_HOME:-$tmp/home}
mkdir -p "$home"
export DISPLAY=":$(cat "$tmp/display")"
# The XDG folders default to ones under HOME: a process started with another HOME (the e2e
# tests' private keyring) gets folders of its own.
export HOME="$home"
unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_STATE_HOME
# Software rendering (no GPU under Xvfb) and no accessibility bridge to wait for.
export WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1 NO_AT_BRIDGE=1

set +e
dbus-run-session -- bash -c '
  echo -n headless | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
  exec "$@"
' headless "$@"
status=$?
set -e
exit "$status"
