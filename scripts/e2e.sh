#!/usr/bin/env bash
# Runs the end-to-end tests headless (scripts/headless.sh: a virtual display, a private D-Bus
# session with an unlocked gnome-keyring, a fresh home) against the app binary in target/debug
# (see scripts/test.sh to build it).
# E2E_COMMAND runs something else in that same environment (scripts/screenshot.sh uses it).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# shellcheck disable=SC2086 # E2E_COMMAND is a command line: split into words on purpose
exec ./scripts/headless.sh ${E2E_COMMAND:-npm --prefix e2e test}
