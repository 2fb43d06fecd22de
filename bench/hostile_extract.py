"""Map build and edit time on hostile sources: bracket bombs, a 1 MB line.

    python bench/hostile_extract.py [--brackets 1000] [--edits 20]

For each source: the time to build its map from scratch (parse + extract), and the median time of
a single-character edit through `Document.apply_changes` (what didChange costs). Run it with
another tree first on PYTHONPATH to compare code versions.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time

from ssc_lsp.map.document import Change, Document


def sources(n: int) -> dict[str, str]:
    rng = random.Random(3)
    return {
        f"{n} unclosed (": "def f():\n    return 1\nx = " + "(" * n + "\n\ndef g():\n    pass\n",
        f"{n} unclosed mixed": "x = " + "".join(rng.choice("([{") for _ in range(n)) + "\n",
        f"{n} nested ()": "x = " + "(" * n + "1" + ")" * n + "\n",
        f"{n} lines 'f('": "".join(f"a{i} = f(\n" for i in range(n)),
        "1 MB line": "x = [" + "1, " * 330_000 + "]\n",
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--brackets", type=int, default=1000)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--only", default="", help="only the sources whose name contains this")
    args = ap.parse_args()
    rng = random.Random(5)
    for name, text in sources(args.brackets).items():
        if args.only not in name:
            continue
        t = time.perf_counter()
        doc = Document("h.py", "h", text.encode(), 1)
        build = time.perf_counter() - t
        times = []
        for _ in range(args.edits):
            row = rng.randrange(text.count("\n"))
            line = doc.text.split("\n")[row]
            col = rng.randrange(len(line) + 1)
            t = time.perf_counter()
            doc.apply_changes([Change(rng.choice("()'x"), ((row, col), (row, col)))])
            times.append(time.perf_counter() - t)
        print(json.dumps({"source": name, "bytes": len(text), "units": len(doc.fm.units),
                          "build_s": round(build, 3), "edit_median_ms": round(statistics.median(times) * 1000, 1)}))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
