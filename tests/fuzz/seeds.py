#!/usr/bin/env python3
"""Builds the seed corpora of the fuzz targets (fuzz/corpus/<target>/) from the repository's fixtures.

Seeds are generated at run time rather than committed: they follow the fixtures as they change. Files a
fuzzer adds to a corpus directory are kept (re-running this script only adds and refreshes seeds).

    python3 tests/fuzz/seeds.py            # every target
    python3 tests/fuzz/seeds.py lsp fixes  # some targets
"""

import hashlib
import json
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
TARGETS = ["dockerfile", "dockerignore", "incremental_edits", "lsp", "fixes"]
# libFuzzer's default -max_len is taken from the largest seed; keep seeds small enough to mutate fast.
MAX_SEED = 16 * 1024


def files(under, pred):
    out = []
    for d, _, names in os.walk(os.path.join(ROOT, under)):
        for n in names:
            p = os.path.join(d, n)
            if pred(p):
                out.append(p)
    return sorted(out)


def is_dockerfile(p):
    n = os.path.basename(p).lower()
    return (
        ("dockerfile" in n or "containerfile" in n)
        and not n.endswith(".dockerignore")
        and not n.endswith(".snap")
        and not n.endswith(".md")
    )


def dockerfiles():
    out = []
    for p in files("fixtures", is_dockerfile):
        with open(p, "rb") as f:
            data = f.read()
        if 0 < len(data) <= MAX_SEED:
            out.append((p, data))
    return out


def ignore_files():
    out = []
    for p in files("fixtures", lambda p: p.endswith(".dockerignore")):
        with open(p, "rb") as f:
            out.append((p, f.read()))
    return out


def write(target, seeds):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    for data in seeds:
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    return len(seeds)


def frame(msg):
    body = json.dumps(msg, ensure_ascii=False).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def session(text, ignore, rng):
    """A whole editor session: the messages a real client sends, with edits in UTF-16 positions."""
    uri = "file:///dockward-fuzz/project/Dockerfile"
    iuri = "file:///dockward-fuzz/project/.dockerignore"
    lines = text.split("\n")
    line = rng.randrange(len(lines))
    col = rng.randrange(len(lines[line]) + 1)
    msgs = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "capabilities": {
                "general": {"positionEncodings": [rng.choice(["utf-8", "utf-16", "utf-32"])]},
                "textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]}}},
                "workspace": {"configuration": True, "workspaceEdit": {"documentChanges": True}},
            },
            "rootUri": "file:///dockward-fuzz/project",
            "initializationOptions": {"registry": {"offline": True}},
            "locale": rng.choice(["en", "ja"]),
        }},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": iuri, "languageId": "ignore", "version": 1, "text": ignore}}},
        {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": {"line": line, "character": col},
                                          "end": {"line": line, "character": col}}, "text": "x \\\n"}]}},
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {
            "textDocument": {"uri": uri}, "position": {"line": line, "character": col}}},
        {"jsonrpc": "2.0", "id": 3, "method": "textDocument/codeAction", "params": {
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": len(lines), "character": 0}},
            "context": {"diagnostics": []}}},
        {"jsonrpc": "2.0", "id": 4, "method": "textDocument/completion", "params": {
            "textDocument": {"uri": iuri}, "position": {"line": 0, "character": 0}}},
        {"jsonrpc": "2.0", "id": 5, "method": "textDocument/diagnostic", "params": {"textDocument": {"uri": uri}}},
        {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 5}},
        {"jsonrpc": "2.0", "id": 6, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    return b"".join(frame(m) for m in msgs)


def main():
    wanted = sys.argv[1:] or TARGETS
    rng = random.Random(10)
    dfs = dockerfiles()
    igs = ignore_files()
    counts = {}
    if "dockerfile" in wanted:
        counts["dockerfile"] = write("dockerfile", [d for _, d in dfs])
    if "fixes" in wanted:
        # The rule fixtures with their ignore files, then a sample of the rest.
        seeds = []
        for p, d in dfs:
            ig = p + ".dockerignore"
            if os.path.exists(ig):
                with open(ig, "rb") as f:
                    seeds.append(d + b"\xff" + f.read())
            elif "/rules/" in p or rng.random() < 0.25:
                seeds.append(d)
        counts["fixes"] = write("fixes", seeds)
    if "dockerignore" in wanted:
        seeds = [b"\x00" + d for _, d in igs]
        with open(os.path.join(ROOT, "fixtures", "oracle", "dockerignore-oracle.json")) as f:
            for case in json.load(f)["cases"]:
                paths = b"\xff".join(p.encode() for p in case["paths"])
                seeds.append(b"\x00" + case["dockerignore"].encode() + b"\xff" + paths)
        # Odd first byte: the generator of the oracle comparison.
        seeds += [bytes([1] + [rng.randrange(256) for _ in range(64)]) for _ in range(32)]
        counts["dockerignore"] = write("dockerignore", seeds)
    if "incremental_edits" in wanted:
        seeds = []
        for _, d in dfs:
            if len(d) > 4096 or rng.random() > 0.4:
                continue
            script = bytes(rng.randrange(256) for _ in range(rng.randrange(8, 64)))
            seeds.append(bytes([rng.randrange(3)]) + d + b"\xff" + script)
        counts["incremental_edits"] = write("incremental_edits", seeds)
    if "lsp" in wanted:
        ignore = igs[0][1].decode("utf-8", "replace") if igs else ".git\n"
        seeds = []
        for _, d in dfs:
            if len(d) > 4096 or rng.random() > 0.15:
                continue
            seeds.append(session(d.decode("utf-8", "replace"), ignore, rng))
        counts["lsp"] = write("lsp", seeds)
    for t, n in counts.items():
        print(f"{t}: {n} seeds in fuzz/corpus/{t}")


if __name__ == "__main__":
    main()
