"""The map's speed and memory on a pinned real corpus: the Django 5.2 wheel from PyPI.

Prints, from one run: cold index time and lines/s beside `ctags -R` on the same tree (as a
ratio), warm-start time, RSS, and the latency of one-character didChange updates in a
~3,000-line file (p50 / p99 over N edits) beside the bare tree-sitter incremental reparse of the
same edits. Medians over repeats; the baselines run in the same process and the same minute.

    python bench/map_bench.py [--corpus DIR] [--edits 1000] [--repeats 3] [--json OUT]
    python bench/map_bench.py --project DIR ...   # a project of your own instead of Django
    python bench/map_bench.py --language typescript  # @tanstack/query-core's src/ (npm pack)
    python bench/map_bench.py --language javascript  # eslint 8.57.0's lib/ (npm pack)
    python bench/map_bench.py --language go     # Go 1.19.8's net (Debian golang-1.19-src 1.19.8-2)
    python bench/map_bench.py --language rust   # tokio 1.24.2 (Debian librust-tokio-dev 1.24.2-1)
    python bench/map_bench.py --language java   # java.util (Debian openjdk-17-source 17.0.21.1+2-1~deb12u1)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))

from ssc_lsp.map.document import Change  # noqa: E402
from ssc_lsp.map.languages import language_for_path  # noqa: E402
from ssc_lsp.map.positions import LineIndex, apply_lsp_change  # noqa: E402
from ssc_lsp.map.service import MapOptions, MapService  # noqa: E402

DJANGO = "django==5.2"
QUERY_CORE = "@tanstack/query-core@5.59.0"
ESLINT = "eslint@8.57.0"
# per language: ctags' language names and the suffixes benched (parse floor, the edited file)
LANGS = {"python": ("Python", (".py",)),
         "go": ("Go", (".go",)),
         "rust": ("Rust", (".rs",)),
         "java": ("Java", (".java",)),
         "javascript": ("JavaScript", (".js", ".jsx", ".mjs", ".cjs")),
         "typescript": ("TypeScript,JavaScript", (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"))}
SUFFIXES = LANGS["python"][1]
CTAGS_LANGS = LANGS["python"][0]


GO_SRC = Path("/usr/share/go-1.19/src")  # apt-get install golang-1.19-src (1.19.8-2, bookworm)
GO_NET = "Go 1.19.8 net (Debian golang-1.19-src 1.19.8-2)"


def fetch_go_net(dest: Path) -> Path:
    """net/ and the std go.mod out of Debian's Go source package (apt, installed)."""
    root = dest / "go-1.19-net"
    if (root / "net" / "net.go").exists():
        return root
    if not (GO_SRC / "net").is_dir():
        raise SystemExit(f"{GO_SRC}/net is missing: apt-get install golang-1.19-src")
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(GO_SRC / "net", root / "net")
    shutil.copy(GO_SRC / "go.mod", root / "go.mod")
    return root


RUST_DEB = ("librust-tokio-dev", "1.24.2-1")  # apt-get download: bookworm
RUST_CRATE = "tokio-1.24.2"  # its folder under usr/share/cargo/registry/
TOKIO = "tokio 1.24.2 (Debian librust-tokio-dev 1.24.2-1)"
JDK_DEB = ("openjdk-17-source", "17.0.21.1+2-1~deb12u1")  # bookworm-security, as java_oracle.py
JAVA_UTIL = "java.util of OpenJDK 17.0.21.1 (Debian openjdk-17-source 17.0.21.1+2-1~deb12u1)"


def fetch_deb(dest: Path, package: str, version: str) -> Path:
    """`apt-get download` one pinned Debian package and `dpkg-deb -x` it (no root needed)."""
    out = dest / f"{package}_{version}"
    if (out / ".done").exists():
        return out
    dl = Path(tempfile.mkdtemp())
    try:
        subprocess.run(["apt-get", "download", f"{package}={version}"], cwd=dl, check=True,
                       capture_output=True)
        subprocess.run(["dpkg-deb", "-x", str(next(dl.glob("*.deb"))), str(out)], check=True)
    except (subprocess.CalledProcessError, StopIteration) as e:
        raise SystemExit(f"could not fetch {package}={version} (run apt-get update?): {e}") from e
    finally:
        shutil.rmtree(dl, ignore_errors=True)
    (out / ".done").touch()
    return out


def fetch_tokio(dest: Path) -> Path:
    """The tokio crate's sources out of Debian's librust-tokio-dev (Cargo.toml and src/ and
    its tests/, as the crate ships)."""
    return fetch_deb(dest, *RUST_DEB) / "usr/share/cargo/registry" / RUST_CRATE


def fetch_java_util(dest: Path) -> Path:
    """java/util (subpackages included) of java.base out of Debian's openjdk-17-source."""
    root = dest / "openjdk-17-java-util"
    if (root / "java" / "util" / "ArrayList.java").exists():
        return root
    deb = fetch_deb(dest, *JDK_DEB)
    zips = list(deb.glob("usr/lib/jvm/*/lib/src.zip"))
    if not zips:
        raise SystemExit(f"no src.zip in {deb}")
    with zipfile.ZipFile(zips[0]) as z:
        for name in z.namelist():
            if name.startswith("java.base/java/util/") and name.endswith(".java"):
                target = root / name.removeprefix("java.base/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(z.read(name))
    return root


def fetch_npm(dest: Path, spec: str, tarball: str, folder: str) -> Path:
    """`npm pack` a pinned package into dest and unpack it; its `folder` benched."""
    root = dest / tarball.removesuffix(".tgz")
    if not (root / "package" / folder).exists():
        root.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "pack", spec], cwd=root, check=True, capture_output=True)
        subprocess.run(["tar", "xzf", tarball], cwd=root, check=True)
    return root / "package" / folder


def fetch_query_core(dest: Path) -> Path:
    """The pinned @tanstack/query-core's TypeScript `src/` (its npm tarball ships it)."""
    return fetch_npm(dest, QUERY_CORE, "tanstack-query-core-5.59.0.tgz", "src")


def fetch_eslint_lib(dest: Path) -> Path:
    """The pinned eslint's `lib/`: hand-written CommonJS JavaScript, 383 files."""
    return fetch_npm(dest, ESLINT, "eslint-8.57.0.tgz", "lib")


def sources(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))


def fetch_django(dest: Path) -> Path:
    """Download and unpack the pinned wheel (only the .py tree matters)."""
    root = dest / "django-5.2"
    if (root / "django" / "__init__.py").exists():
        return root
    dl = Path(tempfile.mkdtemp())
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--only-binary", ":all:", "-d", str(dl), DJANGO], check=True)
    wheel = next(dl.glob("*.whl"))
    root.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        z.extractall(root)
    shutil.rmtree(dl, ignore_errors=True)
    return root


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


_WARM_RSS = """
import sys
from ssc_lsp.map.service import MapOptions, MapService
svc = MapService(sys.argv[1], MapOptions(db_path=sys.argv[2]))
assert svc.index().parsed == 0
with open("/proc/self/status") as f:
    print(next(int(x.split()[1]) for x in f if x.startswith("VmRSS:")) / 1024)
"""


def warm_rss_mb(root: Path, db: Path) -> float:
    """RSS of a fresh process after a warm start: what the server holds for this workspace
    (this process's own RSS also carries every cold index run before it)."""
    env = dict(os.environ, PYTHONPATH=str(HERE.parent / "server"))
    out = subprocess.run([sys.executable, "-c", _WARM_RSS, str(root), str(db)], env=env,
                         check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def time_ctags(root: Path) -> float | None:
    exe = shutil.which("ctags")
    if exe is None:
        return None
    t = time.perf_counter()
    subprocess.run([exe, "-R", f"--languages={CTAGS_LANGS}", "-f", os.devnull, str(root)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def time_parse_only(root: Path) -> float:
    """The floor: tree-sitter parsing every file once, one process, no extraction."""
    files = [(language_for_path(p.name), p.read_bytes()) for p in sources(root)]
    parsers = {lang.name: lang.parser() for lang, _ in files if lang is not None}
    t = time.perf_counter()
    for lang, d in files:
        if lang is not None:
            parsers[lang.name].parse(d)
    return time.perf_counter() - t


def bench_index(root: Path, repeats: int) -> dict:
    cold, warm, ctags, parse, rss = [], [], [], [], []
    lines = 0
    svc = None
    for _ in range(repeats):
        db = Path(tempfile.mkdtemp()) / "map.sqlite"
        c = time_ctags(root)
        if c is not None:
            ctags.append(c)
        parse.append(time_parse_only(root))
        t = time.perf_counter()
        svc = MapService(str(root), MapOptions(db_path=str(db)))
        stats = svc.index()
        cold.append(time.perf_counter() - t)
        assert stats.parsed == stats.files
        lines = svc.ws.stats()["lines"]
        svc.close_store()
        t = time.perf_counter()
        svc = MapService(str(root), MapOptions(db_path=str(db)))
        stats = svc.index()
        warm.append(time.perf_counter() - t)
        assert stats.parsed == 0, stats
        svc.close_store()
        rss.append(warm_rss_mb(root, db))
        shutil.rmtree(db.parent, ignore_errors=True)
    s = svc.ws.stats()
    out = {
        "files": s["files"], "lines": lines, "symbols": sum(s["symbols"].values()),
        "references": s["references"],
        "cold_index_s": statistics.median(cold), "lines_per_s": lines / statistics.median(cold),
        "warm_start_s": statistics.median(warm), "rss_mb_after_warm": statistics.median(rss),
        "bench_process_rss_mb": rss_mb(),
        "parse_only_1core_s": statistics.median(parse),
    }
    if ctags:
        out["ctags_s"] = statistics.median(ctags)
        out["cold_vs_ctags"] = out["cold_index_s"] / out["ctags_s"]
    return out


def pick_file(root: Path, target: int = 3000) -> Path:
    best, diff = None, 1 << 30
    for p in sources(root):
        n = p.read_bytes().count(b"\n")
        if abs(n - target) < diff:
            best, diff = p, abs(n - target)
    assert best is not None
    return best


def one_char_edits(text: str, n: int, seed: int) -> list[list[tuple]]:
    """Pairs of (insert a letter, delete it) at random spots inside code lines."""
    rng = random.Random(seed)
    lines = text.split("\n")
    spots = [(i, len(line) - len(line.lstrip())) for i, line in enumerate(lines)
             if line.strip() and not line.strip().startswith("#") and line.isascii()]
    edits = []
    for _ in range(n // 2):
        row, indent = rng.choice(spots)
        col = rng.randint(indent, len(lines[row]))
        edits.append([((row, col), (row, col), "x")])
        edits.append([((row, col), (row, col + 1), "")])
    return edits


def bench_edits(path: Path, root: Path, n: int, seed: int) -> dict:
    rel = path.relative_to(root).as_posix()
    text = path.read_text()
    edits = one_char_edits(text, n, seed)

    # baseline: the bare incremental reparse of the same edits
    parser = language_for_path(rel).parser()
    data = text.encode()
    tree = parser.parse(data)
    index = LineIndex(data)
    bare = []  # includes the UTF-16 -> byte conversion and line-index patch an edit needs
    for edit in edits:
        (start, end, new), = edit
        t = time.perf_counter()
        data, e, index = apply_lsp_change(data, index, start, end, new)
        tree.edit(e.start_byte, e.old_end_byte, e.new_end_byte, e.start_point, e.old_end_point,
                  e.new_end_point)
        tree = parser.parse(data, tree)
        bare.append((time.perf_counter() - t) * 1000)
    full = []
    for _ in range(20):
        t = time.perf_counter()
        parser.parse(data)
        full.append((time.perf_counter() - t) * 1000)

    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    svc.open(rel, text, 1)
    mapped = []
    reextracted = []
    for version, edit in enumerate(edits, start=2):
        (start, end, new), = edit
        t = time.perf_counter()
        upd = svc.change(rel, [Change(new, (start, end))], version)
        mapped.append((time.perf_counter() - t) * 1000)
        reextracted.append(upd.reextracted)
    return {
        "file": rel, "file_lines": text.count("\n") + 1, "edits": len(edits),
        "bare_reparse_ms_p50": statistics.median(bare), "bare_reparse_ms_p99": pct(bare, 99),
        "full_parse_ms_p50": statistics.median(full),
        "map_update_ms_p50": statistics.median(mapped), "map_update_ms_p99": pct(mapped, 99),
        "ratio_p50": statistics.median(mapped) / statistics.median(bare),
        "units_reextracted_p50": statistics.median(reextracted),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(HERE / ".corpus"))
    ap.add_argument("--edits", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--project", help="bench this folder instead of the pinned Django")
    ap.add_argument("--language", choices=sorted(LANGS), default="python",
                    help="the language benched (its pinned project unless --project)")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    global SUFFIXES, CTAGS_LANGS
    CTAGS_LANGS, SUFFIXES = LANGS[args.language]
    pinned = {"typescript": (fetch_query_core, QUERY_CORE), "javascript": (fetch_eslint_lib, ESLINT),
              "go": (fetch_go_net, GO_NET), "rust": (fetch_tokio, TOKIO),
              "java": (fetch_java_util, JAVA_UTIL)}.get(
        args.language, (fetch_django, DJANGO))
    root = Path(args.project).resolve() if args.project else pinned[0](Path(args.corpus))
    result = {"corpus": str(root) if args.project else pinned[1], "cores": os.cpu_count()}
    result["index"] = bench_index(root, args.repeats)
    result["edit"] = bench_edits(pick_file(root), root, args.edits, args.seed)
    result["rss_mb_end"] = rss_mb()
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
