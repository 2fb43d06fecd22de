"""Definition precision and recall of the map on Java, against javac as the oracle.

bench/java_oracle/Oracle.java runs javac's own attribution (the compiler tree API: JavacTask,
Trees.getElement) over the project and prints, for every identifier and member select, where the
element it names is declared. Every reference the map extracts at a position the oracle also
visits is a question; the map's answer is `resolve_ref` (a workspace definition, or nothing).
Precision = answers at the oracle's definition (same file, same line of the name) / the map's
answers (an answer where javac names something outside the project counts as wrong); recall =
those / the questions javac answers inside the project (locals and parameters included;
packages left out: the map has no package symbols). Only ASCII lines are compared (javac's
columns are UTF-16 units, the map's bytes).

The project is Debian's OpenJDK 17 source (java.util), fetched with apt's own client, outside
the repository; its files are part of module java.base, so javac gets --patch-module:

    mkdir -p /tmp/jbench && cd /tmp/jbench && apt-get download openjdk-17-source
    dpkg-deb -x openjdk-17-source_*.deb deb
    unzip -q deb/usr/lib/jvm/openjdk-17/lib/src.zip 'java.base/java/util/*' -d src
    python bench/java_oracle.py --root /tmp/jbench/src/java.base --dir java/util [--show 20]

`--dir` is the folder whose .java files (not its subfolders) are the project (java/util tuned
on; java/util/regex, java/util/zip held out).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))

from ssc_lsp.map.service import MapOptions, MapService  # noqa: E402
from ssc_lsp.map.workspace import Located  # noqa: E402


def oracle(root: Path, files: list[Path], work: Path) -> dict[tuple[str, int, int], tuple[str, int] | None]:
    """(file, 0-based line, col) -> (declaring file, 0-based line of its name), or None outside."""
    subprocess.run(["javac", "-d", str(work), str(HERE / "java_oracle" / "Oracle.java")], check=True)
    out = subprocess.run(["java", "-cp", str(work), "Oracle", "--patch-module", f"java.base={root}",
                          *map(str, files)], check=True, capture_output=True, text=True).stdout
    answers: dict = {}
    for line in out.splitlines():
        use, row, col, decl, drow = line.split("\t")
        if decl.endswith("package-info.java"):
            continue
        key = (str(Path(use).relative_to(root)), int(row) - 1, int(col))
        answers[key] = None if decl == "-" else (str(Path(decl).relative_to(root)), int(drow) - 1)
    return answers


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--show", type=int, default=0)
    args = ap.parse_args()
    root = args.root.resolve()
    files = sorted((root / args.dir).glob("*.java"))
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        truth = oracle(root, files, Path(tmp) / "cls")
        t_oracle = time.perf_counter() - t0
        ws = Path(tmp) / "ws"
        for f in files:
            dest = ws / f.relative_to(root)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, dest)
        t0 = time.perf_counter()
        svc = MapService(str(ws), MapOptions(persist=False))
        svc.index()
        t_index = time.perf_counter() - t0
        stats: Counter = Counter()
        wrong: list = []
        t0 = time.perf_counter()
        for path, fm in sorted(svc.ws.files.items()):
            lines = (ws / path).read_bytes().split(b"\n")
            for ref, unit in fm.iter_refs():
                if ref.kind == "import":  # a whole dotted path: javac answers per identifier
                    continue
                row = ref.row + unit.start_row
                if not lines[row].isascii():
                    continue
                key = (path, row, ref.col)
                if key not in truth:
                    continue
                want = truth[key]
                got = svc.resolver.resolve_ref(fm, ref, unit)
                mine = (got.file.path, got.symbol.name_range[0]) if isinstance(got, Located) else None
                stats["questions"] += 1
                stats["oracle_inside"] += want is not None
                if mine is None:
                    continue
                stats["answers"] += 1
                if mine == want:
                    stats["right"] += 1
                else:
                    wrong.append((key, ref.receiver, ref.name, mine, want))
        t_resolve = time.perf_counter() - t0
    prec = stats["right"] / max(stats["answers"], 1)
    rec = stats["right"] / max(stats["oracle_inside"], 1)
    print(f"{args.dir}: {len(files)} files, {stats['questions']} questions, javac answers "
          f"{stats['oracle_inside']} inside; map answers {stats['answers']}, right {stats['right']}: "
          f"precision {prec:.2%}, recall {rec:.2%} (oracle {t_oracle:.1f} s, index {t_index:.1f} s, "
          f"resolve {t_resolve:.1f} s)")
    for w in wrong[: args.show]:
        print("  wrong:", w)


if __name__ == "__main__":
    main()
