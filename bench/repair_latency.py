"""The cost of repairing a brace-language file cut at the cursor (map/repair.py), with and
without reuse of the file's last repair, and whether the two give the same map.

    python bench/repair_latency.py FILE [FILE ...] [--positions 40] [--keys 8] [--seed 12]
    python bench/repair_latency.py --cases CASES.jsonl --corpus DIR [--cases ... --corpus ...]

For each file: `--positions` cursor positions drawn with a fixed seed (a non-blank line, the
cursor after its first `.` or at its end), visited in random order ("jump": the last repair is
of another place in the same file), and at each the `--keys` keystrokes that type the line up to
the cursor ("type": the last repair is the previous keystroke's). Each repair is timed both
ways in the same run: `closed_filemap(..., reuse=False)` (a full parse and extraction, the
baseline) and with reuse. Every repaired map is compared with the full one, unit by unit
(symbols with their absolute positions, references, scopes, bindings), and the cursor read from
each (`context.cursor.analyze`: scopes, receiver, uses) must agree; a difference is printed and
counted. `--cases`: the cursor positions of `ssc-lsp eval context` cases (each file cut at
the case, in the cases' order, as the evaluation does), timed and compared the same way.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

from ssc_lsp.context.cursor import analyze
from ssc_lsp.context.evaluate import cut_at
from ssc_lsp.map.document import build_filemap
from ssc_lsp.map.languages import language_for_path
from ssc_lsp.map.repair import closed_filemap


def _positions(lines: list[str], n: int, rng: random.Random) -> list[tuple[int, int]]:
    rows = [r for r, line in enumerate(lines) if line.strip() and line.isascii()]
    out = []
    for row in rng.sample(rows, min(n, len(rows))):
        line = lines[row]
        out.append((row, line.find(".") + 1 or len(line)))
    return out


def _signature(fm) -> list:
    return [(u.key(), u.start_row, u.end_row, u.end_col, u.symbols, u.refs, u.scopes, u.bindings)
            for u in fm.units]


def _cursor(fm, lines, row, col, path):
    c = analyze(fm, lines, row, col, path)
    return ([s.qualname for s in c.scopes], c.scope, c.receiver,
            [(u.row, u.ref.name, u.ref.receiver) for u in c.uses])


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def run_file(path: Path, n: int, keys: int, rng: random.Random) -> dict:
    text = path.read_text()
    lines = text.split("\n")
    rel = path.name
    times: dict[str, list[float]] = {"full": [], "jump": [], "type": []}
    differ = repaired = 0
    for row, col in _positions(lines, n, rng):
        line = lines[row]
        for k, c in enumerate(sorted({max(0, col - i) for i in range(keys)})):
            prefix = "\n".join(lines[:row] + [line[:c]])
            d = _compare(rel, prefix, row, c, times, "jump" if k == 0 else "type")
            if d is not None:
                repaired += 1
                differ += d
    return {"file": rel, "lines": len(lines), "repaired": repaired, "differ": differ, "times": times}


def _compare(rel: str, prefix: str, row: int, col: int, times: dict[str, list[float]], kind: str) -> int | None:
    """One repair timed both ways; None when nothing was repaired, else 1 if the maps differ."""
    lang = language_for_path(rel)
    data = prefix.encode()
    cut = build_filemap(lang, rel, "m", data, lang.parser().parse(data))
    t0 = time.perf_counter()
    full = closed_filemap(cut, prefix, reuse=False)
    t1 = time.perf_counter()
    fast = closed_filemap(cut, prefix)
    t2 = time.perf_counter()
    if full is None:
        return None
    times["full"].append((t1 - t0) * 1000)
    times[kind].append((t2 - t1) * 1000)
    plines = prefix.split("\n")
    if _signature(full) != _signature(fast) or \
            _cursor(full, plines, row, col, rel) != _cursor(fast, plines, row, col, rel):
        print(f"  DIFFERENT: {rel}:{row + 1}:{col}")
        return 1
    return 0


def run_cases(cases: Path, corpus: Path) -> dict:
    times: dict[str, list[float]] = {"full": [], "jump": [], "type": []}
    differ = repaired = n = 0
    for line in cases.read_text().splitlines():
        case = json.loads(line)
        if not case["path"].endswith((".java", ".rs", ".go")):
            continue
        n += 1
        text = (corpus / case["repo"] / case["path"]).read_text()
        prefix, col = cut_at(text, case["line"], case["character"])
        d = _compare(case["path"], prefix, case["line"], col, times, "jump")
        if d is not None:
            repaired += 1
            differ += d
    return {"file": f"{cases.name} ({n} cases)", "lines": "-", "repaired": repaired, "differ": differ,
            "times": times}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--cases", type=Path, action="append", default=[])
    ap.add_argument("--corpus", type=Path, action="append", default=[])
    ap.add_argument("--positions", type=int, default=40)
    ap.add_argument("--keys", type=int, default=8)
    ap.add_argument("--seed", type=int, default=12)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    print("| file | lines | repairs | maps differ | full p50/p95 ms | jump p50/p95 ms | type p50/p95 ms "
          "| full / type p50 (cases: / jump) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    runs = [(run_file, (f, args.positions, args.keys, rng)) for f in args.files]
    runs += [(run_cases, (c, d)) for c, d in zip(args.cases, args.corpus, strict=True)]
    for fn, fargs in runs:
        r = fn(*fargs)
        t = r["times"]
        fmt = lambda xs: f"{statistics.median(xs):.1f} / {_pct(xs, 0.95):.1f}" if xs else "-"  # noqa: E731
        fast = t["type"] or t["jump"]
        ratio = statistics.median(t["full"]) / statistics.median(fast) if fast else float("nan")
        print(f"| {r['file']} | {r['lines']} | {r['repaired']} | {r['differ']} | {fmt(t['full'])} | "
              f"{fmt(t['jump'])} | {fmt(t['type'])} | {ratio:.1f} |", flush=True)


if __name__ == "__main__":
    main()
