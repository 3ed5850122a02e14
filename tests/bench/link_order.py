#!/usr/bin/env python3
"""Writes server/link-order.txt: the functions of the release binary that a language-server session and
command-line checks run, which the build script asks the linker to place first (server/build/link_order.rs).

Usage: python3 tests/bench/link_order.py [--no-build]

Needs valgrind. Builds the release binary as it ships (`bench.build_release`: on Linux the static one, whose
list also has the C library's functions; a dynamic build skips those names), runs it under callgrind (which
lists every function that ran, by its mangled name) in these sessions:
- the language server: initialize, open the generated 5,000-line bench file, ten keystrokes, a hover, the
  code actions at the first diagnostic, a pull of the diagnostics, shutdown;
- `dockward check` over fixtures/corpus (JSON, one thread), over fixtures/demo (human and SARIF).
The server's functions come first, with the few that callgrind cannot see (`UNSEEN`), then those only the
command line ran. Run it again after large changes: functions added since are not in the list and are
placed after it (the names of the others do not change with their code). Names depend on the compiler version; the list is of rustc's release
profile on this project's machine (see README, "Performance").
"""

import glob
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import bench  # noqa: E402

BINARY = os.path.join(ROOT, "target", "release", "dockward")
OUT = os.path.join(ROOT, "server", "link-order.txt")


def under_callgrind(outdir, tag):
    return ["valgrind", "--tool=callgrind", "--demangle=no", "--dump-instr=no",
            f"--callgrind-out-file={outdir}/{tag}-%p.out", BINARY]


def lsp_session(outdir):
    text = bench.generate(5000)
    c = bench.Lsp(under_callgrind(outdir, "lsp") + ["lsp", "--stdio"])
    c.initialize("file:///tmp/bench")
    uri = "file:///tmp/bench/gen/Dockerfile"
    c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}})
    _, first = c.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics", timeout=600)
    line = text.count("\n") // 2
    col = len(text.split("\n")[line])
    for v in range(2, 12):
        end = col if v % 2 == 0 else col + 1
        change = {"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": end}},
                  "text": "x" if v % 2 == 0 else ""}
        c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": v}, "contentChanges": [change]})
        c.wait(lambda m, v=v: m.get("method") == "textDocument/publishDiagnostics" and m["params"].get("version") == v, timeout=600)
    doc = {"uri": uri}
    i = c.request("textDocument/hover", {"textDocument": doc, "position": {"line": 1, "character": 1}})
    c.wait(lambda m: m.get("id") == i, timeout=600)
    diags = first["params"]["diagnostics"]
    if diags:
        i = c.request("textDocument/codeAction", {"textDocument": doc, "range": diags[0]["range"],
                                                  "context": {"diagnostics": diags[:1]}})
        c.wait(lambda m: m.get("id") == i, timeout=600)
    i = c.request("textDocument/diagnostic", {"textDocument": doc})
    c.wait(lambda m: m.get("id") == i, timeout=600)
    i = c.request("shutdown", None)
    c.wait(lambda m: m.get("id") == i, timeout=600)
    c.notify("exit", None)
    c.p.wait(timeout=600)


def cli_sessions(outdir):
    for args in (["check", "fixtures/corpus", "--format", "json", "--jobs", "1"],
                 ["check", "fixtures/demo"],
                 ["check", "fixtures/demo", "--format", "sarif"]):
        subprocess.run(under_callgrind(outdir, "cli") + args, cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def functions(paths):
    """The binary's functions that ran, in the order the profiles name them."""
    names = []
    seen = set()
    for path in paths:
        objects, fns, current = {}, {}, None
        with open(path, errors="replace") as f:
            for line in f:
                m = re.match(r"^(c?ob)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
                if m:
                    kind, i, name = m.groups()
                    if name:
                        objects[i] = name
                    if kind == "ob":
                        current = objects.get(i)
                    continue
                m = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
                if not m:
                    continue
                kind, i, name = m.groups()
                if name:
                    fns[i] = name
                if kind != "fn" or not current or os.path.realpath(current) != os.path.realpath(BINARY):
                    continue
                fn = fns.get(i, "").removesuffix("'2")  # callgrind's mark of a recursive call
                if fn and not fn.startswith(("0x", "(")) and fn not in seen:
                    seen.add(fn)
                    names.append(fn)
    return names


# Functions a real session runs that callgrind does not see: it runs one thread at a time, so a lock is
# never contended (std's and mimalloc's waits), and the C runtime's start-up code runs before it starts
# counting. Left out of the list, each sat in a page of cold code that the kernel then mapped with its
# neighbours, 64 KiB at a time (found with `perf record -e page-faults -d` on the server).
UNSEEN = re.compile(r"^(_start|frame_dummy|register_tm_clones|deregister_tm_clones|__do_global_dtors_aux"
                    r"|mi_bitmap_clear_once_set|.*(lock_contended|read_contended|write_contended"
                    r"|wake_writer_or_readers).*)$")


def binary_functions():
    """The binary's functions (text symbols, with the C library's indirect ones), by name, once each."""
    out = subprocess.run(["nm", "--defined-only", BINARY], capture_output=True, text=True, check=True).stdout
    rows = (line.split() for line in out.splitlines())
    return list(dict.fromkeys(p[2] for p in rows if len(p) == 3 and p[1] in "tTiI"))


def unseen_functions(functions):
    """The functions of `functions` (the binary's) matching UNSEEN."""
    return [n for n in functions if UNSEEN.match(n)]


# The C library's string functions (memcpy, strlen, ...) come in one variant per instruction set, and the C
# library picks one per function when the process starts, by the CPU. Under valgrind, which has no AVX-512,
# it picks the AVX2 ones; a machine with AVX-512 runs the EVEX and AVX-512 ones, which the profile never
# sees (in a static binary they are part of it, found with `perf record -e page-faults -d`). For every
# variant the profile saw, and for `strcmp` (which the profile misses: valgrind answers it itself), these are
# listed after the profile's functions.
VARIANT = re.compile(r"^(__[a-z]+)_(?:sse2|ssse3|sse4_1|sse4_2|sse42|avx|avx2|avx2_rtm|avx_rtm)(?:_.*)?$")
WIDE = ("_evex", "_avx512")


def wide_variants(names, functions):
    """For each C library string function variant in `names`, the EVEX and AVX-512 variants of it among
    `functions` (the binary's) that `names` does not have."""
    prefixes = tuple(m.group(1) + w for n in names if (m := VARIANT.match(n)) for w in WIDE)
    prefixes += tuple("__strcmp" + w for w in WIDE)
    listed = set(names)
    return [n for n in functions if n.startswith(prefixes) and n not in listed]


def main():
    if "--no-build" not in sys.argv:
        bench.build_release(quiet=False)
    with tempfile.TemporaryDirectory() as outdir:
        lsp_session(outdir)
        cli_sessions(outdir)
        server = functions(sorted(glob.glob(f"{outdir}/lsp-*.out")))
        functions_of_binary = binary_functions()
        extra = [n for n in unseen_functions(functions_of_binary) if n not in server]
        names = server + extra
        names += wide_variants(names, functions_of_binary)
        names += [n for n in functions(sorted(glob.glob(f"{outdir}/cli-*.out"))) if n not in names]
    if not names:
        sys.exit("no function of the binary in the profiles")
    with open(OUT, "w") as f:
        f.write("\n".join(names) + "\n")
    print(f"{OUT}: {len(names)} functions")


if __name__ == "__main__":
    main()
