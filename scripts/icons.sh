#!/usr/bin/env bash
# Regenerates every icon in icons/ (window, desktop entry, installers, About) from the one
# source, icons/source.svg, with the Tauri CLI (RGBA PNGs, .ico, .icns). Mobile icons are not kept.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/tauri ] || npm ci --no-audit --no-fund
npx tauri icon icons/source.svg --output icons
rm -rf icons/android icons/ios
