#!/usr/bin/env bash
# Regenerates src-tauri/link-order.txt: the functions of the app's binary that run from launch to
# 10 s after the first screen (sign-in, empty profile).
#
# Why: Linux maps a program's code into memory 64 KiB at a time around each page it touches
# ("fault-around"). With the start-up code scattered over the 6 MiB of .text, a launch touched
# 4.4 MiB of it. src-tauri/build.rs hands this list to the linker (LLD's
# --symbol-ordering-file, Linux x86_64 release builds), which lays those functions out side by
# side: 1.4–2.0 MiB is touched instead (docs/benchmarks.md, "Memory" and "Start-up functions").
#
# When: after a Rust toolchain update, a dependency update or a version bump (symbol names carry
# hashes that change with them: docs/releasing.md), or when start-up runs other code. A stale
# list only loses the effect (no error): bench/run.sh reports how many of its functions the
# binary still has. The list records the compiler that made it; the release workflow builds the
# Linux packages with that one.
#
# How: a release build with the symbols (target/bench, as bench/run.sh), run under
# Valgrind's callgrind under Xvfb with a D-Bus session and an unlocked gnome-keyring, three times
# (LINK_ORDER_RUNS): the list is every function any of them ran, as the threads' timing varies.
# Then, where perf is installed, as many real launches of a build with that list add what they
# touched outside it (code that runs only when threads race). Needs valgrind (`apt install
# valgrind`), and perf for the second step (`apt install linux-perf`); about 7 minutes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/src-tauri/link-order.txt"
export PATH="$HOME/.cargo/bin:$PATH"
command -v valgrind >/dev/null || { echo "link-order.sh: needs valgrind (apt install valgrind)" >&2; exit 1; }

say() { printf '\n== %s\n' "$*" >&2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

say "UI and release build with symbols (target/bench)"
[ -d "$root/ui/node_modules" ] || npm --prefix "$root/ui" ci --no-audit --no-fund
npm --prefix "$root/ui" run build >&2
export CARGO_TARGET_DIR="$root/target/bench"
(cd "$root" && cargo build --release --config profile.release.package.oas-desktop.strip=false \
  --features custom-protocol,demo --bin oas-desktop)
bin="$CARGO_TARGET_DIR/release/oas-desktop"

# Runs the command "$@" (the app, under a tool) headless with an empty profile (scripts/headless.sh:
# a fresh X server, D-Bus session, unlocked keyring and home), until 10 s after its first screen
# (or, with WAIT=seconds, for that long: a build without the demo feature writes no ready file);
# then ends it.
launch() {
  rm -f "$work/ready"
  OAS_DESKTOP_READY_FILE="$work/ready" OAS_DESKTOP_PHASES_FILE="$work/phases.json" \
    "$root/scripts/headless.sh" bash -c '
      ready=$1 wait=$2; shift 2
      "$@" >/dev/null 2>>"$(dirname "$ready")/tool.log" &
      app=$!
      if [ -n "$wait" ]; then
        sleep "$wait"
      else
        for _ in $(seq 1200); do [ -s "$ready" ] && break; sleep 0.1; done
        [ -s "$ready" ] || { echo "link-order.sh: the app never showed its first screen" >&2; kill $app; exit 1; }
        sleep 10
      fi
      kill -TERM $app; wait $app || true
    ' x "$work/ready" "${WAIT:-}" "$@"
}

runs=${LINK_ORDER_RUNS:-3}
say "$runs launches under callgrind, each until 10 s after the first screen"
for run in $(seq "$runs"); do
  launch valgrind --tool=callgrind --fair-sched=yes --demangle=no --callgrind-out-file="$work/callgrind.$run.out" "$bin"
done

# The released build has no demo feature, and a crate's features are part of its symbols' hashes:
# the app's own functions, and every generic one they instantiate, have other names there. So the
# list holds both builds' names; each build finds its own.
say "The build without the demo feature (as released): one launch under callgrind, 40 s"
(cd "$root" && cargo build --release --config profile.release.package.oas-desktop.strip=false \
  --features custom-protocol --bin oas-desktop)
WAIT=40 launch valgrind --tool=callgrind --fair-sched=yes --demangle=no --callgrind-out-file="$work/callgrind.released.out" "$bin"

say "Writing $out"
python3 - "$bin" "$out" "$(rustc --version)" "$work"/callgrind.*.out <<'EOF'
import re, sys
binary, out, rustc, profiles = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
names, seen = [], set()
for profile in profiles:
    # Callgrind's format names objects (ob=) and functions (fn=) once with an id, then by id alone.
    objects, functions, current = {}, {}, None
    for line in open(profile, errors="replace"):
        line = line.rstrip("\n")
        m = re.match(r"^(c?ob)=\((\d+)\)(?: (.*))?$", line)
        if m:
            if m.group(3):
                objects[m.group(2)] = m.group(3)
            if m.group(1) == "ob":
                current = objects[m.group(2)]
            continue
        m = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?$", line)
        if not m:
            continue
        if m.group(3):
            functions[m.group(2)] = m.group(3)
        if m.group(1) == "fn" and current == binary:
            # "'2" marks a recursion depth; "(below main)" is Valgrind's, not a symbol.
            name = re.sub(r"'\d+$", "", functions[m.group(2)])
            if name not in seen and not name.startswith("("):
                seen.add(name)
                names.append(name)
if len(names) < 200:
    sys.exit(f"link-order.sh: only {len(names)} functions of the binary ran: see the callgrind logs")
with open(out, "w") as f:
    f.write("# Generated by scripts/link-order.sh: never edit by hand, run it again.\n")
    f.write(f"# The functions that ran from launch to 10 s after the first screen ({len(profiles)} launches, empty profile,\n")
    f.write("# with and without the demo feature);\n")
    f.write("# src-tauri/build.rs passes this file to the linker (Linux x86_64 release builds).\n")
    # The names carry hashes of this compiler, Cargo.lock and the crates' versions; the release
    # workflow builds Linux packages with this compiler.
    f.write(f"# {rustc}\n")
    for name in names:
        f.write(name + "\n")
print(f"{len(names)} functions", file=sys.stderr)
EOF

# Valgrind runs one thread at a time, so code that only runs when threads race (a task's handle
# dropped while it still runs, say) never shows there. Real launches of a build with the list,
# recorded by perf, add the functions whose first touch still came outside it.
if command -v perf >/dev/null; then
  say "Build with that list; $runs real launches with perf: functions touched outside it"
  (cd "$root" && cargo build --release --config profile.release.package.oas-desktop.strip=false \
    --features custom-protocol,demo --bin oas-desktop)
  for run in $(seq "$runs"); do
    launch perf record -q -e page-faults:u -c 1 -d -o "$work/faults.$run.data" -- "$bin"
  done
  python3 - "$bin" "$out" "$work"/faults.*.data <<'EOF'
import bisect, re, subprocess, sys
binary, out, recordings = sys.argv[1], sys.argv[2], sys.argv[3:]
listed = [l.rstrip("\n") for l in open(out)]
names = {l for l in listed if l and not l.startswith("#")}
text = next(l.split() for l in subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout.splitlines() if " .text " in l)
text_start, text_end = int(text[text.index(".text") + 2], 16), int(text[text.index(".text") + 2], 16) + int(text[text.index(".text") + 4], 16)
symbols = []
for line in subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True, text=True, check=True).stdout.splitlines():
    m = re.match(r"([0-9a-f]+) ([0-9a-f]+) [tT] (\S+)$", line)
    if m:
        symbols.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3)))
symbols.sort()
starts = [s[0] for s in symbols]
added = []
for recording in recordings:
    script = subprocess.run(["perf", "script", "-i", recording, "--show-mmap-events", "-F", "addr"], capture_output=True, text=True).stdout
    maps = [(int(m.group(1), 16), int(m.group(2), 0)) for m in re.finditer(r"\[0x([0-9a-f]+)\(0x[0-9a-f]+\) @ (0x[0-9a-f]+|\d+) .*" + re.escape(binary), script)]
    if not maps:
        continue
    base = min(start - offset for start, offset in maps)
    for line in script.splitlines():
        m = re.match(r"\s*([0-9a-f]+)\s*$", line)
        if not m:
            continue
        address = int(m.group(1), 16) - base
        if not text_start <= address < text_end:
            continue
        i = bisect.bisect_right(starts, address) - 1
        if i >= 0 and address < symbols[i][0] + symbols[i][1] and symbols[i][2] not in names:
            names.add(symbols[i][2])
            added.append(symbols[i][2])
with open(out, "w") as f:
    f.write("\n".join(listed + added) + "\n")
print(f"{len(added)} functions added from real launches", file=sys.stderr)
EOF
else
  echo "link-order.sh: no perf (apt install linux-perf): the list has only what callgrind saw" >&2
fi
