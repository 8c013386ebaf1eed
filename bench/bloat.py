#!/usr/bin/env python3
"""What each crate adds to a release binary (run by ./bench/run.sh), like `cargo bloat --crates`.

Reads the symbol table of a binary built with symbols (run.sh builds the release binaries with
`profile.release.package.<bin>.strip=false`, then strips them with `strip --strip-all` before
packaging), sums the sizes of the functions and data objects by the crate their (demangled) name
starts with, and writes JSON: {"file_bytes", "text_bytes", "rodata_bytes", "crates": {name: bytes}}.

Attribution, as cargo-bloat does it: `serde_json::de::...` is serde_json's; `<reqwest::Client as
core::clone::Clone>::clone` is reqwest's (the type's crate, or the trait's when the type is from
core/alloc/std); std's generic code counts for the first other crate its name mentions
(`core::ptr::drop_in_place<tokio::..>` is tokio's); C symbols are named by their library's known prefixes (ring's C and assembly,
SQLite, libdbus when vendored), else "[C and unnamed]". Generic code instantiated in another
crate counts for the crate whose name it bears; code inlined by LTO counts for its caller, so the
figures are an estimate of what removing a crate would save, not an exact one.

    python3 bench/bloat.py BINARY [--out FILE.json] [--top 40]
"""

import argparse
import json
import re
import subprocess
import sys

STD = {"core", "alloc", "std", "compiler_builtins", "hashbrown", "std_detect", "rustc_demangle", "addr2line",
       "gimli", "miniz_oxide", "object", "panic_abort", "panic_unwind", "adler2", "memchr"}

# C and assembly linked into the binary, named by their symbol prefixes.
C_PREFIXES = [
    ("ring_core_", "ring"), ("GFp_", "ring"), ("aes_hw_", "ring"), ("aes_nohw_", "ring"), ("gcm_", "ring"),
    ("chacha20_", "ring"), ("x25519_", "ring"), ("p256_", "ring"), ("p384_", "ring"), ("bn_", "ring"),
    ("ecp_nistz256", "ring"), ("sha256_block", "ring"), ("sha512_block", "ring"), ("ChaCha20_", "ring"),
    ("aws_lc_", "aws-lc-rs"), ("sqlite3", "libsqlite3 (bundled)"),
    ("dbus_", "libdbus (vendored)"), ("_dbus_", "libdbus (vendored)"),
    ("Brotli", "brotli (C)"),
]

CRATE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)::")


ANY_CRATE = re.compile(r"(?<![A-Za-z0-9_:])([a-z_][a-z0-9_]*)::")


def crate_of(name):
    """The crate a symbol counts for; generic std code (`core::ptr::drop_in_place<reqwest::..>`)
    counts for the first other crate its name mentions."""
    c = crate_of_path(name.strip())
    if c in STD:
        for m in ANY_CRATE.finditer(name):
            if m.group(1) not in STD:
                return m.group(1)
    return c


def crate_of_path(name):
    if name.startswith("<"):
        # <A as B>::f, <A>::f, <&A as B>::f
        inner = name[1:]
        inner = inner.lstrip("&*").replace("mut ", "", 1).replace("dyn ", "", 1).replace("const ", "", 1)
        if inner.startswith("["):
            inner = inner[1:]
        m = CRATE.match(inner)
        first = m.group(1) if m else None
        second = None
        depth = 0
        i = 0
        # Find " as " at depth 0.
        while i < len(inner):
            c = inner[i]
            if c == "<":
                depth += 1
            elif c == ">":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and inner.startswith(" as ", i):
                m2 = CRATE.match(inner[i + 4:])
                second = m2.group(1) if m2 else None
                break
            i += 1
        if first and first not in STD:
            return first
        if second and second not in STD:
            return second
        return first or second or "[C and unnamed]"
    m = CRATE.match(name)
    if m:
        return m.group(1)
    for prefix, lib in C_PREFIXES:
        if name.startswith(prefix):
            return lib
    return "[C and unnamed]"


def sections(binary):
    out = subprocess.run(["readelf", "-W", "-S", binary], capture_output=True, text=True, check=True).stdout
    sizes = {}
    for line in out.splitlines():
        parts = line.replace("[ ", "[").split()
        if len(parts) > 6 and parts[0].startswith("[") and parts[1].startswith("."):
            sizes[parts[1]] = int(parts[5], 16)
    return sizes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--out")
    ap.add_argument("--top", type=int, default=40)
    a = ap.parse_args()

    nm = subprocess.run(["nm", "-C", "-S", "--size-sort", a.binary], capture_output=True, text=True)
    if nm.returncode != 0 or not nm.stdout.strip():
        sys.exit(f"bloat.py: no symbols in {a.binary} (built stripped?)")
    crates = {}
    for line in nm.stdout.splitlines():
        parts = line.split(None, 3)
        if len(parts) < 4:
            continue
        _, size, kind, name = parts
        if kind.lower() not in "tdrvwb" or kind in "bB":
            continue
        crates[crate_of(name)] = crates.get(crate_of(name), 0) + int(size, 16)
    sec = sections(a.binary)
    import os
    result = {
        "file_bytes": os.path.getsize(a.binary),
        "text_bytes": sec.get(".text", 0),
        "rodata_bytes": sec.get(".rodata", 0),
        "crates": dict(sorted(crates.items(), key=lambda kv: -kv[1])),
    }
    text = json.dumps(result)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    total = sum(crates.values())
    print(f"{a.binary}: .text {result['text_bytes'] / 1024:,.0f} KiB, .rodata {result['rodata_bytes'] / 1024:,.0f} KiB, "
          f"named symbols {total / 1024:,.0f} KiB", file=sys.stderr)
    for name, size in list(result["crates"].items())[: a.top]:
        print(f"{size / 1024:9,.1f} KiB  {name}", file=sys.stderr)


if __name__ == "__main__":
    main()
