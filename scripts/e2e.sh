#!/usr/bin/env bash
# Runs the end-to-end tests on a virtual display, in a private D-Bus session with an unlocked
# gnome-keyring, against the app binary in target/debug (see scripts/test.sh to build it).
# E2E_COMMAND runs something else in that same environment (scripts/screenshot.sh uses it).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1280x860x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done

export DISPLAY=$display
export WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1 NO_AT_BRIDGE=1
export E2E_HOME=$(mktemp -d)
dbus-run-session -- bash -c '
  set -euo pipefail
  export HOME="$E2E_HOME"
  echo -n "e2e-keyring-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  ${E2E_COMMAND:-npm --prefix e2e test}
'
