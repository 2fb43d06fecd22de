"""Latency of definition, references and workspace/symbol on the Django 5.2 corpus.

Two measurements of the same sampled positions and queries:

- **server**: the real server over stdio (`python -m ssc_lsp`), one request at a time, timed
  from send to answer by the client (JSON-RPC, position conversion and line indexes included).
  The server is measured once its index is ready and it has settled (its first diagnostics
  pass resolves every reference of the workspace, which warms the resolution cache), which is
  the state a user works in.
- **cold**: the map's navigation functions in-process with an empty resolution cache before
  each request, the worst case (right after an edit to a module's interface, which drops the
  cache).

Positions: a seeded sample of references (names, attributes, imports) in random files, and for
workspace/symbol queries made from sampled symbol names (prefixes, whole names, word starts).

    python bench/nav_latency.py [--corpus DIR] [--positions 400] [--queries 200] [--seed 1]
                                [--settle 20] [--json OUT]

`--corpus DIR` is a folder holding `django/` (default: bench/.corpus/django-5.2, downloaded with
`pip download django==5.2` when missing).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))

from lsprotocol import types  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402

from ssc_lsp.map.navigation import definition, references  # noqa: E402
from ssc_lsp.map.positions import LineIndex  # noqa: E402
from ssc_lsp.map.service import MapOptions, MapService  # noqa: E402
from ssc_lsp.map.symbol_search import initials, searcher  # noqa: E402

DJANGO = "django==5.2"


def fetch_django(dest: Path) -> Path:
    root = dest / "django-5.2"
    if (root / "django" / "__init__.py").exists():
        return root
    dl = Path(tempfile.mkdtemp())
    try:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--only-binary", ":all:", "-d", str(dl), DJANGO], check=True)
        root.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(next(dl.glob("*.whl"))) as z:
            z.extractall(root)
    finally:
        shutil.rmtree(dl, ignore_errors=True)
    return root


def sample_positions(svc: MapService, n: int, rng: random.Random) -> list[tuple[str, int, int, str]]:
    """(path, row, byte col, name) of references resolvable or not, across random files."""
    refs = []
    for path in sorted(svc.ws.files):
        for unit in svc.ws.files[path].units:
            for ref in unit.refs:
                if ref.kind in ("name", "attribute", "import", "keyword"):
                    refs.append((path, ref.row + unit.start_row, ref.col, ref.name))
    return rng.sample(refs, min(n, len(refs)))


def sample_queries(svc: MapService, n: int, rng: random.Random) -> list[str]:
    names = sorted({s.name for fm in svc.ws.files.values() for s in fm.symbols
                    if s.kind in ("class", "function", "method") and len(s.name) > 3})
    out = []
    for name in rng.sample(names, min(n, len(names))):
        pick = rng.random()
        if pick < 0.4:
            out.append(name[: rng.randint(1, 4)])
        elif pick < 0.7:
            out.append(name)
        else:
            out.append(initials(name) or name[:2])
    return out


def stats(xs: list[float]) -> dict:
    xs = sorted(xs)
    if not xs:
        return {}
    return {"n": len(xs), "p50_ms": round(statistics.median(xs) * 1000, 2),
            "p95_ms": round(xs[max(0, int(len(xs) * 0.95) - 1)] * 1000, 2),
            "max_ms": round(xs[-1] * 1000, 2)}


# -- in-process, cold ------------------------------------------------------------------------------


def cold(svc: MapService, positions, queries) -> dict:
    d, r, w = [], [], []
    hits = 0
    for path, row, col, _ in positions:
        fm = svc.ws.files[path]
        svc.resolver._cache.clear()
        t0 = time.perf_counter()
        loc = definition(svc.resolver, fm, row, col)
        d.append(time.perf_counter() - t0)
        if loc is None:
            continue
        hits += 1
        svc.resolver._cache.clear()
        t0 = time.perf_counter()
        references(svc.ws, svc.resolver, loc, True)
        r.append(time.perf_counter() - t0)
    search = searcher(svc.ws)
    search.search("warm", 1)  # the table is built once, after indexing (the server does this)
    for q in queries:
        t0 = time.perf_counter()
        search.search(q)
        w.append(time.perf_counter() - t0)
    return {"definition": stats(d), "references": stats(r), "workspace_symbol": stats(w),
            "definitions_found": hits}


# -- over stdio ----------------------------------------------------------------------------------------


async def server(root: Path, positions, queries, settle: float) -> dict:
    from pytest_lsp.client import make_test_lsp_client

    client = make_test_lsp_client()
    client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
    cache = Path(tempfile.mkdtemp())
    env = dict(os.environ, SSC_LSP_CACHE_DIR=str(cache))
    await client.start_io(sys.executable, "-m", "ssc_lsp", "--log-level", "WARNING", env=env)
    try:
        caps = types.ClientCapabilities(text_document=types.TextDocumentClientCapabilities(
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities()))
        t0 = time.perf_counter()
        await client.initialize_session(types.InitializeParams(
            capabilities=caps, workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(root)), name="django")]))
        while True:
            status = await client.protocol.send_request_async("ssc/status", {})
            if getattr(status, "ready", None) or (isinstance(status, dict) and status.get("ready")):
                break
            await asyncio.sleep(0.1)
        ready = time.perf_counter() - t0
        await asyncio.sleep(settle)
        indexes = {}

        def pos(path: str, row: int, col: int) -> types.Position:
            if path not in indexes:
                indexes[path] = LineIndex((root / path).read_bytes())
            line, char = indexes[path].lsp_of_point(row, col)
            return types.Position(line=line, character=char)

        d, r, w = [], [], []
        found = 0
        for path, row, col, _ in positions:
            doc = types.TextDocumentIdentifier(uri=from_fs_path(str(root / path)))
            p = pos(path, row, col)
            t0 = time.perf_counter()
            got = await client.text_document_definition_async(types.DefinitionParams(text_document=doc, position=p))
            d.append(time.perf_counter() - t0)
            if not got:
                continue
            found += 1
            t0 = time.perf_counter()
            await client.text_document_references_async(types.ReferenceParams(
                text_document=doc, position=p, context=types.ReferenceContext(include_declaration=True)))
            r.append(time.perf_counter() - t0)
        for q in queries:
            t0 = time.perf_counter()
            await client.workspace_symbol_async(types.WorkspaceSymbolParams(query=q))
            w.append(time.perf_counter() - t0)
        return {"ready_s": round(ready, 2), "definition": stats(d), "references": stats(r),
                "workspace_symbol": stats(w), "definitions_found": found}
    finally:
        try:
            await asyncio.wait_for(client.shutdown_session(), 10)
        except Exception:
            pass
        await client.stop()
        shutil.rmtree(cache, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, help="a folder holding django/")
    ap.add_argument("--positions", type=int, default=400)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--settle", type=float, default=20.0, help="seconds to let the server settle")
    ap.add_argument("--skip-server", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    root = args.corpus if args.corpus else fetch_django(HERE / ".corpus")
    svc = MapService(str(root), MapOptions(persist=False))
    t0 = time.perf_counter()
    svc.index()
    print(f"indexed {len(svc.ws.files)} files in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    rng = random.Random(args.seed)
    positions = sample_positions(svc, args.positions, rng)
    queries = sample_queries(svc, args.queries, rng)
    out = {"corpus": str(root), "files": len(svc.ws.files), "positions": len(positions),
           "queries": len(queries), "cold": cold(svc, positions, queries)}
    if not args.skip_server:
        out["server"] = asyncio.run(server(root, positions, queries, args.settle))
    print("| measure | request | n | p50 | p95 | max |")
    print("| --- | --- | --- | --- | --- | --- |")
    for mode in ("server", "cold"):
        if mode not in out:
            continue
        for req in ("definition", "references", "workspace_symbol"):
            s = out[mode][req]
            print(f"| {mode} | {req} | {s['n']} | {s['p50_ms']} ms | {s['p95_ms']} ms | {s['max_ms']} ms |")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
