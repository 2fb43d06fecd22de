"""Soak: thousands of random single-character edits in one large real file, through the map.

    python bench/edit_soak.py [--file PATH] [--edits 10000] [--seed 7]

Each edit inserts a random character (brackets and quotes included) or deletes one, at a random
place, as a didChange does (`MapService.change`, UTF-16 ranges). Reported: the update time per
edit (p50, p99, max, mean) and, at the end, whether the outline (documentSymbol's tree,
map/navigation.py) and the whole map of the document equal a fresh parse of the final text.
Run it with another tree first on PYTHONPATH to compare code versions on the same edits.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

from ssc_lsp.map.document import Change, build_filemap
from ssc_lsp.map.navigation import outline
from ssc_lsp.map.service import MapOptions, MapService

CHARS = "()[]{}'\"\n :=,.x_1#\\@"


def random_edit(text: str, rng: random.Random) -> Change:
    """Insert one character or delete one, at a random place; the range in UTF-16."""
    lines = text.split("\n")
    row = rng.randrange(len(lines))
    line = lines[row]
    col = rng.randrange(len(line) + 1)
    u16 = lambda s: len(s.encode("utf-16-le")) // 2  # noqa: E731
    start = (row, u16(line[:col]))
    if rng.random() < 0.5:
        return Change(rng.choice(CHARS), (start, start))
    if col < len(line):
        return Change("", (start, (row, u16(line[:col + 1]))))
    if row + 1 < len(lines):  # at the end of a line: delete the line break
        return Change("", (start, (row + 1, 0)))
    return Change(rng.choice(CHARS), (start, start))


def shape(nodes) -> list:
    return [(n.symbol.id, n.symbol.kind, n.symbol.range, n.symbol.name_range, shape(n.children))
            for n in nodes]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", required=True, help="a large Python file inside a project folder")
    ap.add_argument("--root", help="the workspace folder (default: the file's folder)")
    ap.add_argument("--edits", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    path = Path(args.file).resolve()
    root = Path(args.root).resolve() if args.root else path.parent
    rel = path.relative_to(root).as_posix()
    svc = MapService(str(root), MapOptions(persist=False, workers=1))
    svc.index()
    svc.open(rel, path.read_text(encoding="utf-8"), 1)
    rng = random.Random(args.seed)
    times: list[float] = []
    cpu0 = time.process_time()
    for v in range(2, args.edits + 2):
        change = random_edit(svc.docs[rel].text, rng)
        t = time.perf_counter()
        svc.change(rel, [change], v)
        times.append((time.perf_counter() - t) * 1000)
    cpu = time.process_time() - cpu0
    doc = svc.docs[rel]
    fresh = build_filemap(doc.language, rel, doc.fm.module, doc.data, doc.language.parser().parse(doc.data))
    same_outline = shape(outline(doc.fm)) == shape(outline(fresh))
    same_map = doc.fm.snapshot() == fresh.snapshot()
    q = statistics.quantiles(times, n=100)
    out = {"file": str(path), "lines": path.read_text().count("\n"), "edits": len(times),
           "seed": args.seed, "p50_ms": round(q[49], 3), "p99_ms": round(q[98], 3),
           "max_ms": round(max(times), 1), "mean_ms": round(statistics.fmean(times), 3),
           "cpu_s": round(cpu, 1), "outline_equal": same_outline, "map_equal": same_map,
           "code": os.path.dirname(os.path.dirname(sys.modules["ssc_lsp"].__file__))}
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:<14}{v}")
    return 0 if same_outline and same_map else 1


if __name__ == "__main__":
    sys.exit(main())
