"""Continuity checks on released code: every problem they report there is a false alarm.

Runs map/checks.py over every file of pinned released projects (which import and call
themselves correctly, or their tests would fail) and prints, per project: the call sites, how
many reach a workspace callable, how many of those the checks could judge (the rest are skipped
as dynamic: `*args`, unknown decorators, unsure receivers, classes with outside bases...), the
problems reported (each one a false alarm, listed), and the time of a whole-workspace pass.

    python bench/checks_corpus.py [--corpus DIR] [--projects requests flask ... django]

`--corpus DIR` holds unpacked projects (DIR/requests, ..., DIR/django); by default sdists are
downloaded into bench/.corpus/ as bench/nav_oracle.py does, and Django's wheel as
bench/nav_latency.py does.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))
sys.path.insert(0, str(HERE))

from nav_latency import fetch_django  # noqa: E402
from nav_oracle import fetch  # noqa: E402
from ssc_lsp.map.checks import call_shape, check_file  # noqa: E402
from ssc_lsp.map.service import MapOptions, MapService  # noqa: E402
from ssc_lsp.map.workspace import Located  # noqa: E402

SDISTS = {"requests": "requests==2.32.3", "flask": "flask==3.0.3", "jinja2": "jinja2==3.1.4",
          "werkzeug": "werkzeug==3.0.4", "marshmallow": "marshmallow==3.22.0"}


def run(name: str, root: Path) -> dict:
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    calls = to_workspace = judged = 0
    for fm in list(svc.ws.files.values()):
        for unit in fm.units:
            for ref in unit.refs:
                if ref.nargs < 0 or ref.kind not in ("name", "attribute"):
                    continue
                calls += 1
                t = svc.resolver.resolve_ref(fm, ref, unit)
                if isinstance(t, Located) and t.symbol.kind in ("function", "method", "class"):
                    to_workspace += 1
                    judged += not ref.star and call_shape(svc.resolver, fm, ref, t) is not None
    svc.resolver._cache.clear()
    t0 = time.perf_counter()
    problems = [(fm.path, p) for fm in list(svc.ws.files.values())
                for p in check_file(svc.ws, svc.resolver, fm)]
    seconds = time.perf_counter() - t0
    for path, p in problems:
        print(f"  {name}: {path}:{p.range[0] + 1}: {p.code} {p.message}", file=sys.stderr)
    return {"files": len(svc.ws.files), "calls": calls, "to_workspace": to_workspace,
            "judged": judged, "problems": len(problems), "seconds": seconds}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--projects", nargs="*", default=[*SDISTS, "django"])
    args = ap.parse_args()
    store = HERE / ".corpus"
    store.mkdir(exist_ok=True)
    print("| project | files | call sites | to a workspace callable | judged | problems (false alarms) | whole-workspace pass |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name in args.projects:
        if args.corpus:
            root = args.corpus / name
        elif name == "django":
            root = fetch_django(store)
        else:
            root = fetch(name, SDISTS[name], store)
        r = run(name, root)
        label = SDISTS.get(name, "django==5.2")
        print(f"| {label} | {r['files']} | {r['calls']} | {r['to_workspace']} | {r['judged']} | "
              f"{r['problems']} | {r['seconds']:.2f} s |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
