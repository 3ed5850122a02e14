#!/usr/bin/env python3
"""The language server's edit loop alone, for profiling: open the generated file, then type and delete a
character in its middle, `--edits` times, and print the median edit -> diagnostics latency (timed as in
bench.py: at the last byte of the message, before decoding), the diagnostics count and size, and the peak RSS.

    python3 tests/bench/edit_loop.py [--lines 5000] [--edits 40] [--server target/release/dockward]
    python3 tests/bench/edit_loop.py --perf /tmp/lsp.data   # perf record (cpu-clock: VMs have no hardware counters) on the server
    python3 tests/bench/edit_loop.py --lines 50000 --floor   # and the pipe's floor for a message that size
    python3 tests/bench/edit_loop.py --lines 50000 --pause 4.5   # each edit after 4.5 s with nothing sent
    python3 tests/bench/edit_loop.py --lines 50000 --pull   # as a client that pulls diagnostics (VS Code's)

`--floor` times what no server can go below: a child process that writes a prebuilt message of the size
of the last publication (its pipe widened to 1 MiB, as dockward widens its own) each time it is asked,
read by this client as the edits' diagnostics are. `--pause` leaves the server (and, when nothing else runs,
the machine) idle before each edit, as between the keystrokes of a person, or while the other server of
bench.py works. `--pull` makes the client one that pulls diagnostics after every change
(`textDocument/diagnostic` with the result id of its last pull, as VS Code's client does; bench.py's
`pull_bench`), and counts the reports that were full and unchanged.
"""
import argparse
import os
import pathlib
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bench  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", bench.ROOT / "target"))
    ap.add_argument("--server", default=str(target / "release" / "dockward"))
    ap.add_argument("--lines", type=int, default=5000)
    ap.add_argument("--edits", type=int, default=40)
    ap.add_argument("--perf", metavar="OUT", help="record a perf profile of the server during the edits")
    ap.add_argument("--floor", action="store_true", help="also time a prebuilt message of the same size through a pipe")
    ap.add_argument("--pause", type=float, default=0.0, metavar="SECONDS", help="wait this long before each edit")
    ap.add_argument("--pull", action="store_true", help="pull diagnostics after every change instead of waiting for them")
    args = ap.parse_args()
    if args.pull:
        server = ("dockward", [args.server, "lsp", "--stdio"], lambda _: args.edits, 1)
        [r] = bench.pull_bench([server], [args.lines])
        e = r[args.lines]
        print(f"edit -> pulled diagnostics, {args.lines} lines: median {e['median_ms']:.2f} ms, p95 {e['p95_ms']:.2f} ms; "
              f"{e['full']} full and {e['unchanged']} unchanged reports; {e['items']} diagnostics")
        return
    text = bench.generate(args.lines)
    c = bench.Lsp([args.server, "lsp", "--stdio"])
    c.initialize("file:///tmp/bench")
    uri = f"file:///tmp/bench/gen{args.lines}/Dockerfile"
    c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}})
    c.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
    perf = None
    if args.perf:
        perf = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "20000", "-g", "--call-graph", "dwarf", "-o", args.perf, "-p", str(c.p.pid)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
    lat, msg = bench.timed_edits(c, uri, text, args.edits, args.pause)
    if perf:
        perf.send_signal(signal.SIGINT)
        perf.wait()
    print(f"edit -> diagnostics, {args.lines} lines: median {statistics.median(lat):.2f} ms, "
          f"min {min(lat):.2f} ms, p95 {bench.pct(lat, 95):.2f} ms; "
          f"{len(msg['params']['diagnostics'])} diagnostics, {msg['_bytes']} bytes; "
          f"peak RSS {c.peak_rss_kib() / 1024:.1f} MiB")
    c.close()
    if args.floor:
        size = msg["_bytes"]
        print(f"pipe floor for a {size}-byte message: median {bench.pipe_floor(size):.2f} ms")


if __name__ == "__main__":
    main()
