#!/usr/bin/env bash
# The installers, proven on this machine (scripts/test.sh runs this, so CI does):
#  1. builds the release .deb and .rpm with the README's command (`npx tauri build`), merged with
#     a TEST update configuration (test key, loopback feed), then the same app as version N+1;
#  2. installs the .deb with `apt-get install ./….deb` and checks that its declared dependencies
#     cover every library the binary loads, and its desktop entry (English and Spanish) and icons;
#  3. starts the installed app from its desktop entry's Exec under Xvfb and, through tauri-driver,
#     signs in to the sandbox, refuses an update with a foreign signature, then installs the signed
#     N+1 from the local feed and comes back signed in (e2e/installed/);
#  4. removes the package and checks nothing of it is left in /usr;
#  5. checks that the .rpm holds the same files as the .deb (`rpm -qpl`).
# It needs root (apt-get, dpkg) or sudo. AppImage, Windows and macOS installers are built only by
# .github/workflows/release.yml (their tools cannot be fetched here).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
seconds() { date +%s; }
started=$(seconds)

# rpm reads the .rpm; sudo is the updater's last way to run `dpkg -i` (as root it asks nothing);
# desktop-file-validate checks the desktop entry.
APT_PACKAGES=(rpm sudo desktop-file-utils)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing what the installer checks need: ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
[ -x node_modules/.bin/tauri ] || npm ci --no-audit --no-fund
[ -x target/debug/oas-sandbox ] || cargo build -p oas-sandbox

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
next="${version%.*}.$((${version##*.} + 1))"
feed_port=${OAS_FEED_PORT:-4479}
work=$(mktemp -d /tmp/oas-installers.XXXXXX)
package=""
cleanup() {
  # Never leave the test's package installed, even when a step failed.
  if [ -n "$package" ] && dpkg-query -W "$package" >/dev/null 2>&1; then
    as_root apt-get remove -y -q --purge "$package" >/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The test configuration, merged over tauri.conf.json with --config: the TEST update key
# (scripts/installers/), a loopback feed over plain http, signed update artifacts. Release builds
# merge scripts/release-config.mjs's output instead; plain `npx tauri build` merges nothing.
test_config() { # $1: a version to build instead of Cargo.toml's (for N+1), or nothing
  local version_line=""
  [ -z "${1:-}" ] || version_line="\"version\": \"$1\","
  cat <<EOF
{ $version_line
  "bundle": { "createUpdaterArtifacts": true },
  "plugins": {
    "updater": {
      "pubkey": "$(cat scripts/installers/test-updater.key.pub)",
      "endpoints": ["http://127.0.0.1:$feed_port/latest.json"],
      "dangerousInsecureTransportProtocol": true
    }
  }
}
EOF
}
test_config "" >"$work/n.conf.json"
test_config "$next" >"$work/next.conf.json"
export TAURI_SIGNING_PRIVATE_KEY="$PWD/scripts/installers/test-updater.key"
export TAURI_SIGNING_PRIVATE_KEY_PASSWORD=oas-desktop-test-key

bundles=target/release/bundle
say "Release build of $version: npx tauri build --bundles deb,rpm --config <test update config>"
t=$(seconds)
npx tauri build --ci --bundles deb,rpm --config "$work/n.conf.json"
deb=$(find "$bundles/deb" -maxdepth 1 -name "*_${version}_*.deb" | head -1)
rpm=$(find "$bundles/rpm" -maxdepth 1 -name "*-${version}-*.rpm" | head -1)
if [ ! -f "$deb" ] || [ ! -f "$rpm" ]; then echo "no .deb or .rpm of $version in $bundles" >&2; exit 1; fi
cp "$deb" "$work/n.deb"
cp "$rpm" "$work/n.rpm"
echo "built in $(($(seconds) - t)) s: $deb ($(du -h "$deb" | cut -f1)), $rpm ($(du -h "$rpm" | cut -f1))"

say "Release build of $next, the update (only the version differs)"
t=$(seconds)
npx tauri build --ci --bundles deb --config "$work/next.conf.json"
next_deb=$(find "$bundles/deb" -maxdepth 1 -name "*_${next}_*.deb" | head -1)
if [ ! -f "$next_deb" ] || [ ! -f "$next_deb.sig" ]; then echo "no signed .deb of $next in $bundles" >&2; exit 1; fi
cp "$next_deb" "$work/next.deb"
cp "$next_deb.sig" "$work/next.deb.sig"
echo "built in $(($(seconds) - t)) s"

say "A signature of the update by another key (the feed that must be refused)"
foreign() { env -u TAURI_SIGNING_PRIVATE_KEY -u TAURI_SIGNING_PRIVATE_KEY_PASSWORD npx tauri signer "$@" >/dev/null; }
foreign generate --ci -p foreign -w "$work/foreign.key"
cp "$work/next.deb" "$work/foreign.deb"
foreign sign -f "$work/foreign.key" -p foreign "$work/foreign.deb"
[ -f "$work/foreign.deb.sig" ]

say "Installing $(basename "$deb") with apt-get (its declared dependencies only)"
package=$(dpkg-deb -f "$work/n.deb" Package)
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$work/n.deb"
[ "$(dpkg-query -W -f='${Version}' "$package")" = "$version" ]

say "Its declared dependencies cover every library the installed binary loads"
desktop=$(dpkg -L "$package" | grep '^/usr/share/applications/.*\.desktop$')
exec_name=$(sed -n 's/^Exec=//p' "$desktop" | head -1)
exec_name=${exec_name%% *}
binary=$(command -v "$exec_name")
dpkg -L "$package" | grep -qx "$binary"
closure=$(apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts \
  --no-breaks --no-replaces --no-enhances "$package" | grep -v '^ ' | sed 's/:.*//' | sort -u)
uncovered=()
while read -r lib; do
  owner=""
  for path in "$lib" "$(readlink -f "$lib")" "${lib#/usr}"; do
    owner=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1) && [ -n "$owner" ] && break
  done
  grep -qx "$owner" <<<"$closure" || uncovered+=("$lib (${owner:-no package})")
done < <(ldd "$binary" | awk '/=> \// { print $3 }')
if [ ${#uncovered[@]} -gt 0 ]; then
  printf 'not covered by the package'"'"'s Depends: %s\n' "${uncovered[@]}" >&2
  exit 1
fi
echo "$(ldd "$binary" | grep -c '=> /') libraries, all from $package's dependencies"

say "Desktop entry and icons"
desktop-file-validate "$desktop"
for key in 'Name' 'Comment' 'Keywords' 'GenericName'; do
  if ! grep -q "^$key=" "$desktop" || ! grep -q "^$key\[es\]=" "$desktop"; then
    echo "$desktop: no $key in English and Spanish" >&2
    exit 1
  fi
done
icon=$(sed -n 's/^Icon=//p' "$desktop")
for size in 32x32 128x128 256x256@2 512x512; do
  ls /usr/share/icons/hicolor/"$size"*/apps/"$icon".png >/dev/null
done
cat "$desktop"

say "The installed app, from its desktop entry (Exec=$exec_name): sign in, updates"
OAS_DESKTOP_BIN=$binary OAS_PACKAGE=$package OAS_INSTALLED_VERSION=$version \
  OAS_UPDATE_VERSION=$next OAS_UPDATE_DEB=$work/next.deb OAS_UPDATE_SIG=$work/next.deb.sig \
  OAS_UPDATE_FOREIGN_SIG=$work/foreign.deb.sig OAS_FEED_PORT=$feed_port \
  E2E_COMMAND="npm --prefix e2e run test:installed" ./scripts/e2e.sh

say "Removing the package leaves nothing in /usr"
files=$(dpkg -L "$package")
as_root apt-get remove -y -q --purge "$package"
left=()
while read -r path; do
  if [ -e "$path" ] || [ -L "$path" ]; then [ -d "$path" ] && [ ! -L "$path" ] || left+=("$path"); fi
done <<<"$files"
while read -r path; do left+=("$path"); done < <(find /usr -iname "*$package*" -o -iname '*OAS Desktop*' 2>/dev/null)
if [ ${#left[@]} -gt 0 ]; then
  printf 'left behind: %s\n' "${left[@]}" >&2
  exit 1
fi
package=""
echo "removed: $(wc -l <<<"$files") paths checked"

say "The .rpm holds the same files as the .deb (rpm -qpl)"
# dpkg-deb -c: mode, owner, size, date, time, path (which may hold spaces); files, not directories.
dpkg-deb -c "$work/n.deb" | awk '$1 !~ /^d/' | sed -E 's/^([^ ]+ +){5}//; s|^\./|/|; s|^([^/])|/\1|' | sort >"$work/deb.files"
# rpm -qpl names directories too: keep what the package's modes say are not directories.
rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$work/n.rpm" | grep -v '^d' | cut -d' ' -f2- | sort >"$work/rpm.files"
comm -23 "$work/rpm.files" <(rpm -qpl "$work/n.rpm" | sort) | grep . && exit 1
if ! diff -u --label deb "$work/deb.files" --label rpm "$work/rpm.files"; then
  echo "the .deb and the .rpm do not install the same files" >&2
  exit 1
fi
echo "$(wc -l <"$work/deb.files") files in both; the .rpm requires: $(rpm -qpR "$work/n.rpm" | grep -v '^rpmlib' | tr '\n' ' ')"

say "Installers checked in $(($(seconds) - started)) s"
