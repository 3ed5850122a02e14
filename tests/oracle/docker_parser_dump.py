#!/usr/bin/env python3
"""Dumps Docker's own view of every test Dockerfile into fixtures/oracle/docker-parser.json.

Docker's view comes from the PyPI package `dockerfile` 3.4.0, which wraps BuildKit's Go parser
(github.com/moby/buildkit v0.12.5, frontend/dockerfile/parser). For every file it records either the
list of instructions the parser returns or the error text it raises. `tests/parser_oracle.rs` compares
dockward's parser against this file, so `cargo test` runs without Python.

Inputs:
  * every file under fixtures/corpus/ except the corpus's own documentation files;
  * every fixtures/syntax/*.Dockerfile;
  * a few generated inputs (GENERATED below, e.g. lines longer than Docker's 64 KiB limit) that are
    too big to commit; tests/parser_oracle.rs builds the same texts from the same recipes.

Usage:
  python3 tests/oracle/docker_parser_dump.py           # rewrite the JSON
  python3 tests/oracle/docker_parser_dump.py --check   # exit 1 if the committed JSON is stale

Needs only the standard library and `pip install dockerfile==3.4.0`.
"""

import argparse
import json
import os
import sys
import tempfile

REQUIRED_VERSION = "3.4.0"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "fixtures", "oracle", "docker-parser.json")
CORPUS = os.path.join(ROOT, "fixtures", "corpus")
SYNTAX = os.path.join(ROOT, "fixtures", "syntax")
# Files in the corpus folder that are not Dockerfiles.
CORPUS_DOCS = {"README.md", "SOURCES.txt", "MANIFEST.tsv", "PROVENANCE.md"}

# name -> (prefix, repeated unit, count, suffix). The Rust test rebuilds each text as
# prefix + unit * count + suffix; keep the two lists in sync (tests/parser_oracle.rs, GENERATED).
GENERATED = {
    # Docker's scanner limit is 64 KiB per line (65535 bytes plus the newline).
    "generated/line-65535-bytes": ("FROM alpine\nRUN ", "x", 65535 - 4, "\nRUN echo after\n"),
    "generated/line-65536-bytes": ("FROM alpine\nRUN ", "x", 65536 - 4, "\nRUN echo after\n"),
    "generated/line-70000-bytes-in-continuation": (
        "FROM alpine\nRUN echo a \\\n  ", "y", 70000, " \\\n  b\n"),
    "generated/heredoc-body-line-70000-bytes": ("FROM alpine\nRUN <<EOF\n", "z", 70000, "\nEOF\n"),
    "generated/line-65535-bytes-no-newline": ("FROM alpine\nRUN ", "x", 65535 - 4, ""),
    "generated/line-65536-bytes-no-newline": ("FROM alpine\nRUN ", "x", 65536 - 4, ""),
    "generated/comment-line-70000-bytes": ("FROM alpine\n# ", "c", 70000, "\nRUN echo after\n"),
    "generated/directive-line-70000-bytes": ("# syntax=", "s", 70000, "\nFROM alpine\n"),
    # A `\r` before the `\n` counts towards the limit.
    "generated/crlf-line-65534-bytes": ("FROM alpine\r\nRUN ", "x", 65534 - 4, "\r\nRUN echo after\r\n"),
    "generated/crlf-line-65535-bytes": ("FROM alpine\r\nRUN ", "x", 65535 - 4, "\r\nRUN echo after\r\n"),
    "generated/2000-continuation-lines": ("FROM alpine\nRUN echo \\\n", "  a \\\n", 2000, "  end\n"),
    "generated/500-instructions": ("FROM alpine\n", "RUN echo hi\n", 500, ""),
}


def import_oracle():
    try:
        import dockerfile  # noqa: PLC0415
    except ImportError:
        sys.exit("needs the PyPI package: pip install dockerfile==%s" % REQUIRED_VERSION)
    try:
        from importlib.metadata import version  # noqa: PLC0415

        found = version("dockerfile")
    except Exception:  # noqa: BLE001
        found = "unknown"
    if found != REQUIRED_VERSION:
        sys.exit("needs dockerfile==%s, found %s" % (REQUIRED_VERSION, found))
    return dockerfile


def command_json(c):
    # The package turns Go's empty strings into None; an empty keyword happens (a lone `\` line).
    return {
        "cmd": c.cmd or "",
        "sub_cmd": c.sub_cmd,
        "json": bool(c.json),
        "original": c.original or "",
        "start_line": c.start_line,
        "end_line": c.end_line,
        "flags": list(c.flags),
        "value": list(c.value),
        "heredocs": [
            {"name": h.name, "fd": h.file_descriptor, "content": h.content} for h in c.heredocs
        ],
    }


def view(dockerfile, path):
    """Docker's answer for one file: parse_file reads the exact bytes (BOM, CR, invalid UTF-8)."""
    try:
        return {"instructions": [command_json(c) for c in dockerfile.parse_file(path)]}
    except dockerfile.GoParseError as e:
        return {"error": str(e)}


def corpus_files():
    out = []
    for d, dirs, files in os.walk(CORPUS):
        dirs.sort()
        for name in files:
            full = os.path.join(d, name)
            rel = os.path.relpath(full, ROOT).replace(os.sep, "/")
            if d == CORPUS and name in CORPUS_DOCS:
                continue
            out.append((rel, full))
    return sorted(out)


def syntax_files():
    return sorted(
        ("fixtures/syntax/" + n, os.path.join(SYNTAX, n))
        for n in os.listdir(SYNTAX)
        if n.endswith(".Dockerfile")
    )


def generated_text(recipe):
    prefix, unit, count, suffix = recipe
    return prefix + unit * count + suffix


def dump():
    dockerfile = import_oracle()
    files = {}
    for rel, full in corpus_files() + syntax_files():
        files[rel] = view(dockerfile, full)
    with tempfile.TemporaryDirectory() as tmp:
        for name, recipe in sorted(GENERATED.items()):
            path = os.path.join(tmp, "Dockerfile")
            with open(path, "wb") as f:
                f.write(generated_text(recipe).encode("utf-8"))
            files[name] = view(dockerfile, path)
    doc = {
        "source": "PyPI dockerfile==%s (BuildKit v0.12.5 frontend/dockerfile/parser, go1.20), "
        "written by tests/oracle/docker_parser_dump.py" % REQUIRED_VERSION,
        "generated": {
            name: {"prefix": p, "unit": u, "count": n, "suffix": s}
            for name, (p, u, n, s) in sorted(GENERATED.items())
        },
        "files": files,
    }
    # One instruction per line keeps diffs of this file readable.
    return json.dumps(doc, sort_keys=True, ensure_ascii=True, indent=1) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the committed JSON is stale")
    args = ap.parse_args()
    fresh = dump()
    n = fresh.count('"start_line"')
    if args.check:
        try:
            with open(OUT, encoding="utf-8") as f:
                old = f.read()
        except FileNotFoundError:
            print("%s is missing: run %s" % (OUT, sys.argv[0]), file=sys.stderr)
            return 1
        if old != fresh:
            a = json.loads(old)["files"]
            b = json.loads(fresh)["files"]
            changed = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            print("stale: %d file(s) differ, e.g. %s" % (len(changed), changed[:5]), file=sys.stderr)
            print("regenerate with: python3 tests/oracle/docker_parser_dump.py", file=sys.stderr)
            return 1
        print("fresh: %s matches Docker's parser (%d instructions)" % (os.path.relpath(OUT, ROOT), n))
        return 0
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(fresh)
    print("wrote %s (%d instructions)" % (os.path.relpath(OUT, ROOT), n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
