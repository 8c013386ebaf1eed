#!/usr/bin/env bash
# Regenerates docs/screenshot.png from the real app (build it first: see scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p docs
TAURI_DRIVER_PORT=${TAURI_DRIVER_PORT:-4455} E2E_COMMAND="node e2e/screenshot.mjs ${1:-}" ./scripts/e2e.sh
