"""Two in-process passes over a project, for A/B runs of two checkouts of the map.

- extraction: parse and extract every `.py` file, one process, no pool, no store (best of N);
- checks: the continuity checks of every file with a fresh Resolver (best of N): the resolver's
  hot path (hundreds of thousands of calls).

Run it alternately from each checkout on the same project, so both sides see the same load:

    PYTHONPATH=<checkout>/server python bench/map_passes.py --project DIR [--repeats 6]

It also runs against a checkout from before the language seam (issue 12), whose parser and
`build_filemap` took no language.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from ssc_lsp.map.checks import check_file
from ssc_lsp.map.document import build_filemap
from ssc_lsp.map.resolve import Resolver
from ssc_lsp.map.service import MapOptions, MapService

try:
    from ssc_lsp.map.languages.python import PYTHON

    PARSER = PYTHON.parser()

    def build(rel: str, data: bytes):
        return build_filemap(PYTHON, rel, "m", data, PARSER.parse(data))
except ImportError:  # before the seam
    from ssc_lsp.map.extract import new_parser

    PARSER = new_parser()

    def build(rel: str, data: bytes):
        return build_filemap(rel, "m", data, PARSER.parse(data))


def extraction(root: Path, repeats: int) -> tuple[float, int]:
    files = [(p.relative_to(root).as_posix(), p.read_bytes()) for p in sorted(root.rglob("*.py"))]
    best, symbols = float("inf"), 0
    for _ in range(repeats):
        t = time.perf_counter()
        symbols = sum(len(build(rel, data).symbols) for rel, data in files)
        best = min(best, time.perf_counter() - t)
    return best, symbols


def checks(root: Path, repeats: int) -> tuple[float, int]:
    svc = MapService(str(root), MapOptions(persist=False, workers=1))
    svc.index()
    files = list(svc.ws.files.values())
    best, problems = float("inf"), 0
    for _ in range(repeats):
        r = Resolver(svc.ws)
        t = time.perf_counter()
        problems = sum(len(check_file(svc.ws, r, fm)) for fm in files)
        best = min(best, time.perf_counter() - t)
    return best, problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--project", required=True)
    ap.add_argument("--repeats", type=int, default=6)
    args = ap.parse_args()
    root = Path(args.project).resolve()
    ext_s, symbols = extraction(root, args.repeats)
    chk_s, problems = checks(root, args.repeats)
    print(json.dumps({"project": str(root), "extraction_s": round(ext_s, 3), "symbols": symbols,
                      "checks_s": round(chk_s, 3), "problems": problems}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
