"""The map's definition and references answers against jedi's, on pinned real projects.

For every name in a sample of each project's source files, asks jedi (`goto`, imports followed,
re-exports stepped through as bench/corpus/make_cases.py does) and the map (`navigation.definition`)
where it is defined. jedi's answers are turned into map symbols (a definition's name, or a
rebinding or attribute assignment that resolves to one), so both sides are compared as symbol
ids. Over the positions where jedi finds a definition inside the project:

    recall    = map answer among jedi's / positions
    precision = map answer among jedi's / positions where the map answers

Positions where the map answers and jedi finds nothing in the project are counted apart
(jedi cannot check them). References: for a sample of definitions in those files, jedi's
`get_references(scope="project")` and the map's `references(include_declaration=True)` are
compared as sets of positions (micro precision and recall).

jedi gets the project's `src` and the standard library on its path, not the site-packages of the
running Python, so an installed copy of the project (requests is a dependency of many things)
cannot stand in for the sources.

    python bench/nav_oracle.py [--corpus DIR] [--projects requests flask] [--files 0]
                               [--refs 150] [--seed 1] [--json OUT] [--show 20]

`--corpus DIR` reuses already unpacked sdists (DIR/requests, DIR/flask); by default they are
downloaded with `pip download --no-deps --no-binary :all:` into bench/.corpus/.
"""

from __future__ import annotations

import argparse
import io
import json
import keyword
import random
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
import tokenize
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))

import jedi  # noqa: E402

from ssc_lsp.map.navigation import definition, references  # noqa: E402
from ssc_lsp.map.positions import LineIndex  # noqa: E402
from ssc_lsp.map.service import MapOptions, MapService  # noqa: E402

PROJECTS = {"requests": "requests==2.32.3", "flask": "flask==3.0.3"}
MAX_HOPS = 3


def fetch(name: str, spec: str, dest: Path) -> Path:
    root = dest / spec.replace("==", "-")
    if (root / "src").is_dir():
        return root
    dl = Path(tempfile.mkdtemp())
    try:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--no-binary", ":all:", "-d", str(dl), spec], check=True)
        archive = next(dl.glob("*.tar.gz"))
        tmp = Path(tempfile.mkdtemp(dir=dest))
        with tarfile.open(archive) as t:
            t.extractall(tmp, filter="data")
        (inner,) = list(tmp.iterdir())
        inner.rename(root)
        shutil.rmtree(tmp, ignore_errors=True)
    finally:
        shutil.rmtree(dl, ignore_errors=True)
    return root


def names_in(code: str) -> list[tuple[int, int, str]]:
    """(1-based line, code point column, name) of every identifier token."""
    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type == tokenize.NAME and not keyword.iskeyword(tok.string):
                out.append((tok.start[0], tok.start[1], tok.string))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return out


class Jedi:
    def __init__(self, root: Path):
        self.root = root.resolve()
        stdlib = [sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib")]
        dynload = [p for p in sys.path if p.endswith("lib-dynload")]
        self.project = jedi.Project(self.root, sys_path=[str(self.root / "src"), *stdlib, *dynload],
                                    smart_sys_path=True)
        self.scripts: dict[str, jedi.Script] = {}

    def script(self, path: Path) -> jedi.Script:
        key = str(path)
        if key not in self.scripts:
            self.scripts[key] = jedi.Script(path.read_text(encoding="utf-8"), path=key, project=self.project)
        return self.scripts[key]

    def rel(self, module_path) -> str | None:
        if module_path is None:
            return None
        try:
            return Path(module_path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None

    def goto(self, path: Path, line: int, col: int) -> list:
        try:
            defs = self.script(path).goto(line, col, follow_imports=True)
        except Exception:
            return []
        out = []
        for d in defs:
            out += self._follow(d, MAX_HOPS)
        return out

    def _follow(self, d, hops: int) -> list:
        """jedi sometimes stops on `from .x import y` in a package: step through it."""
        rel = self.rel(d.module_path)
        if rel is None or d.line is None or d.type == "module" or hops == 0:
            return [d]
        try:
            here = self.script(Path(d.module_path))
            nxt = here.goto(d.line, d.column, follow_imports=True)
        except Exception:
            return [d]
        nxt = [n for n in nxt if (str(n.module_path), n.line, n.column) != (str(d.module_path), d.line, d.column)]
        if not nxt or not _on_import(here, d.line):
            return [d]
        out = []
        for n in nxt:
            out += self._follow(n, hops - 1)
        return out

    def references(self, path: Path, line: int, col: int) -> list:
        try:
            return self.script(path).get_references(line, col, scope="project", include_builtins=False)
        except Exception:
            return []


def _on_import(script: jedi.Script, line: int) -> bool:
    text = script._code_lines[line - 1].lstrip() if line - 1 < len(script._code_lines) else ""
    return text.startswith(("from ", "import "))


@dataclass
class Tally:
    positions: int = 0  # names looked at
    universe: int = 0  # jedi finds a definition in the project
    answered: int = 0  # ... and the map answers
    correct: int = 0  # ... with one of jedi's
    extra: int = 0  # the map answers, jedi finds nothing in the project
    extra_imports: int = 0  # ... with the import of a name from outside (jedi: outside too)
    by_kind: Counter = field(default_factory=Counter)
    misses: list = field(default_factory=list)
    ref_symbols: int = 0
    ref_map: int = 0
    ref_jedi: int = 0
    ref_both: int = 0
    ref_misses: list = field(default_factory=list)
    seconds_map: float = 0.0
    seconds_jedi: float = 0.0


def canonical(svc: MapService, jd: Jedi, d) -> str | None:
    """jedi's definition as a map symbol id (None when it is outside the project)."""
    rel = jd.rel(d.module_path)
    if rel is None or rel not in svc.ws.files:
        return None
    fm = svc.ws.files[rel]
    if d.type == "module" or d.line is None:
        return fm.path
    index = _index(svc, rel)
    row, col = index.point_of_byte(index.byte_of_jedi(d.line, d.column))
    t = definition(svc.resolver, fm, row, col)  # what the map itself says is defined there
    return t.symbol.id if t is not None else f"{rel}:{d.line}:{d.column}"


_INDEXES: dict[str, LineIndex] = {}


def _index(svc: MapService, rel: str) -> LineIndex:
    if rel not in _INDEXES:
        _INDEXES[rel] = LineIndex(Path(svc.abspath(rel)).read_bytes())
    return _INDEXES[rel]


def kind_of(svc: MapService, fm, row: int, bcol: int, text: str, col: int) -> str:
    """definition (a name being defined: trivially itself), import (a name in an import
    statement), attribute (after a dot), name."""
    sym = svc.resolver.symbol_at(fm, row, bcol)
    if text.lstrip().startswith(("import ", "from ")) or (sym is not None and sym.kind == "import"):
        return "import"
    if sym is not None:
        return "definition"
    return "attribute" if col > 0 and text[:col].rstrip().endswith(".") else "name"


def run_project(name: str, root: Path, files: int, refs: int, seed: int, show: int) -> Tally:
    _INDEXES.clear()
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    jd = Jedi(root)
    rng = random.Random(seed)
    sources = sorted(p for p in svc.ws.files if p.startswith("src/"))
    sample = sources if files <= 0 else sorted(rng.sample(sources, min(files, len(sources))))
    t = Tally()
    definitions: list[tuple[str, int, int]] = []
    for rel in sample:
        fm = svc.ws.files[rel]
        path = root / rel
        code = path.read_text(encoding="utf-8")
        index = _index(svc, rel)
        for line, col, ident in names_in(code):
            t.positions += 1
            row, bcol = index.point_of_byte(index.byte_of_jedi(line, col))
            t0 = time.perf_counter()
            got = definition(svc.resolver, fm, row, bcol)
            t.seconds_map += time.perf_counter() - t0
            mine = got.symbol.id if got is not None else None
            t0 = time.perf_counter()
            theirs = {c for c in (canonical(svc, jd, d) for d in jd.goto(path, line, col)) if c}
            t.seconds_jedi += time.perf_counter() - t0
            kind = kind_of(svc, fm, row, bcol, code.split("\n")[line - 1], col)
            if kind == "definition" and got is not None and got.symbol.kind in ("function", "class", "method"):
                definitions.append((rel, line, col))
            if not theirs:
                if mine is not None and kind != "definition":
                    t.extra += 1
                    t.extra_imports += got.symbol.kind == "import"
                continue
            head = kind != "definition"  # the headline is about uses; a definition is itself
            t.universe += head
            t.by_kind[kind, "universe"] += 1
            if mine is not None:
                t.answered += head
                t.by_kind[kind, "answered"] += 1
            if mine in theirs:
                t.correct += head
                t.by_kind[kind, "correct"] += 1
            elif len(t.misses) < 10_000:
                t.misses.append({"path": rel, "line": line, "col": col, "name": ident, "kind": kind,
                                 "map": mine, "jedi": sorted(theirs)})
    rng.shuffle(definitions)
    for rel, line, col in definitions[:refs]:
        fm = svc.ws.files[rel]
        index = _index(svc, rel)
        row, bcol = index.point_of_byte(index.byte_of_jedi(line, col))
        loc = definition(svc.resolver, fm, row, bcol)
        if loc is None:
            continue
        t0 = time.perf_counter()
        mine = {(s.path, s.range[0], s.range[1]) for s in references(svc.ws, svc.resolver, loc, True)}
        t.seconds_map += time.perf_counter() - t0
        theirs = set()
        t0 = time.perf_counter()
        for r in jd.references(root / rel, line, col):
            rrel = jd.rel(r.module_path)
            if rrel is None or rrel not in svc.ws.files or r.line is None:
                continue
            ix = _index(svc, rrel)
            theirs.add((rrel, *ix.point_of_byte(ix.byte_of_jedi(r.line, r.column))))
        t.seconds_jedi += time.perf_counter() - t0
        t.ref_symbols += 1
        t.ref_map += len(mine)
        t.ref_jedi += len(theirs)
        t.ref_both += len(mine & theirs)
        if mine != theirs and len(t.ref_misses) < 200:
            t.ref_misses.append({"symbol": loc.symbol.id, "map_only": sorted(mine - theirs)[:5],
                                 "jedi_only": sorted(theirs - mine)[:5]})
    print(f"\n== {name}: {len(sample)} files, {t.positions} names", file=sys.stderr)
    for m in t.misses[:show]:
        print(f"  miss {m['path']}:{m['line']}:{m['col']} {m['name']} ({m['kind']}) map={m['map']} jedi={m['jedi']}",
              file=sys.stderr)
    for m in t.ref_misses[:show // 2]:
        print(f"  refs {m['symbol']} map-only={m['map_only']} jedi-only={m['jedi_only']}", file=sys.stderr)
    return t


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "n/a"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, help="a folder with already unpacked sdists, one per project")
    ap.add_argument("--projects", nargs="*", default=list(PROJECTS))
    ap.add_argument("--files", type=int, default=0, help="source files per project (0: all of src/)")
    ap.add_argument("--refs", type=int, default=150, help="definitions per project for references")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=20, help="disagreements to print per project")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    store = HERE / ".corpus"
    store.mkdir(exist_ok=True)
    results = {}
    rows = []
    for name in args.projects:
        spec = PROJECTS[name]
        root = args.corpus / name if args.corpus else fetch(name, spec, store)
        t = run_project(name, root, args.files, args.refs, args.seed, args.show)
        results[name] = {k: v for k, v in t.__dict__.items() if k not in ("by_kind",)}
        results[name]["by_kind"] = {f"{k[0]}.{k[1]}": v for k, v in t.by_kind.items()}
        rows.append((name, spec, t))
    print("| project | names | uses where jedi finds a project definition | map answers | agree | definition precision | definition recall | map-only answers | references: symbols | precision | recall |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for _name, spec, t in rows:
        print(f"| {spec} | {t.positions} | {t.universe} | {t.answered} | {t.correct} | "
              f"{pct(t.correct, t.answered)} | {pct(t.correct, t.universe)} | {t.extra} | {t.ref_symbols} | "
              f"{pct(t.ref_both, t.ref_map)} | {pct(t.ref_both, t.ref_jedi)} |")
    for _name, spec, t in rows:
        parts = []
        for kind in ("name", "attribute", "import", "definition"):
            u, a, c = (t.by_kind[kind, x] for x in ("universe", "answered", "correct"))
            parts.append(f"{kind}: P {pct(c, a)} R {pct(c, u)} (n={u})")
        print(f"\n{spec} by kind: " + "; ".join(parts))
        print(f"{spec}: {t.extra} map-only answers, {t.extra_imports} of them the import of an outside name")
        print(f"{spec} time: map {t.seconds_map:.2f} s, jedi {t.seconds_jedi:.1f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
