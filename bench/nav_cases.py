"""textDocument/definition over stdio on the cross-file cases, right after `initialized` and once
the map is ready, in the same run.

For each project of a cases file (the development set, `../shared/bench/cases.jsonl`, or a
held-out set made with the same make_cases.py), two real servers (`python -m ssc_lsp`), each
with an empty cache (a cold index) and a jedi process of its own (cold too, so neither phase
profits from answers the other left in jedi's cache):

- **start-up**: right after `initialized`, every case's definition is asked, one after the
  other (`--burst`: all at once, as an editor restoring many files might; jedi's questions then
  queue behind each other past their deadline), and the answers are scored; how many were
  answered before the server said the map was ready is counted (a concurrent `ssc/status` poll),
  and how many of those were right.
- **ready**: the second server, once its map is ready, every case, one at a time.

A case is right when one returned location is one of the case's gold places (jedi's `goto`:
file and 0-based line of the definition's name). precision = right / answered, recall =
right / cases. `--baseline SERVER_DIR` runs the same with another checkout's `server/` on
PYTHONPATH (e.g. /work/main/server), for a ratio measured in the same run.

    python bench/nav_cases.py --corpus DIR [--cases FILE] [--repos requests flask]
                              [--baseline DIR] [--json OUT] [--show 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from lsprotocol import types  # noqa: E402
from pygls.uris import to_fs_path  # noqa: E402
from tests.e2e.lsp import request, running  # noqa: E402

DEFAULT_CASES = HERE.parent.parent.parent / "shared" / "bench" / "cases.jsonl"


def right(case: dict, root: Path, got) -> bool | None:
    """True/False for an answer, None for no answer."""
    if not got:
        return None
    locs = got if isinstance(got, list) else [got]
    for loc in locs:
        uri = getattr(loc, "uri", None) or getattr(loc, "target_uri", None)
        rng = getattr(loc, "range", None) or getattr(loc, "target_selection_range", None)
        path = Path(to_fs_path(uri)).resolve()
        for g in case["gold"]:
            if path == (root / g["path"]).resolve() and rng.start.line == g["line"]:
                return True
    return False


async def ask(client, root: Path, case: dict):
    params = types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=(root / case["path"]).as_uri()),
        position=types.Position(line=case["line"], character=case["character"]))
    try:
        return await asyncio.wait_for(client.text_document_definition_async(params), 60)
    except Exception as e:  # a failed request is no answer
        print(f"  {case['id']}: {type(e).__name__}: {e}", file=sys.stderr)
        return None


async def run_repo(root: Path, cases: list[dict], server_path: str | None, burst: bool) -> dict:
    env = {"PYTHONPATH": server_path} if server_path else None
    cache = Path(tempfile.mkdtemp(prefix="ssc-nav-cases-"))
    out: dict = {"cases": len(cases)}
    t0 = time.perf_counter()
    async with running(root, cache, wait=False, env=env) as client:
        ready_at: list[float] = []

        async def poll() -> None:
            while True:
                status = await request(client, "ssc/status", {})
                if status["ready"]:
                    ready_at.append(time.perf_counter())
                    return
                await asyncio.sleep(0.02)

        poller = asyncio.ensure_future(poll())
        stamps: list[float] = []

        async def timed(case):
            got = await ask(client, root, case)
            stamps.append(time.perf_counter())
            return got

        if burst:
            startup = await asyncio.gather(*(timed(c) for c in cases))
        else:
            startup = [await timed(c) for c in cases]
        await poller
        before = [st < ready_at[0] for st in sorted(stamps)] if burst else [st < ready_at[0] for st in stamps]
        out["ready_s"] = round(ready_at[0] - t0, 2)
        out["answered_before_ready"] = sum(before)
        out["right_before_ready"] = sum(b and right(c, root, a) is True
                                        for b, c, a in zip(before, cases, startup, strict=True)) if not burst else None
        out["last_answer_s"] = round(max(stamps) - t0, 2)
    async with running(root, Path(tempfile.mkdtemp(prefix="ssc-nav-cases-")), env=env) as client:
        ready = [await ask(client, root, c) for c in cases]
    for name, answers in (("startup", startup), ("ready", ready)):
        verdicts = [right(c, root, a) for c, a in zip(cases, answers, strict=True)]
        out[name] = {"answered": sum(v is not None for v in verdicts), "right": sum(v is True for v in verdicts),
                     "wrong": [c["id"] for c, v in zip(cases, verdicts, strict=True) if v is False],
                     "none": [c["id"] for c, v in zip(cases, verdicts, strict=True) if v is None]}
    return out


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "n/a"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, required=True, help="one unpacked sdist per project")
    ap.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    ap.add_argument("--repos", nargs="*")
    ap.add_argument("--baseline", help="another checkout's server/ folder, measured the same way")
    ap.add_argument("--burst", action="store_true", help="start-up: every request at once")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--show", type=int, default=10)
    args = ap.parse_args()
    by_repo: dict[str, list[dict]] = defaultdict(list)
    for line in args.cases.read_text().splitlines():
        if line.strip():
            c = json.loads(line)
            by_repo[c["repo"]].append(c)
    repos = args.repos or sorted(by_repo)
    servers = [("this", str(HERE.parent / "server"))]
    if args.baseline:
        servers.append(("baseline", os.path.abspath(args.baseline)))
    results: dict = {}
    for label, path in servers:
        for repo in repos:
            r = asyncio.run(run_repo(args.corpus / repo, by_repo[repo], path, args.burst))
            results[f"{label}/{repo}"] = r
            print(f"{label}/{repo}: ready {r['ready_s']} s, {r['answered_before_ready']} answered before ready; "
                  f"start-up {r['startup']['right']}/{r['cases']}, ready {r['ready']['right']}/{r['cases']}",
                  file=sys.stderr)
            for phase in ("startup", "ready"):
                for cid in r[phase]["wrong"][:args.show]:
                    print(f"  {phase} wrong {cid}", file=sys.stderr)
                for cid in r[phase]["none"][:args.show]:
                    print(f"  {phase} none {cid}", file=sys.stderr)
    print("| server | project | cases | index ready | answered before ready (right) | start-up right | "
          "start-up precision | ready right | ready precision |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, _ in servers:
        tot = defaultdict(int)
        for repo in repos:
            r = results[f"{label}/{repo}"]
            s, d = r["startup"], r["ready"]
            rb = f" ({r['right_before_ready']})" if r["right_before_ready"] is not None else ""
            print(f"| {label} | {repo} | {r['cases']} | {r['ready_s']} s | {r['answered_before_ready']}{rb} | "
                  f"{s['right']} ({pct(s['right'], r['cases'])}) | {pct(s['right'], s['answered'])} | "
                  f"{d['right']} ({pct(d['right'], r['cases'])}) | {pct(d['right'], d['answered'])} |")
            for k, v in (("cases", r["cases"]), ("before", r["answered_before_ready"]),
                         ("rbefore", r["right_before_ready"] or 0), ("s_right", s["right"]),
                         ("s_ans", s["answered"]), ("d_right", d["right"]), ("d_ans", d["answered"])):
                tot[k] += v
        rb = f" ({tot['rbefore']})" if not args.burst else ""
        print(f"| {label} | **all** | {tot['cases']} | | {tot['before']}{rb} | "
              f"**{tot['s_right']} ({pct(tot['s_right'], tot['cases'])})** | {pct(tot['s_right'], tot['s_ans'])} | "
              f"**{tot['d_right']} ({pct(tot['d_right'], tot['cases'])})** | {pct(tot['d_right'], tot['d_ans'])} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
