#!/usr/bin/env bash
# OAS Desktop's benchmarks (issue 6), against an empty Tauri app built in the same run.
#
#   ./bench/run.sh                 full run: builds everything, 11 alternating runs each, writes docs/benchmarks.md
#   ./bench/run.sh --runs 11       more runs
#   ./bench/run.sh --quick         smoke test: 1 run of the app, no baseline, 1 API round;
#                                  report in bench/out/benchmarks-quick.md (docs/ untouched)
#   ./bench/run.sh --no-api        skip the API benchmark (cargo bench -p oas-api --bench list_all)
#   ./bench/run.sh --no-ui         skip the UI benchmark with 10,000 organisations (bench/ui_organisations.mjs)
#   ./bench/run.sh --report FILE   write the report elsewhere than docs/benchmarks.md
#   ./bench/run.sh --out DIR      raw results in DIR instead of bench/out (emptied first)
#   CARGO_PROFILE_RELEASE_OPT_LEVEL=3 ./bench/run.sh --out bench/out-o3 --report bench/out-o3/report.md
#                                  tries another release profile on both apps (the report says so)
#   ./bench/run.sh --debug         test this script fast: debug builds in target/ (figures meaningless);
#                                  report in bench/out/benchmarks-debug.md
#
# Release builds go to target/bench (shared by the app, the baseline and the API bench, so
# Tauri's crates build once). Raw numbers, binaries, .debs and logs: bench/out/ (git-ignored).
# Needs: cargo, npm, python3, Xvfb, dbus-run-session, gnome-keyring-daemon, strip, gzip
# (scripts/setup.sh installs them). Not part of any test run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bench="$root/bench"
out="$bench/out"
export PATH="$HOME/.cargo/bin:$PATH"

runs=11
quick=0
api=1
ui=1
debug=0
report=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --runs) runs="$2"; shift ;;
    --no-api) api=0 ;;
    --no-ui) ui=0 ;;
    --report) report="$2"; shift ;;
    --debug) debug=1 ;;
    --out) out=$(mkdir -p "$2" && cd "$2" && pwd); shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [ "$debug" = 1 ]; then
  runs=$([ "$quick" = 1 ] && echo 1 || echo 2)
  api_rounds=1
  mode="debug builds, to test the script: the figures mean nothing"
  report="${report:-$bench/out/benchmarks-debug.md}"
elif [ "$quick" = 1 ]; then
  runs=1
  api_rounds=1
  mode="quick (smoke test: 1 run, no baseline)"
  report="${report:-$bench/out/benchmarks-quick.md}"
else
  api_rounds=5
  mode="full"
  report="${report:-$root/docs/benchmarks.md}"
fi

say() { printf '\n== %s\n' "$*" >&2; }
case "$out" in "$root"|"$bench"|/) echo "run.sh: refusing to empty $out" >&2; exit 2 ;; esac
rm -rf "$out"
mkdir -p "$out/bin" "$out/deb"
if [ "$debug" = 1 ]; then
  export CARGO_TARGET_DIR="$root/target"
  rel="$CARGO_TARGET_DIR/debug"
  cargo_profile=()
  bundle_profile=(--debug)
else
  export CARGO_TARGET_DIR="$root/target/bench"
  rel="$CARGO_TARGET_DIR/release"
  cargo_profile=(--release)
  bundle_profile=()
fi
# The size breakdown by crate (bloat.py) needs the symbols: both binaries are linked with them
# (only the binary's own package, so no dependency rebuilds), then stripped with `strip
# --strip-all` before packaging, as the profile's strip=true would. Stripped into a new file:
# stripped in place, the hard link Cargo keeps in deps/ would be stripped too (with its time
# kept), and the next run's build, up to date, would hand over a binary without symbols. Cargo
# links its own file there again at the next build.
keep_symbols() { [ "$debug" = 1 ] || printf -- "--config\nprofile.release.package.%s.strip=false\n" "$1"; }
strip_and_break_down() { # binary, name
  [ "$debug" = 1 ] && return 0
  python3 "$bench/bloat.py" "$1" --out "$out/bloat-$2.json" --top 25 || true
  strip --strip-all -o "$1.stripped" "$1"
  mv -f "$1.stripped" "$1"
}
# A tree an earlier run.sh stripped in place has Cargo's own file (in deps/) stripped: it is
# removed, so that Cargo links it again, or the break-down would be empty.
relink_if_stripped() { # binary
  [ "$debug" = 1 ] && return 0
  local own
  for own in "$(dirname "$1")/deps/$(basename "$1" | tr - _)"-*; do
    case "$own" in *.d) continue ;; esac
    [ -f "$own" ] || continue
    if [ -z "$(nm --defined-only "$own" 2>/dev/null | head -1)" ]; then
      echo "run.sh: $own was left stripped by an earlier run; linking it again" >&2
      rm -f "$own"
    fi
  done
}

# How many of the start-up functions src-tauri/link-order.txt lists (scripts/link-order.sh) the
# binary has: the linker lays those out side by side; names that changed are skipped.
link_order_match() {
  [ "$debug" = 1 ] && return 0
  local list="$root/src-tauri/link-order.txt"
  [ -f "$list" ] || return 0
  python3 - "$1" "$list" "$out/link-order.json" <<'EOF'
import json, subprocess, sys
binary, listed, out = sys.argv[1:4]
names = {l.strip() for l in open(listed) if l.strip() and not l.startswith("#")}
symbols = set(subprocess.run(["nm", "--defined-only", "--format=just-symbols", binary], capture_output=True, text=True, check=True).stdout.split())
json.dump({"listed": len(names), "found": len(names & symbols)}, open(out, "w"))
EOF
}

# Which commit and how loaded the machine is, for the report. The report this run rewrites does not
# count as a change to the work tree.
unreported=()
report_path=$(realpath -m "$report")
real_root=$(realpath "$root")
[ "${report_path#"$real_root"/}" != "$report_path" ] && unreported=(-- ":(top,exclude)${report_path#"$real_root"/}")
{
  printf '{"commit": "%s", "dirty": %s, "date": "%s", "load_before": "%s"}\n' \
    "$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo '?')" \
    "$( [ -n "$(git -C "$root" status --porcelain --untracked-files=no "${unreported[@]}" 2>/dev/null)" ] && echo true || echo false)" \
    "$(date -u '+%Y-%m-%d %H:%M UTC')" \
    "?"
} > "$out/meta.json"

# ------------------------------------------------------------------ builds
say "UI (npm --prefix ui run build)"
[ -d "$root/ui/node_modules" ] || npm --prefix "$root/ui" ci --no-audit --no-fund
npm --prefix "$root/ui" run build

tauri_cli="$bench/node_modules/.bin/tauri"
if [ ! -x "$tauri_cli" ]; then
  say "Tauri CLI (npm ci in bench/)"
  npm --prefix "$bench" ci --no-audit --no-fund
fi

say "OAS Desktop, ${cargo_profile[*]:-debug} build"
mapfile -t symbols < <(keep_symbols oas-desktop)
relink_if_stripped "$rel/oas-desktop"
# The app alone, as `tauri build` makes it: built with the workspace, its dependencies would have
# the features the sandbox adds (other code, other symbol names than the shipped binary's).
(cd "$root" && cargo build "${cargo_profile[@]}" "${symbols[@]}" --features custom-protocol,demo --bin oas-desktop)
(cd "$root" && cargo build "${cargo_profile[@]}" -p oas-sandbox --bin oas-sandbox)
link_order_match "$rel/oas-desktop"
strip_and_break_down "$rel/oas-desktop" app
# Copied before bundling: `tauri bundle` patches the binary in place.
cp "$rel/oas-desktop" "$out/bin/oas-desktop"

say "OAS Desktop .deb (tauri bundle --bundles deb)"
rm -rf "$rel/bundle/deb"
(cd "$root" && TAURI_APP_PATH="$root" TAURI_FRONTEND_PATH="$root/ui" CI=true \
  "$tauri_cli" bundle "${bundle_profile[@]}" --bundles deb --features custom-protocol,demo --no-sign)
mv "$rel"/bundle/deb/*.deb "$out/deb/app.deb"
rm -rf "$rel/bundle/deb"

if [ "$quick" = 0 ]; then
  say "Baseline, ${cargo_profile[*]:-debug} build (same Cargo.lock and [profile.release] as the app)"
  cp "$root/Cargo.lock" "$bench/baseline/Cargo.lock"
  # Replace the baseline's [profile.release] (everything after the marker) with the root's.
  manifest="$bench/baseline/Cargo.toml"
  marker='# ---- Everything below is replaced by ./bench/run.sh'
  awk -v m="$marker" 'index($0, m) == 1 { print; exit } { print }' "$manifest" > "$manifest.tmp"
  awk '/^\[/ { on = ($0 == "[profile.release]") } on' "$root/Cargo.toml" >> "$manifest.tmp"
  if cmp -s "$manifest" "$manifest.tmp"; then rm "$manifest.tmp"; else mv "$manifest.tmp" "$manifest"; fi
  mapfile -t symbols < <(keep_symbols oas-bench-baseline)
  relink_if_stripped "$rel/oas-bench-baseline"
  (cd "$bench/baseline" && cargo build "${cargo_profile[@]}" "${symbols[@]}" --features custom-protocol --bin oas-bench-baseline)
  strip_and_break_down "$rel/oas-bench-baseline" baseline
  cp "$rel/oas-bench-baseline" "$out/bin/oas-bench-baseline"

  say "Baseline .deb"
  rm -rf "$rel/bundle/deb"
  (cd "$bench/baseline" && TAURI_APP_PATH="$bench/baseline" TAURI_FRONTEND_PATH="$bench/baseline" CI=true \
    "$tauri_cli" bundle "${bundle_profile[@]}" --bundles deb --features custom-protocol --no-sign)
  mv "$rel"/bundle/deb/*.deb "$out/deb/baseline.deb"
  rm -rf "$rel/bundle/deb"

  # The floor under the .deb figure: the baseline with the libraries the app's features need
  # (bench/baseline/src/floor.rs) and the app's Tauri features. Built and packaged only, never
  # run; the same binary name, so it comes after the baseline's copy above.
  say "Floor: the baseline with the app's run-time libraries (--features floor), and its .deb"
  mapfile -t symbols < <(keep_symbols oas-bench-baseline)
  relink_if_stripped "$rel/oas-bench-baseline"
  (cd "$bench/baseline" && cargo build "${cargo_profile[@]}" "${symbols[@]}" --no-default-features --features custom-protocol,floor --bin oas-bench-baseline)
  strip_and_break_down "$rel/oas-bench-baseline" floor
  cp "$rel/oas-bench-baseline" "$out/bin/oas-bench-floor"
  rm -rf "$rel/bundle/deb"
  (cd "$bench/baseline" && TAURI_APP_PATH="$bench/baseline" TAURI_FRONTEND_PATH="$bench/baseline" CI=true \
    "$tauri_cli" bundle "${bundle_profile[@]}" --bundles deb --features custom-protocol,floor --no-sign)
  mv "$rel"/bundle/deb/*.deb "$out/deb/floor.deb"
  rm -rf "$rel/bundle/deb"

  # The floor under the start-up figure: the baseline showing the app's first screen as a static
  # page, taken from the app as painted (bench/first_screen.mjs: its markup and stylesheets, and
  # the baseline's ready script), built in through TAURI_CONFIG. Measured for start-up only, never
  # packaged; the same binary name, so it comes after the copies above.
  # The same screen shown once the page has one answer from Rust (first-screen-ipc/main.js, its
  # command granted by capabilities/first-screen.json only in this build): the floor of a first
  # screen that waits for its data, as the app's waits for the session.
  rm -rf "$out/first-screen" "$out/first-screen-ipc" "$out/bin/oas-bench-first-screen" "$out/bin/oas-bench-first-screen-ipc"
  if command -v tauri-driver >/dev/null; then
    say "Start-up floor: the baseline with the app's first screen as a static page"
    (cd "$root" && OAS_DESKTOP_BIN="$out/bin/oas-desktop" FIRST_SCREEN_DIR="$out/first-screen" \
      FIRST_SCREEN_IPC_DIR="$out/first-screen-ipc" \
      TAURI_DRIVER_PORT=${TAURI_DRIVER_PORT:-4466} E2E_COMMAND="node bench/first_screen.mjs" ./scripts/e2e.sh) \
      >"$out/first-screen.log" 2>&1 || true
    if [ -s "$out/first-screen/index.html" ]; then
      (cd "$bench/baseline" && TAURI_CONFIG="{\"build\":{\"frontendDist\":\"$out/first-screen\"}}" \
        cargo build "${cargo_profile[@]}" --features custom-protocol --bin oas-bench-baseline)
      cp "$rel/oas-bench-baseline" "$out/bin/oas-bench-first-screen"
      (cd "$bench/baseline" && \
        TAURI_CONFIG="{\"build\":{\"frontendDist\":\"$out/first-screen-ipc\"},\"app\":{\"security\":{\"capabilities\":[\"main\",\"first-screen\"]}}}" \
        cargo build "${cargo_profile[@]}" --features custom-protocol,first-screen-ipc --bin oas-bench-baseline)
      cp "$rel/oas-bench-baseline" "$out/bin/oas-bench-first-screen-ipc"
    else
      echo "run.sh: the app's first screen could not be taken (see $out/first-screen.log); no start-up floor" >&2
    fi
  else
    echo "run.sh: no tauri-driver (scripts/setup.sh installs it); no start-up floor" >&2
  fi

  # The floor under the time to rows: the baseline listing with the app's own client and showing
  # every row at once, sorted, as a plain table (src/rows.rs, its page in rows-page/, its two
  # commands granted by capabilities/rows.json only in this build). Timed by rows_floor.mjs.
  say "Rows floor: the baseline listing with the app's client (--features rows)"
  (cd "$bench/baseline" && TAURI_CONFIG='{"build":{"frontendDist":"rows-page"},"app":{"security":{"capabilities":["main","rows"]}}}' \
    cargo build "${cargo_profile[@]}" --features custom-protocol,rows --bin oas-bench-baseline)
  cp "$rel/oas-bench-baseline" "$out/bin/oas-bench-rows"
fi

# ------------------------------------------------------------------ sizes
say "Sizes"
size() { stat -c %s "$1"; }
stripped() { strip --strip-all -o "$1.stripped" "$1" && size "$1.stripped"; }
gz_sum() { local t=0 f; for f in "$@"; do [ -f "$f" ] && t=$((t + $(gzip -9 -c "$f" | wc -c))); done; echo "$t"; }
raw_sum() { local t=0 f; for f in "$@"; do [ -f "$f" ] && t=$((t + $(size "$f"))); done; echo "$t"; }
shopt -s nullglob
ui_files=("$root"/ui/dist/assets/*.js "$root"/ui/dist/assets/*.css)
shopt -u nullglob
[ ${#ui_files[@]} -gt 0 ] || { echo "run.sh: no JS or CSS in ui/dist/assets" >&2; exit 1; }
{
  printf '{"deb_app_bytes": %s, "bin_app_bytes": %s, "ui_gz_bytes": %s, "ui_raw_bytes": %s' \
    "$(size "$out/deb/app.deb")" "$(stripped "$out/bin/oas-desktop")" "$(gz_sum "${ui_files[@]}")" "$(raw_sum "${ui_files[@]}")"
  if [ "$quick" = 0 ]; then
    printf ', "deb_baseline_bytes": %s, "bin_baseline_bytes": %s, "ui_gz_baseline_bytes": %s' \
      "$(size "$out/deb/baseline.deb")" "$(stripped "$out/bin/oas-bench-baseline")" "$(gz_sum "$bench/baseline/page/main.js")"
    printf ', "deb_floor_bytes": %s, "bin_floor_bytes": %s' "$(size "$out/deb/floor.deb")" "$(stripped "$out/bin/oas-bench-floor")"
  fi
  printf '}\n'
} > "$out/sizes.json"
cat "$out/sizes.json" >&2

# ------------------------------------------------------------------ API
if [ "$api" = 1 ]; then
  say "API: cargo bench -p oas-api --bench list_all ($api_rounds rounds)"
  if [ "$debug" = 1 ]; then
    (cd "$root" && cargo test -p oas-api --bench list_all -- --bench --rounds "$api_rounds") > "$out/api.out"
  else
    (cd "$root" && cargo bench -p oas-api --bench list_all -- --rounds "$api_rounds") > "$out/api.out"
  fi
  grep '^{' "$out/api.out" | tail -1 > "$out/api.json"
  [ -s "$out/api.json" ] || { echo "run.sh: the API benchmark printed no result" >&2; exit 1; }
  cat "$out/api.json" >&2

  say "Import: cargo bench -p oas-import --bench preview (10,000 rows)"
  if [ "$debug" = 1 ]; then
    (cd "$root" && cargo test -p oas-import --bench preview -- --bench) > "$out/import.out"
  else
    (cd "$root" && cargo bench -p oas-import --bench preview) > "$out/import.out"
  fi
  grep '^{' "$out/import.out" | tail -1 > "$out/import.json"
  [ -s "$out/import.json" ] || { echo "run.sh: the import benchmark printed no result" >&2; exit 1; }
  cat "$out/import.json" >&2
fi

# ------------------------------------------------------------------ start-up and memory
say "Start-up and memory under Xvfb ($runs run(s) each)"
python3 - "$out/meta.json" <<'EOF'
import json, sys
p = sys.argv[1]
m = json.load(open(p))
m["load_before"] = " ".join(open("/proc/loadavg").read().split()[:3])
json.dump(m, open(p, "w"))
EOF
baseline_args=()
[ "$quick" = 0 ] && baseline_args=(--baseline "$out/bin/oas-bench-baseline")

# measure.py on the app (and whatever else its arguments say) headless (scripts/headless.sh: a
# virtual display, a D-Bus session with an unlocked keychain, a fresh home): both apps start on
# their first screen (OAS Desktop: sign-in).
measure_in_session() {
  HEADLESS_XVFB_LOG="$out/xvfb.log" "$root/scripts/headless.sh" \
    python3 "$bench/measure.py" --app "$out/bin/oas-desktop" --log "$out/apps.log" "$@"
}
measure_in_session "${baseline_args[@]}" --runs "$runs" --out "$out/runs.jsonl" >&2 2>"$out/session.log" || true
python3 - "$out/meta.json" <<'EOF'
import json, sys
p = sys.argv[1]
m = json.load(open(p))
m["load_after"] = " ".join(open("/proc/loadavg").read().split()[:3])
json.dump(m, open(p, "w"))
EOF
[ -s "$out/runs.jsonl" ] || { echo "run.sh: no run was measured (see $out/apps.log)" >&2; exit 1; }

# The start-up floor against the baseline, alternating as above (start-up only: 1 s after ready).
rm -f "$out/runs-first-screen.jsonl"
if [ -x "$out/bin/oas-bench-first-screen" ]; then
  say "Start-up floor: the app's first screen as a static page against the baseline ($runs run(s) each)"
  measure_in_session --app "$out/bin/oas-bench-first-screen" --app-kind first_screen "${baseline_args[@]}" --runs "$runs" \
    --settle 1 --out "$out/runs-first-screen.jsonl" >&2 2>>"$out/session.log" || true
fi
rm -f "$out/runs-first-screen-ipc.jsonl"
if [ -x "$out/bin/oas-bench-first-screen-ipc" ]; then
  say "Start-up floor with one IPC: the same screen shown after one answer from Rust, against the baseline ($runs run(s) each)"
  measure_in_session --app "$out/bin/oas-bench-first-screen-ipc" --app-kind first_screen_ipc "${baseline_args[@]}" --runs "$runs" \
    --settle 1 --out "$out/runs-first-screen-ipc.jsonl" >&2 2>>"$out/session.log" || true
fi

# A diagnostic, never how the app runs: the app at rest with JavaScriptCore's optimising compiler
# (DFG) off, to show how much of the memory figure is that compiler, paged in once the UI's
# framework code has run hot enough while the first screen is built.
rm -f "$out/runs-nodfg.jsonl"
if [ "$quick" = 0 ]; then
  say "Memory diagnostic: the app with JavaScriptCore's DFG compiler off (3 runs)"
  measure_in_session --runs 3 --warmup 0 --app-env JSC_useDFGJIT=false --out "$out/runs-nodfg.jsonl" \
    >&2 2>>"$out/session.log" || true
fi

# ------------------------------------------------------------------ UI with 10,000 organisations
if [ "$ui" = 1 ]; then
  say "UI: time to rows and search keystroke with 10,000 organisations (through tauri-driver)"
  command -v tauri-driver >/dev/null || { echo "run.sh: tauri-driver is needed (scripts/setup.sh installs it)" >&2; exit 1; }
  (cd "$root" && OAS_DESKTOP_BIN="$out/bin/oas-desktop" OAS_SANDBOX_BIN="$rel/oas-sandbox" \
    BENCH_ROUNDS=$([ "$quick" = 1 ] && echo 1 || echo 5) TAURI_DRIVER_PORT=${TAURI_DRIVER_PORT:-4466} \
    E2E_COMMAND="node bench/ui_organisations.mjs" ./scripts/e2e.sh) 2>"$out/ui.log" | grep '^{' | tail -1 > "$out/ui.json" || true
  [ -s "$out/ui.json" ] || { echo "run.sh: the UI benchmark printed no result (see $out/ui.log)" >&2; exit 1; }
  cat "$out/ui.json" >&2

  say "UI: time to rows with the sandbox 20 ms away (as the API benchmark's latency figure)"
  (cd "$root" && OAS_DESKTOP_BIN="$out/bin/oas-desktop" OAS_SANDBOX_BIN="$rel/oas-sandbox" BENCH_LATENCY_MS=20 \
    BENCH_ROUNDS=$([ "$quick" = 1 ] && echo 1 || echo 3) TAURI_DRIVER_PORT=${TAURI_DRIVER_PORT:-4466} \
    E2E_COMMAND="node bench/ui_organisations.mjs" ./scripts/e2e.sh) 2>"$out/ui-latency.log" | grep '^{' | tail -1 > "$out/ui-latency.json" || true
  [ -s "$out/ui-latency.json" ] && cat "$out/ui-latency.json" >&2 || echo "run.sh: the UI benchmark with latency printed no result (see $out/ui-latency.log)" >&2

  rm -f "$out/rows-floor.json"
  if [ -x "$out/bin/oas-bench-rows" ]; then
    say "UI floor: time to rows of the baseline listing with the app's client, every row at once"
    (cd "$root" && OAS_DESKTOP_BIN="$out/bin/oas-bench-rows" OAS_SANDBOX_BIN="$rel/oas-sandbox" \
      BENCH_ROUNDS=$([ "$quick" = 1 ] && echo 1 || echo 5) TAURI_DRIVER_PORT=${TAURI_DRIVER_PORT:-4466} \
      E2E_COMMAND="node bench/rows_floor.mjs" ./scripts/e2e.sh) 2>"$out/rows-floor.log" | grep '^{' | tail -1 > "$out/rows-floor.json" || true
    [ -s "$out/rows-floor.json" ] && cat "$out/rows-floor.json" >&2 || echo "run.sh: the rows floor printed no result (see $out/rows-floor.log)" >&2
  fi
fi

# ------------------------------------------------------------------ signed in (issue 12)
if [ "$ui" = 1 ]; then
  say "Signed in: start-up with a stored session, memory with 10,000 organisations listed (through tauri-driver)"
  (cd "$root" && OAS_DESKTOP_BIN="$out/bin/oas-desktop" OAS_SANDBOX_BIN="$rel/oas-sandbox" \
    BENCH_ROUNDS="$runs" TAURI_DRIVER_PORT="${BENCH_SIGNED_IN_PORT:-4468}" \
    E2E_COMMAND="node bench/signed_in.mjs" ./scripts/e2e.sh) 2>"$out/signed_in.log" | grep '^{' | tail -1 > "$out/signed_in.json" || true
  [ -s "$out/signed_in.json" ] && cat "$out/signed_in.json" >&2 || echo "run.sh: the signed-in benchmark printed no result (see $out/signed_in.log)" >&2
fi

# ------------------------------------------------------------------ report
say "Report: $report"
python3 "$bench/report.py" --out-dir "$out" --report "$report" --root "$root" --mode "$mode"
cat "$report"
if grep -q '"error"' "$out/runs.jsonl"; then
  echo "run.sh: some runs failed (see $out/runs.jsonl and $out/apps.log)" >&2
  exit 1
fi
