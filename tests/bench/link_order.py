#!/usr/bin/env python3
"""Writes server/link-order.txt: the functions of the release binary that a language-server session and
command-line checks run, which the build script asks the linker to place first (server/build/link_order.rs).

Usage: python3 tests/bench/link_order.py [--no-build]

Needs valgrind. Builds the release binary, runs it under callgrind (which lists every function that ran,
by its mangled name) in these sessions:
- the language server: initialize, open the generated 5,000-line bench file, ten keystrokes, a hover, the
  code actions at the first diagnostic, a pull of the diagnostics, shutdown;
- `dockward check` over fixtures/corpus (JSON, one thread), over fixtures/demo (human and SARIF).
The server's functions come first, then those only the command line ran. Run it again after large
changes: functions added since are not in the list and are placed after it (the names of the others do
not change with their code). Names depend on the compiler version; the list is of rustc's release
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


def main():
    if "--no-build" not in sys.argv:
        subprocess.run(["cargo", "build", "--release", "--bin", "dockward"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory() as outdir:
        lsp_session(outdir)
        cli_sessions(outdir)
        names = functions(sorted(glob.glob(f"{outdir}/lsp-*.out")) + sorted(glob.glob(f"{outdir}/cli-*.out")))
    if not names:
        sys.exit("no function of the binary in the profiles")
    with open(OUT, "w") as f:
        f.write("\n".join(names) + "\n")
    print(f"{OUT}: {len(names)} functions")


if __name__ == "__main__":
    main()
