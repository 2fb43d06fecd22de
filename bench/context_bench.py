"""Context assembly latency on a Django-size workspace (the Django 5.2 wheel from PyPI).

Two scenarios, both with the server's defaults (jedi waited for at most
engine.DEFAULT_JEDI_DEADLINE per request, indexes patched by the background worker):

* positions: N positions sampled from Django's own code (right after `x.` of an attribute
  access, and at the start of a called name, like the evaluation's cases); for each, the file is
  presented cut at the position (as an open document) and one context is assembled. Between
  positions the file is restored and the indexes settle (not timed: that is the worker's job
  while the user reads).
* typing: at K of those positions the identifier is then typed one character at a time
  (incremental didChange), with a context request after each keystroke and no settling: what an
  editor asking for context as the user types costs.

Only `ContextEngine.assemble` is timed. The map's own indexing and the engine's one-time index
build (symbol graph, BM25 over definitions, docs) are reported separately.

    python bench/context_bench.py [--corpus DIR] [--positions 300] [--typing 30] [--budget 16000]
                                  [--seed 0] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))
sys.path.insert(0, str(HERE))

from map_bench import DJANGO, fetch_django  # noqa: E402
from ssc_lsp.context.engine import ContextEngine, ContextOptions  # noqa: E402
from ssc_lsp.context.tokens import Budget  # noqa: E402
from ssc_lsp.map.document import Change  # noqa: E402
from ssc_lsp.map.records import REF_ATTRIBUTE, REF_NAME  # noqa: E402
from ssc_lsp.map.service import MapOptions, MapService  # noqa: E402


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def sample_positions(svc: MapService, n: int, seed: int) -> list[tuple[str, int, int, str]]:
    """(path, row, byte col, identifier) at attribute names after `x.` and at called names."""
    attrs: list[tuple[str, int, int, str]] = []
    calls: list[tuple[str, int, int, str]] = []
    for path in sorted(svc.ws.files):
        if "/migrations/" in path or "/locale/" in path:
            continue
        fm = svc.ws.files[path]
        for unit in fm.units:
            for ref in unit.refs:
                row = ref.row + unit.start_row
                if ref.kind == REF_ATTRIBUTE and ref.receiver and row > 20:
                    attrs.append((path, row, ref.col, ref.name))
                elif ref.kind == REF_NAME and ref.nargs >= 0 and row > 20:
                    calls.append((path, row, ref.col, ref.name))
    rng = random.Random(seed)
    n_attr = round(n * 0.6)
    picked = rng.sample(attrs, min(n_attr, len(attrs))) + rng.sample(calls, min(n - n_attr, len(calls)))
    rng.shuffle(picked)
    return picked


def forget_harness_edits(svc: MapService) -> None:
    """Cutting and restoring files is the harness's doing, not a user's: drop it from the history
    (as the evaluation does), or every later position would see it as "changed just now"."""
    h = svc.history
    with h.lock:
        h.by_symbol.clear()
        h.log.clear()
        h.pending.clear()


def cut(text: str, row: int, col: int) -> str:
    lines = text.split("\n")
    head = lines[row].encode()[:col].decode(errors="replace")
    return "\n".join(lines[:row] + [head])


def bench_positions(svc, engine, positions, budget: int, use_jedi: bool = True) -> dict:
    ms: list[float] = []
    cpu: list[float] = []
    stages: dict[str, list[float]] = {}
    items: list[int] = []
    for rel, row, col, _ in positions:
        text = svc.text_of(rel)
        svc.open(rel, cut(text, row, col), 1)
        t0, c0 = time.perf_counter(), time.thread_time()
        res = engine.assemble(rel, row, col, ContextOptions(budget=Budget(budget), use_jedi=use_jedi))
        ms.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        items.append(len(res.items))
        for k, v in res.timings.items():
            stages.setdefault(k, []).append(v)
        svc.close(rel)
        forget_harness_edits(svc)
        engine.settle()
    return {"n": len(ms), "p50": pct(ms, 50), "p95": pct(ms, 95), "p99": pct(ms, 99), "max": max(ms, default=float("nan")),
            "mean": statistics.mean(ms), "items_median": statistics.median(items),
            "cpu_p50": pct(cpu, 50), "cpu_p95": pct(cpu, 95),
            "stages_p95": {k: round(pct(v, 95), 2) for k, v in stages.items()}}


def bench_typing(svc, engine, positions, budget: int, use_jedi: bool = True) -> dict:
    ms: list[float] = []
    cpu: list[float] = []
    for rel, row, col, name in positions:
        text = svc.text_of(rel)
        svc.open(rel, cut(text, row, col), 1)
        version = 1
        for i, ch in enumerate(name):
            version += 1
            svc.change(rel, [Change(ch, ((row, col + i), (row, col + i)))], version)
            t0, c0 = time.perf_counter(), time.thread_time()
            engine.assemble(rel, row, col + i + 1, ContextOptions(budget=Budget(budget), use_jedi=use_jedi))
            ms.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
        svc.close(rel)
        forget_harness_edits(svc)
        engine.settle()
    return {"n": len(ms), "p50": pct(ms, 50), "p95": pct(ms, 95), "p99": pct(ms, 99),
            "max": max(ms, default=float("nan")), "cpu_p50": pct(cpu, 50), "cpu_p95": pct(cpu, 95)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(HERE / ".corpus"), help="where the Django wheel is unpacked")
    ap.add_argument("--workspace", help="an unpacked workspace to use instead of the Django wheel")
    ap.add_argument("--positions", type=int, default=300)
    ap.add_argument("--typing", type=int, default=30, help="positions at which an identifier is typed")
    ap.add_argument("--budget", type=int, default=16000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", help="write the figures here too")
    ap.add_argument("--no-jedi", action="store_true", help="the map alone (no jedi inference)")
    args = ap.parse_args()

    root = Path(args.workspace) if args.workspace else fetch_django(Path(args.corpus))
    t0 = time.perf_counter()
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    index_s = time.perf_counter() - t0
    engine = ContextEngine(svc)
    t0 = time.perf_counter()
    engine.warm()
    engine.settle()
    warm_s = time.perf_counter() - t0
    forget_harness_edits(svc)
    stats = svc.ws.stats()
    positions = sample_positions(svc, args.positions, args.seed)
    pos = bench_positions(svc, engine, positions, args.budget, not args.no_jedi)
    typing = bench_typing(svc, engine, positions[: args.typing], args.budget, not args.no_jedi)
    engine.close()
    out = {"corpus": DJANGO if not args.workspace else str(root), "files": stats["files"],
           "lines": stats["lines"], "cores": os.cpu_count(), "python": platform.python_version(),
           "budget": args.budget, "jedi": not args.no_jedi, "index_s": round(index_s, 2), "engine_warm_s": round(warm_s, 2),
           "positions": pos, "typing": typing}
    print(json.dumps(out, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    load = os.getloadavg()[0]
    print(f"\nload average at the end: {load:.2f} on {os.cpu_count()} cores")
    print("| scenario | n | p50 ms | p95 ms | p99 ms | max ms | CPU p50 ms | CPU p95 ms |\n"
          "| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, r in (("positions (file cut at the cursor)", pos), ("typing (a request per keystroke)", typing)):
        print(f"| {name} | {r['n']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['max']:.1f} "
              f"| {r['cpu_p50']:.1f} | {r['cpu_p95']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
