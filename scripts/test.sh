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

say "Static checks: clippy (warnings are errors), cargo-deny"
cargo clippy --workspace --all-targets --features oas-desktop/custom-protocol -- -D warnings
# Every platform's crates (Windows and macOS ones too), so the licence check sees them all.
cargo fetch --locked >/dev/null
cargo deny --offline check licenses bans sources
# The RustSec database lives on GitHub: checked whenever it can be fetched.
if timeout 90 cargo deny fetch db >/dev/null 2>&1; then
  cargo deny check advisories
else
  echo "cargo-deny advisories: skipped, the advisory database cannot be fetched from here"
fi

# One feature set for tests and the app binary, so cargo builds the workspace once.
say "Rust: unit and integration tests"
cargo test --workspace --features oas-desktop/custom-protocol,oas-desktop/demo

say "Building the app binary and the sandbox for the end-to-end tests"
cargo build --workspace --bins --features oas-desktop/custom-protocol,oas-desktop/demo

say "End to end"
./scripts/e2e.sh

# Installers: the release .deb and .rpm built with the README's command, installed, updated from a
# local feed and removed; the release workflow linted (it runs only on GitHub). About 20 minutes,
# most of it two release builds. OAS_SKIP_INSTALLERS=1 skips them on a developer's machine.
if [ "${OAS_SKIP_INSTALLERS:-}" != 1 ]; then
  say "Release workflow: actionlint"
  ./scripts/lint-workflows.sh
  say "Installers"
  ./scripts/test-installers.sh
fi
