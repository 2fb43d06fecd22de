"""Go definition precision and recall of the map against gopls, on the standard library's `net`.

The project: Debian's golang-1.19-src (`apt-get install golang-1.19-src`, or `apt-get download`
and extract it), `/usr/share/go-1.19/src/net`, pinned by the package version. The map indexes a
copy (net/ plus the std go.mod, so `net/netip` is a workspace import); gopls (Debian's `gopls`,
talked to over stdio, its default build: linux/amd64) answers on the originals, in GOROOT,
offline (GOPROXY=off, GOFLAGS=-mod=vendor).

Sample: references (names, selectors, embedded types) drawn with a fixed seed from the non-test
files that build on linux/amd64 (gopls type-checks only those). For each, the map's definition
(`Resolver.target_at`, what textDocument/definition answers) and gopls's. Precision: of the
map's answers inside the workspace, the share at gopls's position (same file and line, same
column). Recall: of gopls's answers inside net/, the share the map gives. References the map
resolves to a package (a module) are left out: gopls answers those with the import line.
First, the arity check of every file (net compiles, test files too: any problem is a false alarm).
Columns are compared as bytes (net is ASCII where it matters; a non-ASCII line is skipped).

    python bench/go_definition_oracle.py [--src /usr/share/go-1.19/src] [--n 400] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from ssc_lsp.map.checks import check_file  # noqa: E402
from ssc_lsp.map.languages.go.build import file_builds  # noqa: E402
from ssc_lsp.map.languages.go.resolve import build_expr  # noqa: E402
from ssc_lsp.map.records import MODULE, REF_ATTRIBUTE, REF_BASE, REF_NAME  # noqa: E402
from ssc_lsp.map.service import MapOptions, MapService  # noqa: E402
from ssc_lsp.map.workspace import Located  # noqa: E402


class Gopls:
    """A minimal LSP client of `gopls serve` over stdio (requests one at a time)."""

    def __init__(self, root: Path):
        env = dict(os.environ, GOPROXY="off", GOFLAGS="-mod=vendor", GOTOOLCHAIN="local",
                   HOME=tempfile.mkdtemp(prefix="gopls-home-"))
        self.p = subprocess.Popen(["gopls", "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, env=env, cwd=root)
        self.n = 0
        self.call("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(),
                                 "capabilities": {}, "workspaceFolders": [{"uri": root.as_uri(), "name": "src"}]})
        self.notify("initialized", {})

    def send(self, msg: dict) -> None:
        body = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def call(self, method: str, params: dict):
        self.n += 1
        self.send({"jsonrpc": "2.0", "id": self.n, "method": method, "params": params})
        while True:
            length = 0
            while (line := self.p.stdout.readline().strip()):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            msg = json.loads(self.p.stdout.read(length))
            if msg.get("id") == self.n and "method" not in msg:
                return msg.get("result")
            if "method" in msg and "id" in msg:  # a request of the server's: answer nothing
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})

    def definition(self, path: Path, row: int, col: int):
        got = self.call("textDocument/definition", {"textDocument": {"uri": path.as_uri()},
                                                     "position": {"line": row, "character": col}})
        if not got:
            return None
        loc = got[0] if isinstance(got, list) else got
        s = loc["range"]["start"]
        return loc["uri"].removeprefix("file://"), s["line"], s["character"]

    def close(self) -> None:
        try:
            self.call("shutdown", {})
            self.notify("exit", {})
            self.p.wait(10)
        except Exception:  # noqa: BLE001 - a gopls that will not stop is killed
            self.p.kill()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", default="/usr/share/go-1.19/src")
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=10, help="disagreements to print")
    args = ap.parse_args()
    src = Path(args.src)
    work = Path(tempfile.mkdtemp(prefix="go-net-"))
    shutil.copytree(src / "net", work / "net")
    shutil.copy(src / "go.mod", work / "go.mod")
    t = time.perf_counter()
    svc = MapService(str(work), MapOptions(persist=False))
    svc.index()
    print(f"map: {len(svc.ws.files)} files in {time.perf_counter() - t:.1f}s")
    t = time.perf_counter()
    problems = [(path, p.range[0] + 1, p.message) for path, fm in sorted(svc.ws.files.items())
                for p in check_file(svc.ws, svc.resolver, fm)]
    print(f"arity check of every file: {len(problems)} problems in {time.perf_counter() - t:.1f}s "
          f"(net compiles: each one is a false alarm)")
    for path, line, msg in problems[: args.show]:
        print(f"  {path}:{line}: {msg}")
    pool = []
    for path, fm in sorted(svc.ws.files.items()):
        if path.endswith("_test.go") or not file_builds(path, build_expr(fm)):
            continue
        lines = (work / path).read_bytes().split(b"\n")
        for ref, unit in fm.iter_refs():
            row = ref.row + unit.start_row
            if ref.kind in (REF_NAME, REF_ATTRIBUTE, REF_BASE) and lines[row].isascii():
                pool.append((path, row, ref.col))
    sample = random.Random(args.seed).sample(pool, min(args.n, len(pool)))
    t = time.perf_counter()
    gopls = Gopls(src)
    agree = answered = oracle_in = found = 0
    wrong: list[str] = []
    try:
        for path, row, col in sample:
            fm = svc.ws.files[path]
            mine = svc.resolver.target_at(fm, row, col)
            if isinstance(mine, Located) and mine.symbol.kind == MODULE:
                continue
            theirs = gopls.definition(src / path, row, col)
            at = None
            if isinstance(mine, Located):
                r = mine.symbol.name_range
                at = (str(src / mine.file.path), r[0], r[1])
            inside = theirs is not None and theirs[0].startswith(str(src / "net") + "/")
            if at is not None:
                answered += 1
                if theirs is not None and tuple(theirs) == at:
                    agree += 1
                else:
                    wrong.append(f"{path}:{row + 1}:{col + 1} map {at} gopls {theirs}")
            if inside:
                oracle_in += 1
                found += at is not None and tuple(theirs) == at
    finally:
        gopls.close()
    print(f"gopls: {len(sample)} references in {time.perf_counter() - t:.1f}s (pool {len(pool)})")
    print(f"precision {agree}/{answered} = {agree / max(answered, 1):.1%}; "
          f"recall {found}/{oracle_in} = {found / max(oracle_in, 1):.1%}")
    for w in wrong[: args.show]:
        print("  disagree:", w)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
