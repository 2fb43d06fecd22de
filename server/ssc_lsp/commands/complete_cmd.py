"""`ssc-lsp complete FILE:LINE:COL`: the suggestion the server would show there, the check's
verdict (and the repair round, if there was one) and the context the model was given.

LINE and COL are 1-based (COL counts characters), as editors print them. The workspace is found
as for `ssc-lsp context`. Exit status: 0 with a suggestion, 1 when there is none (dropped by the
check, or the model had nothing), 2 on bad arguments or no model.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

from ..map.service import MapOptions, MapService
from ..suggest.assistant import Assistant, Outcome
from ..suggest.providers import OFF
from ..suggest.spot import Spot
from .context_cmd import _SPEC, find_root
from .llm_args import add_llm_arguments, config_from


def add_parser(sub) -> None:
    p = sub.add_parser("complete", help="suggest a completion at FILE:LINE:COL (1-based), with "
                       "the check's verdict and the context used")
    p.add_argument("position", metavar="FILE:LINE:COL")
    p.add_argument("--root", help="the workspace folder (default: found from FILE)")
    p.add_argument("--json", action="store_true", help="the whole outcome as JSON")
    p.add_argument("--cut", action="store_true",
                   help="present the file cut at the position (everything after it removed)")
    p.add_argument("--no-repair", action="store_true", help="drop a failing suggestion at once")
    p.add_argument("--no-context", action="store_true", help="ask without the workspace context")
    p.add_argument("--single-line", action="store_true", help="one line, as the completion list")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the map's cache")
    add_llm_arguments(p)
    p.set_defaults(run=run)


def run(args) -> int:
    m = _SPEC.match(args.position)
    if m is None:
        sys.stderr.write("expected FILE:LINE[:COL]\n")
        return 2
    path = os.path.abspath(m.group("file"))
    if not os.path.isfile(path):
        sys.stderr.write(f"no such file: {path}\n")
        return 2
    cfg = config_from(args)
    root = os.path.abspath(args.root) if args.root else find_root(path)
    svc = MapService(root, MapOptions(persist=not args.no_cache))
    try:
        svc.index()
        rel = svc.relpath(path)
        if rel is None:
            sys.stderr.write(f"{path} is not under {root}\n")
            return 2
        whole = svc.text_of(rel)
        if whole is None:
            sys.stderr.write(f"cannot map {path}: {svc.read(rel).reason}\n")
            return 2
        lines = whole.split("\n")
        line = max(0, min(int(m.group("line")) - 1, len(lines) - 1))
        head = lines[line][:int(m.group("col") or 1) - 1]
        text = "\n".join(lines[:line] + [head]) if args.cut else "\n".join(lines)
        if svc.open(rel, text, 1) is None:
            sys.stderr.write(f"cannot map {path}: {svc.problems.get(rel)}\n")
            return 2
        out = asyncio.run(_suggest(svc, rel, line, len(head.encode("utf-8")), cfg, args))
    finally:
        svc.close_store()
    if args.json:  # a JSON object in every case, the reason in `error` when there is no model
        json.dump(out.to_json(), sys.stdout, indent=1)
        sys.stdout.write("\n")
    elif out.source != "none":
        _print(out)
    if out.source == "none":
        sys.stderr.write(f"no model: {out.error}\n")
        return 2
    return 0 if out.text else 1


async def _suggest(svc: MapService, rel: str, row: int, col: int, cfg, args) -> Outcome:
    def tell(message: str) -> None:
        if not message.startswith(OFF):  # the command says why there is no model itself
            sys.stderr.write(f"ssc: {message}\n")

    assistant = Assistant(lambda: cfg, tell)
    try:
        provider = assistant.providers.get(cfg.llm)
        if provider is not None and hasattr(provider, "warm_up"):
            await provider.warm_up()  # a command may wait for the model to load
        spot = Spot.take(svc, rel, row, col)
        assert spot is not None
        return await assistant.suggest(spot, single_line=args.single_line,
                                       use_context=not args.no_context,
                                       repair=not args.no_repair, external_wait=10.0,
                                       use_cache=False, settle_all=True)
    finally:
        await assistant.aclose()


def _print(out: Outcome) -> None:
    w = sys.stdout.write
    g = out.grounded
    t = out.timings
    w(f"model: {out.model or '?'}  ({t.get('model', 0):.0f} ms model, "
      f"{t.get('overhead', 0):.1f} ms server)\n")
    if out.error:
        w(f"error: {out.error}\n")
    w("\nsuggestion:\n")
    w(_block(out.text) if out.text else "  (none)\n")
    if g is not None:
        w(f"\ncheck: {g.outcome}\n")
        _verdict(w, "first answer", g.first, out.raw)
        if g.last is not g.first or g.outcome == "repaired":
            _verdict(w, "after repair", g.last, g.rejected[-1][0] if g.outcome == "dropped"
                     and len(g.rejected) > 1 else out.text)
        if g.why:
            w(f"  dropped because: {g.why}\n")
    ctx = out.context
    if ctx is not None:
        w(f"\ncontext: {len(ctx.items)} items, {ctx.used}/{ctx.budget} {ctx.unit}, "
          f"{ctx.ms:.1f} ms\n")
        for i, it in enumerate(ctx.items, 1):
            w(f"  {i:>2}. {it.path}:{it.start_line + 1}-{it.end_line + 1} {it.kind} {it.name}\n")
    else:
        w("\ncontext: none\n")


def _verdict(w, label: str, v, text: str) -> None:
    state = "ok" if v.ok else "FAILED"
    w(f"  {label}: {state}; {v.checked} names and calls checked, "
      f"{len(set(v.unknown))} not decidable, {v.ms:.1f} ms\n")
    for issue in v.issues:
        w(f"    - {issue.message}\n")
    if not v.ok and text:
        w(_block(text, "      "))


def _block(text: str, indent: str = "  ") -> str:
    return "".join(f"{indent}| {line}\n" for line in text.split("\n"))
