"""jedi's extract function / extract variable / inline on real functions, each result judged by
the edit check (issue 11, `ssc.extractFunction` / `ssc.extractVariable` / `ssc.inline`).

For each project of a corpus folder, a seeded sample of functions; in each, one site per
refactoring, chosen from the code as a user would select it:
- extract variable: a call or binary operation on one line, inside the function's body;
- extract function: one to three consecutive simple statements (no return, yield, break,
  continue, global/nonlocal) of the function's top-level body, whole lines selected;
- inline: a local name assigned once by `=` in the body and used later.
Each runs through refactor/jedi_refactor.run (the jedi process of the server, on the file's
text) with the deterministic name of refactor/naming.fallback, and the result goes through
grounding.edit_check.check_texts. Counted: jedi refused (its RefactoringError), results that
pass the check, results with problems (by kind), and the median times of jedi and the check.
Baselines, in the same run: extract function on jedi's text as it comes (no repair of the
empty output, `without_empty_output`), and also with the selection as selected (ending at the
end of the last line) instead of widened by `statement_span`.

    python bench/extract_inline_bench.py CORPUS_DIR [--per-project 20] [--seed 11] [--json OUT]
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from ssc_lsp.grounding.edit_check import check_texts
from ssc_lsp.map.positions import LineIndex
from ssc_lsp.map.service import MapOptions, MapService
from ssc_lsp.refactor import jedi_refactor as J
from ssc_lsp.refactor.naming import fallback, landing_of

SIMPLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr)
FORBIDDEN = (ast.Return, ast.Yield, ast.YieldFrom, ast.Await, ast.Break, ast.Continue, ast.Global,
             ast.Nonlocal)


def _functions(tree: ast.AST) -> list[ast.FunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and len(n.body) >= 2]


def _byte(index: LineIndex, line: int, col: int) -> int:
    return index.byte_of_point(line - 1, col)


def _variable_site(fn: ast.FunctionDef, index: LineIndex, rng: random.Random) -> tuple[int, int] | None:
    found = [n for stmt in fn.body if isinstance(stmt, SIMPLE) for n in ast.walk(stmt)
             if isinstance(n, ast.Call | ast.BinOp) and n.lineno == n.end_lineno]
    if not found:
        return None
    n = rng.choice(found)
    return _byte(index, n.lineno, n.col_offset), _byte(index, n.end_lineno, n.end_col_offset)


def _function_site(fn: ast.FunctionDef, index: LineIndex, rng: random.Random) -> tuple[int, int] | None:
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]  # the docstring
    runs = []
    for i in range(len(body)):
        for k in (1, 2, 3):
            stmts = body[i:i + k]
            if len(stmts) < k or i + k >= len(body):
                continue  # keep a statement after the run: the extracted value is used or not
            if all(isinstance(s, SIMPLE) and not any(isinstance(x, FORBIDDEN) for x in ast.walk(s))
                   for s in stmts):
                runs.append(stmts)
    if not runs:
        return None
    stmts = rng.choice(runs)
    return _byte(index, stmts[0].lineno, stmts[0].col_offset), _byte(index, stmts[-1].end_lineno,
                                                                     stmts[-1].end_col_offset)


def _inline_site(fn: ast.FunctionDef, index: LineIndex, rng: random.Random) -> int | None:
    assigned: Counter = Counter()
    first: dict[str, ast.Name] = {}
    used: Counter = Counter()
    for n in ast.walk(fn):
        if isinstance(n, ast.Name):
            if isinstance(n.ctx, ast.Store):
                assigned[n.id] += 1
                first.setdefault(n.id, n)
            else:
                used[n.id] += 1
    ok = [name for name, k in assigned.items() if k == 1 and used[name] >= 1
          and any(isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)
                  and s.targets[0].id == name for s in fn.body)]
    if not ok:
        return None
    n = first[rng.choice(sorted(ok))]
    return _byte(index, n.lineno, n.col_offset)


async def _one(svc: MapService, rel: str, data: bytes, op: str, site, name: str | None,
               repair: bool = False) -> dict:
    t0 = time.perf_counter()
    try:
        if op == J.INLINE:
            after = await J.run(svc, rel, data, op, site)
        else:
            after = await J.run(svc, rel, data, op, site[0], site[1], name)
        if repair and rel in after:
            after[rel] = J.without_empty_output(after[rel], name)
    except J.Refused as e:
        return {"outcome": "refused", "why": str(e), "jedi_ms": (time.perf_counter() - t0) * 1000}
    jedi_ms = (time.perf_counter() - t0) * 1000
    t1 = time.perf_counter()
    result = check_texts(svc, dict(after))
    return {"outcome": "pass" if result.ok else "problems", "jedi_ms": jedi_ms,
            "check_ms": (time.perf_counter() - t1) * 1000,
            "kinds": sorted({p.kind for p in result.problems}),
            "first": result.problems[0].message if result.problems else None}


async def project(root: Path, per_project: int, seed: int) -> list[dict]:
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    rng = random.Random(seed)
    files = sorted(p for p in svc.ws.files if p.endswith(".py") and "/tests/" not in f"/{p}")
    fns = []
    for rel in files:
        data = (root / rel).read_bytes()
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError):
            continue
        fns.extend((rel, data, fn) for fn in _functions(tree))
    rng.shuffle(fns)
    out: list[dict] = []
    counts: Counter = Counter()
    for rel, data, fn in fns:
        if all(counts[op] >= per_project for op in ("variable", "function", "inline")):
            break
        index = LineIndex(data)
        fm = svc.ws.files[rel]
        for op in ("variable", "function", "inline"):
            if counts[op] >= per_project:
                continue
            site = {"variable": _variable_site, "function": _function_site, "inline": _inline_site}[op](fn, index, rng)
            if site is None:
                continue
            counts[op] += 1
            row = index.point_of_byte(site if op == "inline" else site[0])[0]
            name = None if op == "inline" else fallback(svc.ws, svc.resolver, fm, landing_of(fm, row, op))
            base = {"project": root.name, "file": rel, "line": row + 1, "op": op}
            if op == "function":
                widened = J.statement_span(data, *site)
                out.append({**base, **await _one(svc, rel, data, J.EXTRACT_FUNCTION, widened, name, True)})
                out.append({**base, "op": "function (widened, jedi's text)",
                            **await _one(svc, rel, data, J.EXTRACT_FUNCTION, widened, name)})
                out.append({**base, "op": "function (as selected, jedi's text)",
                            **await _one(svc, rel, data, J.EXTRACT_FUNCTION, site, name)})
            elif op == "variable":
                out.append({**base, **await _one(svc, rel, data, J.EXTRACT_VARIABLE, site, name)})
            else:
                out.append({**base, **await _one(svc, rel, data, J.INLINE, site, None)})
    return out


def summarize(rows: list[dict]) -> dict:
    table = {}
    for op in sorted({r["op"] for r in rows}):
        mine = [r for r in rows if r["op"] == op]
        made = [r for r in mine if r["outcome"] != "refused"]
        passed = [r for r in made if r["outcome"] == "pass"]
        kinds = Counter(k for r in made for k in r.get("kinds", ()))
        table[op] = {
            "sites": len(mine), "jedi_refused": len(mine) - len(made), "results": len(made),
            "pass_check": len(passed), "with_problems": len(made) - len(passed),
            "problem_kinds": dict(kinds),
            "jedi_ms_median": round(statistics.median(r["jedi_ms"] for r in mine), 1) if mine else None,
            "check_ms_median": round(statistics.median(r["check_ms"] for r in made), 1) if made else None,
        }
    return table


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--per-project", type=int, default=20)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--json")
    args = ap.parse_args()
    rows: list[dict] = []
    for root in sorted(p for p in Path(args.corpus).iterdir() if p.is_dir()):
        got = await project(root, args.per_project, args.seed)
        print(f"{root.name}: {len(got)} runs", file=sys.stderr)
        rows.extend(got)
    table = summarize(rows)
    print(json.dumps(table, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": table, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
