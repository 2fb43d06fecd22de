"""Soak: thousands of random single-character edits in one large real file, through the map.

    python bench/edit_soak.py --file PATH [--edits 10000] [--seed 7] [--burst 10]

Each edit inserts a random character (brackets and quotes included) or deletes one, at a random
place, as a didChange does (`MapService.defer`, or `change` in a tree without it; UTF-16
ranges). The edits come in bursts of
`--burst` (a typist's keystrokes between two moments someone looks at the map); after each burst
a reader asks for documentSymbol's tree (map/navigation.py `outline` of the document's map),
which is where a lazy map pays for the burst's re-parse. `--burst 1` is an editor asking after
every keystroke (and what the eager map paid on every didChange anyway).

Reported, from one process's CPU clock (`time.thread_time`, immune to the machine's load) and the
wall clock: didChange per edit (p50, p99, max), the read after each burst (p50, p99, max), and
the CPU of both per edit; at the end, whether the outline and the whole map of the document equal
a fresh parse of the final text, and whether the document's text is the text the edits made (the
bench keeps its own copy, as an editor does: reading the document would be a reader).
Runs on any tree of the code (it uses only `MapService.open/change/docs`): put another tree first
on PYTHONPATH to measure it on the same edits.
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


def u16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def random_edit(lines: list[str], rng: random.Random) -> Change:
    """Insert one character or delete one, at a random place; the range in UTF-16."""
    row = rng.randrange(len(lines))
    line = lines[row]
    col = rng.randrange(len(line) + 1)
    start = (row, u16(line[:col]))
    if rng.random() < 0.5:
        return Change(rng.choice(CHARS), (start, start))
    if col < len(line):
        return Change("", (start, (row, u16(line[:col + 1]))))
    if row + 1 < len(lines):  # at the end of a line: delete the line break
        return Change("", (start, (row + 1, 0)))
    return Change(rng.choice(CHARS), (start, start))


def _offset(lines: list[str], row: int, col16: int) -> tuple[int, int]:
    """(row, code point column) of a UTF-16 position."""
    line, n, i = lines[row], 0, 0
    while i < len(line) and n < col16:
        n += u16(line[i])
        i += 1
    return row, i


def apply_edit(lines: list[str], c: Change) -> list[str]:
    """The editor's side: the change applied to its own copy of the text (as lines)."""
    assert c.range is not None
    (sr, sc), (er, ec) = _offset(lines, *c.range[0]), _offset(lines, *c.range[1])
    merged = lines[sr][:sc] + c.text + lines[er][ec:]
    return lines[:sr] + merged.split("\n") + lines[er + 1:]


def shape(nodes) -> list:
    return [(n.symbol.id, n.symbol.kind, n.symbol.range, n.symbol.name_range, shape(n.children))
            for n in nodes]


def _q(xs: list[float]) -> dict:
    if len(xs) < 2:
        return {"p50": round(xs[0], 3) if xs else None, "p99": None, "max": None}
    q = statistics.quantiles(xs, n=100)
    return {"p50": round(q[49], 3), "p99": round(q[98], 3), "max": round(max(xs), 1)}


def soak(path: Path, root: Path, edits: int, seed: int, burst: int) -> dict:
    rel = path.relative_to(root).as_posix()
    svc = MapService(str(root), MapOptions(persist=False, workers=1))
    svc.index()
    text = path.read_text(encoding="utf-8")
    svc.open(rel, text, 1)
    lines = text.split("\n")
    # the didChange path: `defer` queues the change (the map catches up at the next read);
    # a tree without it applied every change at once in `change`
    take = getattr(svc, "defer", svc.change)
    rng = random.Random(seed)
    change_wall: list[float] = []
    change_cpu: list[float] = []
    read_wall: list[float] = []
    read_cpu: list[float] = []
    for v in range(2, edits + 2):
        change = random_edit(lines, rng)
        lines = apply_edit(lines, change)
        t, c = time.perf_counter(), time.thread_time()
        take(rel, [change], v)
        change_cpu.append((time.thread_time() - c) * 1000)
        change_wall.append((time.perf_counter() - t) * 1000)
        if (v - 1) % burst == 0 or v == edits + 1:
            t, c = time.perf_counter(), time.thread_time()
            outline(svc.docs[rel].fm)  # documentSymbol
            read_cpu.append((time.thread_time() - c) * 1000)
            read_wall.append((time.perf_counter() - t) * 1000)
    doc = svc.docs[rel]
    fresh = build_filemap(doc.language, rel, doc.fm.module, doc.data, doc.language.parser().parse(doc.data))
    return {
        "file": str(path), "lines": text.count("\n"), "edits": edits, "seed": seed,
        "burst": burst, "didchange_ms": _q(change_wall), "didchange_cpu_ms": _q(change_cpu),
        "read_ms": _q(read_wall), "read_cpu_ms": _q(read_cpu),
        "cpu_per_edit_ms": round((sum(change_cpu) + sum(read_cpu)) / edits, 2),
        "outline_equal": shape(outline(doc.fm)) == shape(outline(fresh)),
        "map_equal": doc.fm.snapshot() == fresh.snapshot(),
        "text_equal": doc.text == "\n".join(lines),
        "code": os.path.dirname(os.path.dirname(sys.modules["ssc_lsp"].__file__))}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", required=True, help="a large Python file inside a project folder")
    ap.add_argument("--root", help="the workspace folder (default: the file's folder)")
    ap.add_argument("--edits", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--burst", type=int, default=10, help="edits between two reads")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    path = Path(args.file).resolve()
    root = Path(args.root).resolve() if args.root else path.parent
    out = soak(path, root, args.edits, args.seed, max(1, args.burst))
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:<18}{v}")
    return 0 if out["outline_equal"] and out["map_equal"] and out["text_equal"] else 1


if __name__ == "__main__":
    sys.exit(main())
