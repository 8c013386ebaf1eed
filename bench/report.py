#!/usr/bin/env python3
"""Writes docs/benchmarks.md from the raw results in bench/out/ (run by ./bench/run.sh)."""

import argparse
import json
import os
import platform
import statistics
import subprocess
from datetime import datetime, timezone

TARGETS = {
    "startup": 1.15,
    "memory": 1.1,
    "startup_signed_in": 1.5,
    "memory_listed": 1.3,
    "deb": 1.5,
    "ui_bytes": 100_000,
    "ui_rows": 1.2,
    "frame_ms": 1000 / 60,
    "list_all": 0.5,
    "list_all_latency": 0.1,
}


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    osname = platform.system()
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram": mem,
        "os": f"{osname}, Linux {platform.release()}",
        "webkit": sh("dpkg-query", "-W", "-f", "${Version}", "libwebkit2gtk-4.1-0") or "?",
        "rustc": sh("rustc", "--version") or "?",
    }


def lock_version(lockfile, name):
    try:
        with open(lockfile) as f:
            lines = f.read().splitlines()
    except OSError:
        return "?"
    for i, line in enumerate(lines):
        if line == f'name = "{name}"' and i + 1 < len(lines):
            return lines[i + 1].split('"')[1]
    return "?"


def profile(cargo_toml):
    out, on = [], False
    with open(cargo_toml) as f:
        for line in f:
            s = line.strip()
            if s.startswith("["):
                on = s == "[profile.release]"
                continue
            if on and s and not s.startswith("#"):
                out.append(s.replace(" = ", "="))
    text = ", ".join(out)
    env = {k[len("CARGO_PROFILE_RELEASE_"):].lower().replace("_", "-"): v
           for k, v in os.environ.items() if k.startswith("CARGO_PROFILE_RELEASE_")}
    if env:
        text += "; overridden for this run by CARGO_PROFILE_RELEASE_*: " + ", ".join(f"{k}={v}" for k, v in sorted(env.items()))
    return text


def load_runs(path):
    runs = []
    if os.path.exists(path):
        with open(path) as f:
            runs = [json.loads(line) for line in f if line.strip()]
    return runs


def med(values):
    return statistics.median(values) if values else None


def fmt(x, unit="", digits=1):
    if x is None:
        return "—"
    return f"{x:,.{digits}f}{unit}"


def verdict(ok):
    if ok is None:
        return "n/a"
    return "pass" if ok else "**miss**"


# The start-up's phases (bench/measure.py writes them per run, in ms since the spawn).
PHASES = [
    ("main", "process started: `main()` entered"),
    ("setup", "Rust set-up done (plugins, state)"),
    ("page_load_started", "webview created, page requested"),
    ("html_parsed", "HTML parsed (`domInteractive`)"),
    ("js_evaluated", "JS evaluated (every module)"),
    ("first_ipc_answered", "first IPC answered (what the first screen needs)"),
    ("screen_built", "first screen built (mounted, its start-up effects run; `oas:screen-built`)"),
    ("frame_begun", "its style and layout done, the rendering update begun (its animation frame callback; the baseline's first frame)"),
    ("painted", "first screen painted (the ready line: a timer after that frame; the baseline's second frame)"),
]


# A launch stall: WebKit took this long or longer between the app's set-up and the page's request
# (the "webview created" phase; 80–140 ms otherwise). On this machine from one run in eleven to
# seven in eleven of either app stall for ~500 ms, at random; the median of all runs measured how
# many runs of each app happened to stall (one full run gave the app 0.55× the baseline that way).
STALL_MS = 300


def stalled(run):
    ph = run.get("phases_ms", {})
    return "setup" in ph and "page_load_started" in ph and ph["page_load_started"] - ph["setup"] >= STALL_MS


def unstalled(runs):
    """The runs without a launch stall, which the start-up figures use; all of them if every one stalled."""
    return [r for r in runs if not stalled(r)] or runs


def startup_phases(columns):
    """The phase table: `columns` is [(heading, runs)], the app's first and the baseline's second."""
    def med_phase(runs, name):
        return med([r["phases_ms"][name] for r in runs if name in r.get("phases_ms", {})])

    columns = [(heading, runs) for heading, runs in columns if runs]
    if not any("phases_ms" in r for _, runs in columns for r in runs):
        return []
    out = ["", "## Start-up by phase", "",
           "Median time since the spawn at which each phase ends (ms), and how long the phase itself took "
           "(the difference with the phase before). A phase the baseline does not have shows —."
           + (" The static first screen is the start-up floor's page (its runs of its own): it has no script "
              "but the ready signal, so its \"JS evaluated\" is that script's and its last phase is the "
              "screen's style, layout and paint." if len(columns) > 2 else "")
           + (" The first screen after one IPC is the same page with the screen kept inert until the page "
              "has one answer from Rust (its runs of its own): its \"screen built\" is one clone of that markup." if len(columns) > 3 else "")
           + " The app's phase before \"painted\" is mostly the first screen's style and layout (`bench/README.md`).", "",
           "| Phase ends | " + " | ".join(f"{heading} | (phase)" for heading, _ in columns) + " |",
           "| --- |" + " ---: | ---: |" * len(columns)]
    prev = [0.0] * len(columns)
    for name, label in PHASES:
        values = [med_phase(runs, name) for _, runs in columns]
        if all(v is None for v in values):
            continue
        cells = []
        for i, v in enumerate(values):
            cells += [fmt(v, " ms", 0), fmt(None if v is None else v - prev[i], " ms", 0)]
            if v is not None:
                prev[i] = v
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    return out


def size_breakdown(out_dir, top=30):
    """What each crate adds to the release binary (bench/bloat.py), the app's against the baseline's."""
    def load(name):
        return optional_json(out_dir, f"bloat-{name}.json")

    app, base, floor = load("app"), load("baseline"), load("floor")
    if not app:
        return []
    base_crates = base["crates"] if base else {}
    extra = {k: v - base_crates.get(k, 0) for k, v in app["crates"].items()}
    total_extra = sum(v for v in extra.values() if v > 0)
    out = ["", "## Binary size by crate", "",
           "What each crate adds to the release binary: the sizes of its functions and data in the symbol table "
           "(`bench/bloat.py`, as `cargo bloat --crates`; generic std code counts for the crate it is "
           "instantiated for; code inlined by LTO counts for its caller). Column 3: the same crate in the baseline"
           + ("; column 4: in the floor (the baseline with the app's run-time libraries, `bench/baseline/src/floor.rs`)" if floor else "")
           + ". "
           f"The app's named symbols: {app_sum(app) / 1024:,.0f} KiB; the baseline's: "
           f"{(app_sum(base) / 1024 if base else 0):,.0f} KiB"
           + (f"; the floor's: {app_sum(floor) / 1024:,.0f} KiB" if floor else "")
           + f"; the crates below add {total_extra / 1024:,.0f} KiB in all to the baseline.", ""]
    if floor:
        out += ["| Crate | OAS Desktop | Baseline | Floor | Added to the baseline |", "| --- | ---: | ---: | ---: | ---: |"]
    else:
        out += ["| Crate | OAS Desktop | Baseline | Added |", "| --- | ---: | ---: | ---: |"]
    for k, v in sorted(extra.items(), key=lambda kv: -kv[1])[:top]:
        floor_cell = f" {floor['crates'].get(k, 0) / 1024:,.1f} KiB |" if floor else ""
        out.append(f"| `{k}` | {app['crates'][k] / 1024:,.1f} KiB | "
                   f"{(base_crates.get(k, 0) / 1024 if base else 0):,.1f} KiB |{floor_cell} {v / 1024:,.1f} KiB |")
    return out


def optional_json(out_dir, name):
    """A result file of bench/out, or None when that part did not run or printed nothing."""
    path = os.path.join(out_dir, name)
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return None
    with open(path) as f:
        return json.load(f)


def app_sum(b):
    return sum(b["crates"].values()) if b else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--mode", default="full")
    a = ap.parse_args()

    runs = load_runs(os.path.join(a.out_dir, "runs.jsonl"))
    with open(os.path.join(a.out_dir, "sizes.json")) as f:
        sizes = json.load(f)
    api = optional_json(a.out_dir, "api.json")
    meta = {}
    meta_path = os.path.join(a.out_dir, "meta.json")
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)

    def ok_runs(kind, of=runs):
        return [r for r in of if r.get("kind") == kind and "error" not in r]

    app_runs, base_runs = ok_runs("app"), ok_runs("baseline")
    failed = [r for r in runs if "error" in r]
    # Start-up is the median of the runs without a launch stall (see STALL_MS); a kind whose every
    # run stalled keeps them all.
    clean_app, clean_base = unstalled(app_runs), unstalled(base_runs)
    s_app = med([r["startup_ms"] for r in clean_app])
    s_base = med([r["startup_ms"] for r in clean_base])
    stalls = f"{sum(map(stalled, app_runs))} of {len(app_runs)} app runs, {sum(map(stalled, base_runs))} of {len(base_runs)} baseline runs"
    m_app = med([r["pss_kib"] / 1024 for r in app_runs])
    m_base = med([r["pss_kib"] / 1024 for r in base_runs])

    def ratio(x, y):
        return x / y if x is not None and y else None

    rows = []

    def row(name, app, base, r, target, ok):
        rows.append(f"| {name} | {app} | {base} | {fmt(r, '×', 2) if r is not None else '—'} | {target} | {verdict(ok)} |")

    r = ratio(s_app, s_base)
    row(f"Start-up: spawn → first screen painted (median of the runs without a launch stall; stalled: {stalls})", fmt(s_app, " ms", 0), fmt(s_base, " ms", 0), r,
        "≤ 1.15× baseline", None if r is None else r <= TARGETS["startup"])
    def startup_floor(kind, name):
        """A start-up floor measured against the baseline in runs of its own: its runs, and its median,
        the baseline's and how many of each stalled (None without runs of both)."""
        of = load_runs(os.path.join(a.out_dir, name))
        mine, base = ok_runs(kind, of), ok_runs("baseline", of)
        if not (mine and base):
            return mine, None
        stalls = f"stalled: {sum(map(stalled, mine))} of {len(mine)}, {sum(map(stalled, base))} of {len(base)}"
        return mine, (med([r["startup_ms"] for r in unstalled(mine)]), med([r["startup_ms"] for r in unstalled(base)]), stalls)

    # The floor under start-up: the first screen as a static page, against the baseline of its own runs.
    fs_runs, fs = startup_floor("first_screen", "runs-first-screen.jsonl")
    if fs:
        row("Start-up floor: the baseline showing OAS Desktop's first screen as a static page, its markup and "
            "stylesheets as the app painted them (`bench/first_screen.mjs`) with the baseline's ready script and "
            "nothing else; against the baseline in runs of their own (column 3), medians of the runs without a launch "
            f"stall ({fs[2]}). "
            "What the screen costs to paint; the rest of the figure above is the app's script (evaluated, first IPC, "
            "screen built)", fmt(fs[0], " ms", 0), fmt(fs[1], " ms", 0), ratio(fs[0], fs[1]),
            "(reported: the floor under the figure above)", None)
    # The same screen shown once the page has one answer from Rust, as the app's waits for the session.
    fsi_runs, fsi = startup_floor("first_screen_ipc", "runs-first-screen-ipc.jsonl")
    if fsi:
        row("Start-up floor with one IPC: the static first screen above, but kept inert in the page "
            "(`<template>`) until the page has one answer from Rust (an asynchronous command, as the app's "
            "`session_start` is), then shown with one clone (`bench/baseline/first-screen-ipc/main.js`); "
            "against the baseline in runs of their own (column 3), medians of the runs without a launch stall "
            f"({fsi[2]}). "
            "The floor of a first screen that waits for its data; the rest of the start-up figure is the app's "
            "script (its size, its first IPC's time beyond this page's, building the screen)",
            fmt(fsi[0], " ms", 0), fmt(fsi[1], " ms", 0), ratio(fsi[0], fsi[1]),
            "(reported: the floor under the start-up figure, with its one IPC)", None)
    r = ratio(m_app, m_base)
    row("Memory: PSS of the process tree 10 s after ready (median)", fmt(m_app, " MiB"), fmt(m_base, " MiB"), r,
        "≤ 1.1× baseline", None if r is None else r <= TARGETS["memory"])
    nodfg = [r for r in load_runs(os.path.join(a.out_dir, "runs-nodfg.jsonl")) if "pss_kib" in r]
    if nodfg and m_app is not None:
        m_nodfg = med([r["pss_kib"] / 1024 for r in nodfg])
        row(f"Memory as above with JavaScriptCore's optimising compiler (DFG) off (`JSC_useDFGJIT=false`, median of "
            f"{len(nodfg)}): a diagnostic, never how the app runs. The difference is that compiler, paged in once "
            f"the UI framework's smallest functions have run some hundred times while the first screen is built",
            fmt(m_nodfg, " MiB"), fmt(m_base, " MiB"), ratio(m_nodfg, m_base),
            f"(reported: {m_app - m_nodfg:.1f} MiB of the figure above)", None)
    signed = optional_json(a.out_dir, "signed_in.json")
    if signed:
        r = ratio(signed["startup_signed_in_ms"], s_base)
        row("Start-up with a stored session: spawn → first signed-in screen painted (median)",
            fmt(signed["startup_signed_in_ms"], " ms", 0), fmt(s_base, " ms", 0), r, "≤ 1.5× baseline's start-up",
            None if r is None else r <= TARGETS["startup_signed_in"])
        m_listed = signed["pss_listed_kib"] / 1024
        r = ratio(m_listed, m_base)
        row(f"Memory: PSS 10 s after {signed['organisations']:,} organisations listed", fmt(m_listed, " MiB"),
            fmt(m_base, " MiB"), r, "≤ 1.3× baseline", None if r is None else r <= TARGETS["memory_listed"])
    else:
        rows.append("| Signed-in figures (start-up with a stored session, memory with 10,000 organisations) | not measured in this run | | | | n/a |")
    d_app = sizes.get("deb_app_bytes")
    d_base = sizes.get("deb_baseline_bytes")
    r = ratio(d_app, d_base)
    row("`.deb` package", fmt(d_app and d_app / 1024 / 1024, " MiB", 2), fmt(d_base and d_base / 1024 / 1024, " MiB", 2), r,
        "≤ 1.5× baseline", None if r is None else r <= TARGETS["deb"])
    d_floor = sizes.get("deb_floor_bytes")
    if d_floor:
        r_floor = ratio(d_floor, d_base)
        row("`.deb` floor: the baseline with the libraries the app's features need, each used once "
            "(`bench/baseline/src/floor.rs`: TLS, keychain, D-Bus, updater, log, dialog, window state, password hint, "
            "spreadsheet readers), and the app's Tauri features (without `compression` and `dynamic-acl`); built, never run",
            fmt(d_floor / 1024 / 1024, " MiB", 2), fmt(d_base and d_base / 1024 / 1024, " MiB", 2), r_floor,
            "(reported: the floor under the figure above)", None)
        row("`.deb` package against the floor (column 3: the floor's)", fmt(d_app and d_app / 1024 / 1024, " MiB", 2),
            fmt(d_floor / 1024 / 1024, " MiB", 2), ratio(d_app, d_floor), "(reported: the app's own code and UI)", None)
    b_app = sizes.get("bin_app_bytes")
    b_base = sizes.get("bin_baseline_bytes")
    row("Stripped binary", fmt(b_app and b_app / 1024 / 1024, " MiB", 2), fmt(b_base and b_base / 1024 / 1024, " MiB", 2),
        ratio(b_app, b_base), "(reported)", None)
    order = optional_json(a.out_dir, "link-order.json")
    if order:
        row("Start-up functions laid out side by side: of those `src-tauri/link-order.txt` lists (`scripts/link-order.sh`: "
            "what ran from launch to 10 s after the first screen), how many this binary has. Linux maps code 64 KiB at a "
            "time around each page touched, so the launch touches less of the binary; names a toolchain or dependency "
            "update changed are skipped, and a low count means: run the script again",
            f"{order['found']:,} of {order['listed']:,}", "—", None, "(reported)", None)
    u_app = sizes.get("ui_gz_bytes")
    u_base = sizes.get("ui_gz_baseline_bytes")
    row("UI bundle: JS + CSS gzipped (`gzip -9`)", fmt(u_app and u_app / 1000, " KB", 1), fmt(u_base and u_base / 1000, " KB", 1), None,
        "≤ 100 KB (100,000 bytes)", None if u_app is None else u_app <= TARGETS["ui_bytes"])
    if api:
        row(f"Sandbox: pages/s listing {api['orgs']:,} organisations page by page ({api['page_size']}/page, bare reqwest)",
            fmt(api["sandbox_pages_per_s"], " pages/s", 0), "—", None, "(reported)", None)
        row("Sandbox: p50 per page (bare reqwest)", fmt(api["sandbox_page_p50_ms"], " ms", 2), "—", None, "(reported)", None)
        row("Client: p50 per page (`Session::organisations_page`)", fmt(api["client_page_p50_ms"], " ms", 2), "—", None, "(reported)", None)
        row(f"`list_all_organisations` of {api['orgs']:,} (column 3: the sequential loop with bare reqwest, following `next`)",
            fmt(api["list_all_ms"], " ms", 0), fmt(api["sequential_ms"], " ms", 0), api["list_all_ratio"],
            "≤ 0.5× sequential", api["list_all_ratio"] <= TARGETS["list_all"])
        if "latency_list_all_ratio" in api:
            row(f"`list_all_organisations` of {api['orgs']:,} with {api['latency_ms']} ms added before every answer "
                f"(column 3: the same sequential loop; {api['list_concurrency']} requests in flight at most)",
                fmt(api["latency_list_all_ms"], " ms", 0), fmt(api["latency_sequential_ms"], " ms", 0), api["latency_list_all_ratio"],
                "≤ 0.1× sequential", api["latency_list_all_ratio"] <= TARGETS["list_all_latency"])
    else:
        rows.append("| API figures (sandbox pages/s, p50 per page, `list_all` vs sequential) | not measured in this run | | | | n/a |")

    imp = optional_json(a.out_dir, "import.json")
    if imp:
        row(f"Import: read, map and preview a {imp['rows']:,}-row CSV against {imp['existing']:,} organisations (median; min / max "
            f"{fmt(imp['min_ms'], ' ms', 1)} / {fmt(imp['max_ms'], ' ms', 1)})",
            fmt(imp["preview_median_ms"], " ms", 1), "—", None, "< 1,000 ms", imp["preview_median_ms"] < 1000)

    ui = optional_json(a.out_dir, "ui.json")
    if ui:
        n = f"{ui['organisations']:,}"
        client = api["list_all_ms"] if api else None
        r = ratio(ui["ui_time_to_rows_ms"], client)
        row(f"UI: \"Organizations\" → all {n} rows painted (median; column 3: the client's bare `list_all`)",
            fmt(ui["ui_time_to_rows_ms"], " ms", 0), fmt(client, " ms", 0), r,
            "≤ 1.2× the client's `list_all`", None if r is None else r <= TARGETS["ui_rows"])
        floor = optional_json(a.out_dir, "rows-floor.json")
        if floor:
            per = {k: v / floor["rounds"] for k, v in floor["load_cpu_ms"].items()}
            own = next((v for k, v in per.items() if k not in ("wall", "machine", "oas-sandbox", "WebKitWebProces")), None)
            row(f"UI floor: the baseline listing the same account with the app's client (`list_all`) and answering its page with "
                f"every row at once; the page sorts them by name with the app's collation and shows the first 16 in a plain table "
                f"(`bench/rows_floor.mjs`, `bench/baseline/src/rows.rs`; median of {floor['rounds']}, in runs of its own). The rows "
                f"were in the page at {fmt(floor['rows_floor_received_ms'], ' ms', 0)} and sorted at "
                f"{fmt(floor['rows_floor_sorted_ms'], ' ms', 0)}; CPU of one load: the sandbox {fmt(per['oas-sandbox'], ' ms', 0)}, "
                f"its process {fmt(own, ' ms', 0)}, its web process {fmt(per['WebKitWebProces'], ' ms', 0)}. What listing, "
                f"sending, sorting and painting all the rows costs on this machine with no screen around them",
                fmt(floor["rows_floor_ms"], " ms", 0), fmt(client, " ms", 0), ratio(floor["rows_floor_ms"], client),
                "(reported: the floor under the figure above)", None)
        row(f"UI: one search keystroke over {n} rows, script (median)", fmt(ui["search_filter_script_ms_median"], " ms", 1),
            "—", None, "(reported)", None)
        if "search_keystroke_ms_p95" in ui:
            row(f"UI: one search keystroke over {n} rows, script + style + layout (median / p95 / max)",
                f"{fmt(ui['search_keystroke_ms_median'], ' ms', 1)} / {fmt(ui['search_keystroke_ms_p95'], ' ms', 1)} / "
                f"{fmt(ui['search_keystroke_ms_max'], ' ms', 1)}", "—", None,
                "≤ 16.7 ms p95 (one frame)", ui["search_keystroke_ms_p95"] <= TARGETS["frame_ms"])
        else:
            row(f"UI: one search keystroke over {n} rows, script + style + layout (median / max)",
                f"{fmt(ui['search_keystroke_ms_median'], ' ms', 1)} / {fmt(ui['search_keystroke_ms_max'], ' ms', 1)}", "—", None,
                "≤ 16.7 ms (one frame)", ui["search_keystroke_ms_median"] <= TARGETS["frame_ms"])
        if "search_keystroke_painted_ms_p95" in ui:
            row(f"UI: one search keystroke over {n} rows → its frame painted, paint included (median / p95 / max)",
                f"{fmt(ui['search_keystroke_painted_ms_median'], ' ms', 1)} / {fmt(ui['search_keystroke_painted_ms_p95'], ' ms', 1)} / "
                f"{fmt(ui['search_keystroke_painted_ms_max'], ' ms', 1)}", "—", None,
                "(reported; includes the wait for the next frame)", None)
            row(f"UI: one scroll step over {n} rows → its frame painted, paint included (median / p95 / max)",
                f"{fmt(ui['scroll_painted_ms_median'], ' ms', 1)} / {fmt(ui['scroll_painted_ms_p95'], ' ms', 1)} / "
                f"{fmt(ui['scroll_painted_ms_max'], ' ms', 1)}", "—", None,
                "(reported; includes the wait for the next frame)", None)
        if ui.get("ui_time_to_first_rows_ms") is not None:
            row("UI: \"Organizations\" → first rows painted (median)", fmt(ui["ui_time_to_first_rows_ms"], " ms", 0), "—", None,
                "(reported)", None)
        if "scroll_frames" in ui:
            row(f"UI: scrolling through all {n} rows, {ui['scroll_step_px']} px a frame: frames whose work "
                f"(scroll handler + update + style + layout) is over 16.7 ms, of {ui['scroll_frames']:,} (p95 / max of the work)",
                f"{ui['scroll_frames_over_frame']:,} ({fmt(ui['scroll_frame_ms_p95'], ' ms', 1)} / {fmt(ui['scroll_frame_ms_max'], ' ms', 1)})",
                "—", None, "no frame over 16.7 ms", ui["scroll_frames_over_frame"] == 0)
        cpu = ui.get("load_cpu_ms")
        if cpu and ui.get("rounds") and api and api.get("list_all_cpu_ms"):
            per = {k: v / ui["rounds"] for k, v in cpu.items()}
            cores = ui.get("cores") or 2
            used = per["oas-sandbox"] + per["oas-desktop"] + per["WebKitWebProces"]
            # At 1.2x the client's list_all, what the cores could give beyond list_all's own CPU.
            room = TARGETS["ui_rows"] * api["list_all_ms"] * cores - api["list_all_cpu_ms"]
            row(f"CPU of one \"Organizations\" → all rows painted (the mean of {ui['rounds']} loads): the sandbox "
                f"{fmt(per['oas-sandbox'], ' ms', 0)}, the app's process {fmt(per['oas-desktop'], ' ms', 0)}, its web process "
                f"{fmt(per['WebKitWebProces'], ' ms', 0)}; the machine was busy {fmt(per['machine'], ' ms', 0)} of the "
                f"{fmt(per['wall'] * cores, ' ms', 0)} its {cores} cores had from the click to the rows seen painted. Column 3: "
                f"the CPU of the client's `list_all` with its sandbox ({api['list_all_cpu_ms'] / (api['list_all_ms'] * cores):.0%} of "
                f"the cores over its {fmt(api['list_all_ms'], ' ms', 0)}). Time follows CPU here: at 1.2× the UI and its IPC "
                f"would have {fmt(room, ' ms', 0)} of CPU beyond `list_all`'s own; they use {fmt(used - api['list_all_cpu_ms'], ' ms', 0)}",
                fmt(used, " ms", 0), fmt(api["list_all_cpu_ms"], " ms", 0), ratio(used, api["list_all_cpu_ms"]),
                "(reported: why the figure above is what it is)", None)
    else:
        rows.append("| UI figures with 10,000 organisations | not measured in this run | | | | n/a |")

    ui_lat = optional_json(a.out_dir, "ui-latency.json")
    if ui_lat:
        client = api.get("latency_list_all_ms") if api and api.get("latency_ms") == ui_lat["latency_ms"] else None
        r = ratio(ui_lat["ui_time_to_rows_ms"], client)
        row(f"UI: \"Organizations\" → all {ui_lat['organisations']:,} rows painted, the sandbox waiting {ui_lat['latency_ms']} ms "
            f"before every answer as a real network would (median of {ui_lat['rounds']}; first rows: "
            f"{fmt(ui_lat.get('ui_time_to_first_rows_ms'), ' ms', 0)}; column 3: the client's `list_all` with the same latency)",
            fmt(ui_lat["ui_time_to_rows_ms"], " ms", 0), fmt(client, " ms", 0), r, "≤ 1.2× the client's `list_all` (as on loopback)",
            None if r is None else r <= TARGETS["ui_rows"])

    m = machine()
    head = meta.get("commit", "?")
    lines = [
        "<!-- Generated by ./bench/run.sh: never edit by hand, run it again. -->",
        "# Benchmarks",
        "",
        "_This file is regenerated by `./bench/run.sh` (raw per-run numbers: `bench/out/`, git-ignored). "
        "Do not edit it by hand._",
        "",
        "OAS Desktop against **the baseline**: an empty Tauri app (`bench/baseline/`: one window of the same size, "
        "one static page, one command) built in the same run with the same Tauri version, the same `Cargo.lock` "
        "and the same release profile. App and baseline runs alternate; figures are medians.",
        "",
        f"- **Date**: {meta.get('date', datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC'))}",
        f"- **Commit**: `{head}`{' (with uncommitted changes in the work tree)' if meta.get('dirty') else ''}",
        f"- **Mode**: {a.mode}; {len(app_runs)} app run(s), {len(base_runs)} baseline run(s) measured"
        + (f", {len(failed)} failed" if failed else "")
        + (f"; API: {api['rounds']} round(s)" if api else ""),
        f"- **Machine**: {m['cpu']}, {m['cores']} cores, {m['ram']} RAM; {m['os']}",
        f"- **Stack**: Tauri {lock_version(os.path.join(a.root, 'Cargo.lock'), 'tauri')}, "
        f"wry {lock_version(os.path.join(a.root, 'Cargo.lock'), 'wry')}, WebKitGTK {m['webkit']}; {m['rustc']}",
        f"- **Release profile** (both apps): {profile(os.path.join(a.root, 'Cargo.toml'))}",
        f"- **Load average** before / after measuring: {meta.get('load_before', '?')} / {meta.get('load_after', '?')}",
        "",
        "| Figure | OAS Desktop | Baseline | Ratio | Target | Result |",
        "| --- | ---: | ---: | ---: | --- | --- |",
        *rows,
        "",
        "## How it is measured",
        "",
        "- **Start-up**: from spawning the process to the ready line. With `OAS_DESKTOP_READY_FILE` set, the app "
        "writes the Unix time in nanoseconds to that file from its `app_ready` command, which the UI calls two "
        "animation frames after the first screen (sign-in, with an empty profile) is painted; the baseline's page "
        "calls its own `app_ready` the same way. Under Xvfb with a D-Bus session and an unlocked gnome-keyring, "
        "`WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1 NO_AT_BRIDGE=1`; one unmeasured "
        "warm-up run of each first. A run whose webview took 300 ms or more to request its page after the "
        "Rust set-up (the \"webview created\" phase, 80–140 ms otherwise) is a **launch stall**: on this "
        "machine from one in eleven to seven in eleven runs of either app stall for ~500 ms, at random, so the "
        "start-up figure is the median of the runs without one (marked † in the runs table; the phase table below also leaves them out). "
        "The stall is the new web process's wait on the session's accessibility bus (AT-SPI, which a desktop runs "
        "and this session starts on demand). Measured once, launching the app alone one after another: with "
        "`WEBKIT_A11Y_BUS_ADDRESS` pointing nowhere none of 46 launches stalled, against 7 of 66 with the bus; and "
        "where the bus's "
        "registry was started afresh, every page was requested within a few ms of the registry's start. "
        "The **start-up floor**: `bench/first_screen.mjs` launches the release app through tauri-driver on a fresh "
        "profile and takes its first screen as painted (the root element's attributes, the head's meta and "
        "stylesheet links, `#app`'s markup); `run.sh` builds the baseline with that page, the app's stylesheets and "
        "the baseline's own `main.js` (`TAURI_CONFIG` sets its `frontendDist`), and `measure.py` runs it against the "
        "baseline as above, 1 s after ready instead of 10 (start-up only). The **start-up floor with one IPC**: the "
        "same page with `#app` empty and the screen's markup in a `<template>`, and a script "
        "(`bench/baseline/first-screen-ipc/main.js`) that asks the baseline's one extra command "
        "(`--features first-screen-ipc`) and, once answered, shows the screen with one clone; measured the same way.",
        "- **Memory**: 10 s after ready, the `Pss` of `/proc/<pid>/smaps_rollup` summed over the process and all "
        "its descendants (WebKitWebProcess, WebKitNetworkProcess).",
        "- **Sizes**: the `.deb` made by `tauri bundle --bundles deb`; the release binary after `strip`; the UI's "
        "`ui/dist/assets/*.js` and `*.css`, each `gzip -9`, summed (the baseline's: its `main.js`). The **floor** is "
        "the baseline built with `--no-default-features --features floor`: the app's third-party run-time libraries, "
        "with the app's versions and features, each called once as the app calls it, so that link-time optimisation "
        "keeps what the app keeps of them, and Tauri with the app's features (the baseline has Tauri's defaults); it "
        "is packaged the same way and never run.",
        "- **API** (`cargo bench -p oas-api --bench list_all`): a sandbox on loopback (its own runtime) with one "
        "account of 10,000 organisations; medians over the rounds, the three methods alternating. The latency "
        "figure: a second sandbox started with `Config::latency` (`oas-sandbox serve --latency-ms 20`), which waits "
        "20 ms before every answer, as a real network's round trip would.",
        "- **Import** (`cargo bench -p oas-import --bench preview`): a 10,000-row CSV read, its columns guessed and "
        "every row previewed against an account of 10,000 organisations (half of the rows already there), in "
        "process, 15 rounds; the median.",
        "- **UI, list** (`bench/ui_organisations.mjs`, the release app through tauri-driver): the account's "
        "organisations are seeded with their names in no order (`oas-sandbox seed-orgs --shuffle-names`), as a "
        "real account's are when the server lists them by id, so the list sorts by name as it would there. A keystroke is timed "
        "from setting the search field to a forced style and layout after Svelte's update, in a task of its own as a "
        "key press is (run straight from the WebDriver call, the figure also held ~5 ms of WebKitWebDriver's own "
        "work for that call, done before the measurement's microtask); scrolling moves the list "
        "a fixed number of pixels in each animation frame and times the same way what each frame's update costs. "
        "The \"frame painted\" figures start the keystroke or scroll step in a task of its own and stop in a timer "
        "queued by the next animation frame's callback, so they include painting (software rendering here: "
        "`WEBKIT_DISABLE_COMPOSITING_MODE=1` under Xvfb) and the wait for that frame. The CPU of a load: user and "
        "system time from `/proc/<pid>/stat` of the sandbox, the app and its web process, and the machine's busy time "
        "from `/proc/stat`, read before the click and after the rows are seen painted (one WebDriver call that waits in "
        "the page), each load a fresh launch; `list_all`'s: its bench process's own CPU time (client and sandbox). The "
        "latency figure runs the same loads against a sandbox started with `--latency-ms 20`.",
    ]
    if runs:
        lines += ["", "## Runs", "", "| Run | App start-up | App PSS | Baseline start-up | Baseline PSS |", "| ---: | ---: | ---: | ---: | ---: |"]
        by_run = {}
        for r0 in runs:
            by_run.setdefault(r0.get("run"), {})[r0["kind"]] = r0

        def cell(r0, key, scale, unit):
            if not r0:
                return "—"
            if "error" in r0:
                return r0["error"]
            return f"{r0[key] / scale:,.1f} {unit}" + (" †" if key == "startup_ms" and stalled(r0) else "")

        for n in sorted(k for k in by_run if k is not None):
            x = by_run[n]
            lines.append(f"| {n} | {cell(x.get('app'), 'startup_ms', 1, 'ms')} | {cell(x.get('app'), 'pss_kib', 1024, 'MiB')} | "
                         f"{cell(x.get('baseline'), 'startup_ms', 1, 'ms')} | {cell(x.get('baseline'), 'pss_kib', 1024, 'MiB')} |")
        names = sorted({k for r0 in app_runs + base_runs for k in r0.get("pss_by_process_kib", {})})
        if names:
            lines += ["", "PSS by process (median MiB):", "", "| Process | OAS Desktop | Baseline |", "| --- | ---: | ---: |"]
            for nm in names:
                va = med([r0["pss_by_process_kib"].get(nm, 0) / 1024 for r0 in app_runs])
                vb = med([r0["pss_by_process_kib"].get(nm, 0) / 1024 for r0 in base_runs])
                lines.append(f"| {nm} | {fmt(va)} | {fmt(vb)} |")
    lines += startup_phases([("OAS Desktop", clean_app), ("Baseline", clean_base), ("First screen, static", unstalled(fs_runs)),
                             ("First screen after one IPC", unstalled(fsi_runs))])
    lines += size_breakdown(a.out_dir)
    os.makedirs(os.path.dirname(os.path.abspath(a.report)), exist_ok=True)
    with open(a.report, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
