"""`ssc-lsp context FILE:LINE:COL`: the context the engine packs for a position, and why.

LINE and COL are 1-based, as editors and compilers print them (COL counts characters). The
workspace is the nearest folder above FILE with a `.git`, `pyproject.toml`, `setup.py` or
`setup.cfg` (or --root).
"""

from __future__ import annotations

import json
import os
import re
import sys

from ..context.engine import ContextOptions, engine_for
from ..context.tokens import Budget
from ..map.service import MapOptions, MapService

MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg")
_SPEC = re.compile(r"^(?P<file>.+?):(?P<line>\d+)(?::(?P<col>\d+))?$")


def add_parser(sub) -> None:
    p = sub.add_parser("context", help="show the context packed for FILE:LINE:COL (1-based)")
    p.add_argument("position", metavar="FILE:LINE:COL")
    p.add_argument("--budget", default="6000", help="characters, or tokens with a t suffix (1500t)")
    p.add_argument("--json", action="store_true", help="the structured result (items, scores, reasons)")
    p.add_argument("--root", help="the workspace folder (default: found from FILE)")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the map's cache")
    p.add_argument("--cut", action="store_true",
                   help="present the file cut at the position (everything after it removed)")
    p.set_defaults(run=run)


def find_root(path: str) -> str:
    d = os.path.dirname(os.path.abspath(path))
    while True:
        if any(os.path.exists(os.path.join(d, m)) for m in MARKERS):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return os.path.dirname(os.path.abspath(path))
        d = parent


def run(args) -> int:
    m = _SPEC.match(args.position)
    if m is None:
        sys.stderr.write("expected FILE:LINE[:COL]\n")
        return 2
    path = os.path.abspath(m.group("file"))
    if not os.path.isfile(path):
        sys.stderr.write(f"no such file: {path}\n")
        return 2
    line = int(m.group("line")) - 1
    col_chars = int(m.group("col") or 1) - 1
    root = os.path.abspath(args.root) if args.root else find_root(path)
    svc = MapService(root, MapOptions(persist=not args.no_cache))
    try:
        svc.index()
        rel = svc.relpath(path)
        if rel is None:
            sys.stderr.write(f"{path} is not under {root}\n")
            return 2
        text = svc.text_of(rel)
        if text is None:
            sys.stderr.write(f"cannot map {path}: {svc.read(rel).reason}\n")
            return 2
        lines = text.split("\n")
        line = max(0, min(line, len(lines) - 1))
        head = lines[line][:col_chars]
        if args.cut:
            text = "\n".join(lines[:line] + [head])
        if svc.open(rel, text, 1) is None:
            sys.stderr.write(f"cannot map {path}: {svc.problems.get(rel)}\n")
            return 2
        engine = engine_for(svc)
        options = ContextOptions(budget=Budget.parse(args.budget), jedi_deadline=None, wait_for_indexes=True)
        res = engine.assemble(rel, line, len(head.encode("utf-8")), options)
        if args.json:
            json.dump(res.to_json(), sys.stdout, indent=1)
            sys.stdout.write("\n")
        else:
            _print(res)
        engine.close()
        return 0
    finally:
        svc.close_store()


def _print(res) -> None:
    out = sys.stdout
    where = f"{res.path}:{res.line + 1}"
    out.write(f"context for {where} (scope {res.scope or '<module>'}"
              + (f", receiver {res.receiver}" if res.receiver else "") + ")\n")
    out.write(f"{len(res.items)} items, {res.used}/{res.budget} {res.unit}, "
              f"{res.candidates} candidates, {res.ms:.1f} ms\n\n")
    for i, it in enumerate(res.items, 1):
        out.write(f"{i:>3}. {it.path}:{it.start_line + 1}-{it.end_line + 1} {it.kind} {it.name} "
                  f"[{it.form}, score {it.score:.3f}, {it.chars} chars]\n")
        for why in it.why[:3]:
            out.write(f"       - {why}\n")
    out.write("\n" + "-" * 72 + "\n")
    out.write(res.text)
