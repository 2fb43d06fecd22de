"""`ssc.changeSignature` and `ssc.moveSymbol` on real projects: how often the result checks clean,
what the map completes that rope left, and what one operation costs.

For each project the map is indexed once; functions and methods that other files use are taken
in a seeded order (bench/check_bench.py's `candidates`), and each gets the next operation of a
rotation that applies to its signature:

- add_default: a parameter with a default, after the positional ones;
- add_value: a required parameter before the first default, every call passing `None`;
- remove: a positional parameter the body does not use;
- rename: a parameter's name (`<name>_2`);
- reorder: the first two own parameters swapped (both without a default);
- move: a top-level function to a new module beside its file.

Each runs exactly as the command does (refactor/change_signature.py, refactor/move_symbol.py: a
snapshot of the workspace, rope in a worker thread, the map's completions), then the edit check
(refactor/proposal.check) judges the result; the same check on rope's result alone (before the
map's completions) is the baseline. Reported per project and kind: operations made, refused (by
rope or the map, with the reason), results with 0 problems (map+rope vs rope alone), call sites and
imports the map completed, notes (uncertain sites listed), median time per operation.

    python bench/engine_refactors_bench.py --corpus DIR [--projects requests flask] [--per-project 30]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from check_bench import DEV, candidates
from ssc_lsp.grounding.edit_check import check_texts
from ssc_lsp.map.records import FUNCTION, POSITIONAL_OR_KEYWORD
from ssc_lsp.map.relations import uses_within
from ssc_lsp.map.service import MapOptions, MapService
from ssc_lsp.map.workspace import Located
from ssc_lsp.refactor.change_signature import change_signature
from ssc_lsp.refactor.move_symbol import move_symbol
from ssc_lsp.refactor.proposal import check
from ssc_lsp.refactor.rope_run import RefactorFailed, Stats
from ssc_lsp.refactor.signature_ops import parse_ops

KINDS = ("add_default", "add_value", "remove", "rename", "reorder", "move")


def changes_for(kind: str, svc: MapService, path: str, sym) -> list[dict] | None:
    params = list(sym.signature.params) if sym.signature else []
    own = [p for p in params if p.name not in ("self", "cls")]
    plain = [p for p in own if p.kind == POSITIONAL_OR_KEYWORD]
    if kind == "add_default":
        return [{"op": "add", "name": "extra_flag", "default": "None"}]
    if kind == "add_value":
        return [{"op": "add", "name": "extra_arg", "value": "None"}]
    if kind == "remove":
        fm = svc.ws.files[path]
        used = {u.ref.name for u in uses_within(fm, Located(fm, sym))}
        unused = [p for p in plain if p.name not in used]
        return [{"op": "remove", "name": unused[0].name}] if unused else None
    if kind == "rename":
        return [{"op": "rename", "name": own[0].name, "newName": own[0].name + "_2"}] if own else None
    if kind == "reorder":
        if len(plain) < 2 or plain[0].has_default or plain[1].has_default:
            return None
        names = [p.name for p in params]
        i, j = names.index(plain[0].name), names.index(plain[1].name)
        names[i], names[j] = names[j], names[i]
        return [{"op": "reorder", "order": names}]
    return None


async def one(kind: str, svc: MapService, path: str, sym, stats: Stats):
    row, col = sym.name_range[:2]
    if kind == "move":
        if sym.kind != FUNCTION or sym.parent:
            return None
        dest = path.rsplit("/", 1)[0] + "/moved_here.py" if "/" in path else "moved_here.py"
        return await move_symbol(svc, path, row, col, dest, stats=stats)
    changes = changes_for(kind, svc, path, sym)
    if changes is None:
        return None
    return await change_signature(svc, path, row, col, parse_ops(changes), stats=stats)


def applicable(kind: str, svc: MapService, path: str, sym) -> bool:
    if kind == "move":
        return sym.kind == FUNCTION and not sym.parent
    return changes_for(kind, svc, path, sym) is not None


def run_project(root: Path, per_project: int, seed: int, verbose: bool = False) -> list[dict]:
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    rng = random.Random(seed)
    out: list[dict] = []
    k = 0
    for path, sym in candidates(svc, rng):
        if len(out) >= per_project:
            break
        kinds = [KINDS[(k + i) % len(KINDS)] for i in range(len(KINDS))]
        kind = next((kd for kd in kinds if applicable(kd, svc, path, sym)), None)
        if kind is None:
            continue
        k = KINDS.index(kind) + 1
        stats = Stats()
        t0 = time.perf_counter()
        try:
            p = asyncio.run(one(kind, svc, path, sym, stats))
        except RefactorFailed as e:
            out.append({"kind": kind, "symbol": sym.id, "refused": str(e)[:120]})
            continue
        ms = (time.perf_counter() - t0) * 1000
        check(p)
        alone = check_texts(svc, dict(stats.rope_after)) if stats.completed else p.result
        if verbose:
            for n in p.notes:
                print(f"  {root.name} {kind} {sym.id}: note: {n}", file=sys.stderr)
        out.append({"kind": kind, "symbol": sym.id, "ms": ms, "rope_ms": stats.rope_ms,
                    "problems": len(p.problems), "rope_alone_problems": len(alone.problems),
                    "completed": stats.completed, "notes": len(p.notes),
                    "first_problem": f"{p.problems[0].path}:{p.problems[0].range[0] + 1} {p.problems[0].message}"
                    if p.problems else None})
    svc.close_store()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--projects", nargs="*", default=list(DEV))
    ap.add_argument("--per-project", type=int, default=30)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--verbose", action="store_true", help="print every note")
    args = ap.parse_args()
    rows: dict[str, list[dict]] = {}
    for name in args.projects:
        root = args.corpus / name
        if not root.is_dir():
            print(f"{name}: not in {args.corpus}", file=sys.stderr)
            continue
        rows[name] = run_project(root, args.per_project, args.seed, args.verbose)
        for r in rows[name]:
            if r.get("problems"):
                print(f"  {name} {r['kind']} {r['symbol']}: {r['first_problem']}", file=sys.stderr)
    print("| project | operations | refused | 0 problems (rope + map) | 0 problems (rope alone) | "
          "map completions | notes | median ms (rope) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    total = defaultdict(list)
    for name, rs in rows.items():
        made = [r for r in rs if "ms" in r]
        refused = [r for r in rs if "refused" in r]
        total["made"] += made
        total["refused"] += refused
        print(_row(name, made, refused))
    print(_row("all", total["made"], total["refused"]))
    print()
    print("| kind | operations | refused | 0 problems | map completions | notes | median ms |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for kind in KINDS:
        made = [r for r in total["made"] if r["kind"] == kind]
        refused = [r for r in total["refused"] if r["kind"] == kind]
        ms = statistics.median(r["ms"] for r in made) if made else 0
        print(f"| {kind} | {len(made)} | {len(refused)} | {sum(1 for r in made if not r['problems'])} | "
              f"{sum(r['completed'] for r in made)} | {sum(r['notes'] for r in made)} | {ms:.0f} |")
    reasons = Counter(r["refused"].split(":")[0][:60] for r in total["refused"])
    if reasons:
        print("\nrefusals: " + "; ".join(f"{n}x {why}" for why, n in reasons.most_common(6)))
    return 0


def _row(name: str, made: list[dict], refused: list[dict]) -> str:
    ms = statistics.median(r["ms"] for r in made) if made else 0
    rope = statistics.median(r["rope_ms"] for r in made) if made else 0
    return (f"| {name} | {len(made)} | {len(refused)} | {sum(1 for r in made if not r['problems'])} | "
            f"{sum(1 for r in made if not r['rope_alone_problems'])} | {sum(r['completed'] for r in made)} | "
            f"{sum(r['notes'] for r in made)} | {ms:.0f} ({rope:.0f}) |")


if __name__ == "__main__":
    sys.exit(main())
