#!/usr/bin/env bash
# Installs what is missing, starts a local OAS sandbox with a demo account, and opens
# OAS Desktop with that account filled in. Works offline once installed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

OAS_SKIP_DRIVER=1 ./scripts/setup.sh

say "Building the UI and the app (the first build takes a few minutes)"
npm --prefix ui run build
cargo build --workspace --bins --features oas-desktop/custom-protocol,oas-desktop/demo

state="${XDG_STATE_HOME:-$HOME/.local/state}/oas-desktop-demo"
mkdir -p "$state"
credentials="$state/demo-account.json"
rm -f "$credentials"

say "Starting the OAS sandbox"
target/debug/oas-sandbox serve --addr 127.0.0.1:8765 --db "$state/sandbox.db" --demo \
  --credentials-out "$credentials" &
sandbox=$!
trap 'kill $sandbox 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$credentials" ] && break; sleep 0.1; done
[ -s "$credentials" ] || { echo "The sandbox did not start (is port 8765 in use?)" >&2; exit 1; }

say "Opening OAS Desktop (close its window to stop the demo)"
OAS_DESKTOP_DEMO_CREDENTIALS="$credentials" target/debug/oas-desktop
