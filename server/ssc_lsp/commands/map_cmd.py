"""`ssc-lsp map PATH`: index a folder and print what the map holds."""

from __future__ import annotations

import json
import sys
import time

from ..map.filemap import ref_dict, symbol_dict
from ..map.inspect import symbol_info
from ..map.relations import all_edges, unresolved_imports
from ..map.service import MapOptions, MapService


def add_parser(sub) -> None:
    p = sub.add_parser("map", help="index a folder and print a summary of its map")
    p.add_argument("path", nargs="?", default=".")
    p.add_argument("--json", action="store_true", help="print the whole map as JSON")
    p.add_argument("--symbol", metavar="NAME", help="one symbol (name, qualname or id) "
                   "with its relations and history")
    p.add_argument("--changes", type=float, metavar="MINUTES",
                   help="what changed in the last MINUTES (from the history), newest last")
    p.add_argument("--file", metavar="PATH", help="with --changes: only this workspace file")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the SQLite cache")
    p.add_argument("--exclude", action="append", default=[], help="gitignore-style glob to skip")
    p.set_defaults(run=run)


class Bar:
    """A one-line progress bar on a terminal; silent otherwise."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.on = stream.isatty()

    def __call__(self, done: int, total: int, what: str) -> None:
        if not self.on or not total:
            return
        width = 30
        fill = int(width * done / total)
        self.stream.write(f"\r[{'#' * fill}{'.' * (width - fill)}] {done}/{total} {what[-40:]:<40}")
        self.stream.flush()

    def close(self) -> None:
        if self.on:
            self.stream.write("\r" + " " * 90 + "\r")
            self.stream.flush()


def run(args) -> int:
    svc = MapService(args.path, MapOptions(exclude=args.exclude, persist=not args.no_cache))
    bar = Bar()
    t0 = time.perf_counter()
    stats = svc.index(bar)
    bar.close()
    seconds = time.perf_counter() - t0
    try:
        if args.symbol:
            return _print_symbol(svc, args.symbol)
        if args.changes is not None:
            return _print_changes(svc, args.changes, args.file)
        if args.json:
            _print_json(svc)
            return 0
        _print_summary(svc, stats, seconds)
        return 0
    finally:
        svc.close_store()


def _print_summary(svc: MapService, stats, seconds: float) -> None:
    s = svc.ws.stats()
    edges = all_edges(svc.ws, svc.resolver)
    rel_counts: dict[str, int] = {}
    for rel, _, _ in edges:
        rel_counts[rel] = rel_counts.get(rel, 0) + 1
    unresolved = unresolved_imports(svc.resolver, svc.ws)
    out = sys.stdout
    out.write(f"map of {svc.root}\n")
    out.write(f"  files       {s['files']} ({stats.parsed} parsed, {stats.loaded} from cache)\n")
    out.write(f"  lines       {s['lines']}\n")
    out.write(f"  symbols     {sum(s['symbols'].values())}\n")
    for kind, n in s["symbols"].items():
        out.write(f"    {kind:<12}{n}\n")
    out.write(f"  references  {s['references']}\n")
    out.write(f"  relations   {len(edges)}\n")
    for rel, n in sorted(rel_counts.items()):
        out.write(f"    {rel:<12}{n}\n")
    out.write(f"  unresolved imports  {len(unresolved)}\n")
    for u in unresolved[:10]:
        out.write(f"    {u['path']}:{u['line'] + 1}  {u['module']} -> {u['name']}\n")
    report = svc.problem_report()
    out.write(f"  not mapped  {report['count']}\n")
    for p in report["first"]:
        out.write(f"    {p['path']}: {p['reason']}\n")
    out.write(f"  time        {seconds:.2f}s (index {stats.seconds:.2f}s)\n")


def _print_json(svc: MapService) -> None:
    files = []
    for path in sorted(svc.ws.files):
        fm = svc.ws.files[path]
        files.append({"path": path, "module": fm.module, "hash": fm.hash, "lines": fm.lines,
                      "symbols": [symbol_dict(s) for s in fm.symbols],
                      "references": [ref_dict(r, u) for r, u in fm.iter_refs()]})
    edges = [{"relation": r, "from": a, "to": b} for r, a, b in all_edges(svc.ws, svc.resolver)]
    json.dump({"root": svc.root, "files": files, "relations": edges,
               "unresolvedImports": unresolved_imports(svc.resolver, svc.ws),
               "notMapped": [{"path": p, "reason": r} for p, r in sorted(svc.problems.items())]},
              sys.stdout)
    sys.stdout.write("\n")


def _print_symbol(svc: MapService, name: str) -> int:
    loc = svc.ws.get(name)
    matches = [loc] if loc is not None else []
    if not matches:
        tail = name.rsplit(".", 1)[-1]
        matches = [m for m in svc.ws.symbols_named(tail)
                   if m.symbol.qualname == name or m.symbol.name == name
                   or m.symbol.qualname.endswith("." + name)]
    if not matches:
        sys.stderr.write(f"no symbol named {name!r}\n")
        return 1
    infos = [symbol_info(svc.ws, svc.resolver, m) for m in matches[:20]]
    json.dump(infos if len(infos) > 1 else infos[0], sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def _print_changes(svc: MapService, minutes: float, path: str | None) -> int:
    events = svc.history.query(since_seconds=minutes * 60, path=path)
    for e in events:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e.time))
        version = f" v{e.version}" if e.version is not None else ""
        sys.stdout.write(f"{when}{version}  {e.symbol}  {e.describe()}\n")
    if not events:
        sys.stdout.write(f"no changes in the last {minutes:g} minutes\n")
    return 0
