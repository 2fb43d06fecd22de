"""Renames with uses the map cannot decide: how many edits are certain, how many uses through
untyped receivers jedi confirms, how many are left to the user, and whether the project still
parses and has no continuity diagnostics after the certain and confirmed edits are applied.

For each rename: the map's plan (`plan_rename`: certain edits), the uncertain uses
(`uncertain_uses`: a member's name through a receiver the map cannot type), jedi's goto on each
(through features/jedi_seam.py, as the server asks, here without a deadline so the figures do
not depend on the machine's load), then the certain + confirmed edits applied to a copy of the
project: every changed file must parse, and map/checks.py must report nothing new (released
projects have no diagnostic before the rename). `still named` counts the references to the old
name through the renamed symbol's own receivers that are left: the listed (unconfirmed) uses.

    python bench/rename_uncertain.py [--releases /work/cache/releases] [--only requests-2.32.3]
"""

from __future__ import annotations

import argparse
import ast
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))

from ssc_lsp.context.engine import engine_for  # noqa: E402
from ssc_lsp.features import jedi_seam  # noqa: E402
from ssc_lsp.map.checks import check_file  # noqa: E402
from ssc_lsp.map.rename import (  # noqa: E402
    RenameRefused,
    edits_of,
    plan_rename,
    sort_uncertain,
    uncertain_uses,
)
from ssc_lsp.map.service import MapOptions, MapService  # noqa: E402

# requests' Session.get_adapter is the case that was reported (tuned on it and on
# `Session.send`/`Session.get`); click, attrs, flask, marshmallow and black were held out until the
# figures were taken.
RENAMES = {
    "requests-2.32.3": ["src/requests/sessions.py::Session.get_adapter",
                        "src/requests/sessions.py::Session.send",
                        "src/requests/sessions.py::Session.get",
                        "src/requests/models.py::Response.iter_content",
                        "src/requests/adapters.py::HTTPAdapter.build_response",
                        "src/requests/sessions.py::Session.get_adapter.url"],
    "click-8.1.7": ["src/click/core.py::Context.find_root",
                    "src/click/core.py::BaseCommand.make_context",
                    "src/click/core.py::Parameter.get_default",
                    "src/click/core.py::Context.invoke"],
    "attrs-24.2.0": ["src/attr/_make.py::_ClassBuilder.build_class",
                     "src/attr/_make.py::Attribute.evolve"],
    "flask-3.0.3": ["src/flask/app.py::Flask.make_response",
                    "src/flask/app.py::Flask.full_dispatch_request"],
    "marshmallow-3.22.0": ["src/marshmallow/schema.py::Schema.dump",
                           "src/marshmallow/fields.py::Field.deserialize"],
    "black-24.10.0": ["src/black/lines.py::EmptyLineTracker.maybe_empty_lines",
                      "src/black/lines.py::Line.append",
                      "src/black/mode.py::Mode.get_cache_key"],
}


def apply(root: Path, edits: dict) -> list[str]:
    """Apply map edits (rows, byte columns) to the files under `root`; the changed paths."""
    for path, items in edits.items():
        f = root / path
        lines = f.read_bytes().split(b"\n")
        for (r0, c0, r1, c1), text in sorted(items, reverse=True):
            assert r0 == r1
            lines[r0] = lines[r0][:c0] + text.encode() + lines[r0][c1:]
        f.write_bytes(b"\n".join(lines))
    return sorted(edits)


def diagnostics(root: Path) -> int:
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    return sum(len(check_file(svc.ws, svc.resolver, fm)) for fm in list(svc.ws.files.values()))


def run(root: Path, sid: str, before: int) -> dict:
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    loc = svc.ws.get(sid)
    if loc is None:
        return {"error": "not in the map"}
    new = loc.symbol.name + "_renamed"

    def source(path: str) -> bytes | None:
        return (root / path).read_bytes()

    try:
        edits = plan_rename(svc.ws, svc.resolver, loc, new, source)
    except RenameRefused as e:
        return {"error": f"refused: {e}"}
    t0 = time.perf_counter()
    found = uncertain_uses(svc.ws, svc.resolver, loc)
    t_map = time.perf_counter() - t0
    per: dict[str, list] = {}
    for u in found:
        per.setdefault(u.file.path, []).append(u)
    landings: dict = {}
    t0 = time.perf_counter()
    for path, uses in per.items():
        hits = jedi_seam.goto_many(svc, path, source(path), [(u.row, u.ref.col) for u in uses], None)
        for u, landed in zip(uses, hits or [None] * len(uses), strict=True):
            landings[(path, u.range)] = [(h.path, h.row, h.name) for h in landed] if landed else None
    t_jedi = time.perf_counter() - t0
    engine_for(svc).close()  # its jedi process
    sorted_ = sort_uncertain(svc.ws, loc, found, [landings.get((u.file.path, u.range)) for u in found])
    certain = sum(len(v) for v in edits.values())
    merged = {p: list(v) for p, v in edits.items()}
    for p, v in edits_of(sorted_.confirmed, new).items():
        merged.setdefault(p, []).extend(v)
    tmp = Path(tempfile.mkdtemp())
    try:
        copy = tmp / root.name
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("*.pyc", ".git"))
        changed = apply(copy, merged)
        parses = all(_parses(copy / p) for p in changed)
        after = diagnostics(copy)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"certain": certain, "uncertain": len(found), "confirmed": len(sorted_.confirmed),
            "elsewhere": len(sorted_.elsewhere), "listed": len(sorted_.unconfirmed),
            "shared": len(sorted_.shared),
            "listed_at": [f"{u.file.path}:{u.row + 1}" for u in sorted_.unconfirmed][:6],
            "parses": parses, "diag_before": before, "diag_after": after,
            "map_ms": t_map * 1000, "jedi_s": t_jedi, "files_asked": len(per)}


def _how(r: dict) -> str:
    """What the server does with the unconfirmed uses."""
    if not r["listed"]:
        return "-"
    if r["shared"]:
        return f"listed only ({r['shared']})"
    return "offered for confirmation / listed (0)"


def _parses(path: Path) -> bool:
    try:
        ast.parse(path.read_bytes())
        return True
    except SyntaxError:
        return False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--releases", type=Path, default=Path("/work/cache/releases"))
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()
    print("| project | symbol | certain edits | uncertain uses | confirmed by jedi | jedi: elsewhere | "
          "unconfirmed | how (name defined by N others) | parses | diagnostics before -> after | map ms | jedi s (files) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    jedi_times = []
    for project, sids in RENAMES.items():
        if args.only and project not in args.only:
            continue
        root = args.releases / project
        before = diagnostics(root)
        for sid in sids:
            r = run(root, sid, before)
            short = sid.split("::", 1)[1]
            if "error" in r:
                print(f"| {project} | `{short}` | {r['error']} |")
                continue
            jedi_times.append(r["jedi_s"])
            print(f"| {project} | `{short}` | {r['certain']} | {r['uncertain']} | {r['confirmed']} | "
                  f"{r['elsewhere']} | {r['listed']} | {_how(r)} | {'yes' if r['parses'] else 'NO'} | "
                  f"{r['diag_before']} -> {r['diag_after']} | {r['map_ms']:.1f} | "
                  f"{r['jedi_s']:.2f} ({r['files_asked']}) |", flush=True)
            if r["listed_at"]:
                print(f"  listed: {', '.join(r['listed_at'])}", file=sys.stderr)
    if jedi_times:
        print(f"\njedi seconds per rename (cold process, no deadline): median "
              f"{statistics.median(jedi_times):.2f}, max {max(jedi_times):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
