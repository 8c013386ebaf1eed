#!/usr/bin/env python3
"""Start-up and memory of OAS Desktop and the baseline, side by side (run by ./bench/run.sh).

Runs inside the display and D-Bus session that run.sh prepares. For each run: spawn the binary
with OAS_DESKTOP_READY_FILE set, wait for the ready line (Unix time in ns written once the first
screen is painted), start-up = ready - spawn; 10 s later, memory = PSS summed over the process
and all its descendants (WebKitWebProcess, WebKitNetworkProcess, ...), from
/proc/<pid>/smaps_rollup. Then the tree is ended, by pid. App and baseline runs alternate; one
unmeasured warm-up run of each comes first. Writes one JSON object per run to --out (JSON lines).
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

READY_ENV = "OAS_DESKTOP_READY_FILE"
# Both apps write their start-up phases there (JSON) just before the ready line.
PHASES_ENV = "OAS_DESKTOP_PHASES_FILE"
# The phases, in the order they happen: Rust's marks (ns), then the page's (ms); the time of each
# is measured from the spawn.
PHASES = [
    ("rust_ns", "main", "process started: main() entered"),
    ("rust_ns", "setup", "Rust set-up done (plugins, state)"),
    ("rust_ns", "page_load_started", "webview created, page requested"),
    ("page_ms", "html_parsed", "HTML parsed"),
    ("page_ms", "js_evaluated", "JS evaluated (every module)"),
    ("page_ms", "first_ipc_answered", "first IPC answered (what the first screen needs)"),
    ("page_ms", "screen_built", "first screen built (mounted, its start-up effects run)"),
    ("page_ms", "frame_begun", "its style and layout done, the rendering update begun (animation frame)"),
    ("page_ms", "painted", "first screen painted"),
]


def phases_since(path, t0_ns):
    """The phases of one run, in ms since the spawn, or None without a phases file."""
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    out = {}
    for source, name, _ in PHASES:
        v = data.get(source, {}).get(name)
        if v is None:
            continue
        ns = v if source == "rust_ns" else v * 1e6
        out[name] = round((ns - t0_ns) / 1e6, 1)
    return out


def children_map():
    kids = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
        except OSError:
            continue
        # comm may hold spaces and parentheses: the fields after the last ')' are fixed.
        rest = stat[stat.rfind(")") + 2:].split()
        ppid = int(rest[1])
        kids.setdefault(ppid, []).append(int(name))
    return kids


def tree(pid):
    kids = children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def exe_name(pid):
    """The program's name (comm is cut at 15 characters: WebKitWebProces)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv0 = f.read().split(b"\0", 1)[0].decode(errors="replace")
        return os.path.basename(argv0) or comm(pid)
    except OSError:
        return comm(pid)


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def end_tree(pids, grace=5.0):
    """SIGTERM each process of the tree by pid, then SIGKILL those still alive."""
    for p in pids:
        try:
            os.kill(p, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not any(os.path.exists(f"/proc/{p}") and comm(p) != "?" and not is_zombie(p) for p in pids):
            return
        time.sleep(0.05)
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


def is_zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
        return s[s.rfind(")") + 2] in "ZX"
    except OSError:
        return True


def screenshot(path):
    """The whole (virtual) screen, with ImageMagick's import where it is installed."""
    if shutil.which("import") and os.environ.get("DISPLAY"):
        subprocess.run(["import", "-window", "root", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def one_run(kind, binary, settle, timeout, log, shot=None, extra_env=None):
    fd, ready = tempfile.mkstemp(prefix=f"ready-{kind}-", suffix=".txt")
    os.close(fd)
    os.unlink(ready)
    phases = ready + ".phases.json"
    env = dict(os.environ)
    env.update(extra_env or {})
    env[READY_ENV] = ready
    env[PHASES_ENV] = phases
    t0 = time.time_ns()
    proc = subprocess.Popen([binary], env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    ready_ns = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with open(ready) as f:
                text = f.read()
            if text.endswith("\n"):
                ready_ns = int(text.strip())
                break
        except (OSError, ValueError):
            pass
        time.sleep(0.002)
    result = {"kind": kind, "binary": binary}
    if ready_ns is None:
        result["error"] = "exited before ready" if proc.poll() is not None else f"no ready line in {timeout} s"
        end_tree(tree(proc.pid))
        proc.wait()
        return result
    result["startup_ms"] = round((ready_ns - t0) / 1e6, 1)
    by_phase = phases_since(phases, t0)
    if by_phase:
        result["phases_ms"] = by_phase
    time.sleep(settle)
    pids = tree(proc.pid)
    per = {}
    total = 0
    for p in pids:
        k = pss_kib(p)
        total += k
        name = "main process" if p == proc.pid else exe_name(p)
        per[name] = per.get(name, 0) + k
    result["pss_kib"] = total
    result["pss_by_process_kib"] = per
    result["processes"] = len(pids)
    if shot:
        screenshot(shot)
    end_tree(pids)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for f in (ready, phases):
        try:
            os.unlink(f)
        except OSError:
            pass
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--app", required=True)
    ap.add_argument("--baseline")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--settle", type=float, default=10.0, help="seconds after ready before memory is read")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--app-kind", default="app",
                    help="what --app is called in the results (and its screenshot's name): another page against the baseline")
    ap.add_argument("--app-env", action="append", default=[], metavar="NAME=VALUE",
                    help="set in the app's environment only (a diagnostic run; the report says what it is)")
    a = ap.parse_args()
    app_env = dict(kv.split("=", 1) for kv in a.app_env)

    kinds = [(a.app_kind, a.app)] + ([("baseline", a.baseline)] if a.baseline else [])
    with open(a.log, "ab") as log, open(a.out, "w") as out:
        for w in range(a.warmup):
            for kind, binary in kinds:
                r = one_run(kind, binary, 1.0, a.timeout, log, extra_env=app_env if kind == a.app_kind else None)
                print(f"measure: warm-up {kind}: {r.get('startup_ms', r.get('error'))} ms", flush=True)
        for i in range(a.runs):
            order = kinds if i % 2 == 0 else list(reversed(kinds))
            for kind, binary in order:
                # What was timed, to look at: the screen of the first measured run of each.
                shot = os.path.join(os.path.dirname(os.path.abspath(a.out)), f"screen-{kind}.png") if i == 0 else None
                r = one_run(kind, binary, a.settle, a.timeout, log, shot, app_env if kind == a.app_kind else None)
                r["run"] = i + 1
                out.write(json.dumps(r) + "\n")
                out.flush()
                if "error" in r:
                    print(f"measure: run {i + 1} {kind}: {r['error']}", flush=True)
                else:
                    print(f"measure: run {i + 1} {kind}: start-up {r['startup_ms']} ms, "
                          f"PSS {r['pss_kib'] / 1024:.1f} MiB in {r['processes']} processes", flush=True)


if __name__ == "__main__":
    main()
