#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests (against the real sandbox), the UI's Vitest
# tests, and the end-to-end tests that drive the real app through tauri-driver under Xvfb with
# gnome-keyring as the keychain. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

./scripts/setup.sh

say "UI: type check, build, unit tests"
npm --prefix ui run build
npm --prefix ui test

# One feature set for tests and the app binary, so cargo builds the workspace once.
say "Rust: unit and integration tests"
cargo test --workspace --features oas-desktop/custom-protocol,oas-desktop/demo

say "Building the app binary and the sandbox for the end-to-end tests"
cargo build --workspace --bins --features oas-desktop/custom-protocol,oas-desktop/demo

say "End to end"
./scripts/e2e.sh
