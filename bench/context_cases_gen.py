"""Context cases in TypeScript, Go, Java and Rust for `ssc-lsp eval context`, each with its oracle.

A case is a use of a name (a bare name or the member after `x.`, `x::`) in a non-test file; the
cursor is put just before it (everything from the name on is cut), and the expected context item
is where the language's own tool says the name is defined: the TypeScript language service
(`getDefinitionAtPosition`, driven as in `ts_oracle.py`) for TS, gopls (`textDocument/definition`,
driven as in `go_definition_oracle.py`) for Go, javac's attribution (`java_oracle.oracle`) for
Java. Rust has no oracle installed here (no rust-analyzer): its gold is the map's own
`resolve_ref`, checked by hand on a sample (`--show N` prints one to check; bench/RESULTS.md says
how many were right), so Rust cases only ask about what the map resolves. Only answers in
ANOTHER file of the project are kept (the CrossCodeEval construction: the model needs a
cross-file API to go on). Outside Rust the map never decides a gold answer; it only proposes the
positions (its references) that are asked about.

Uses are sampled with a fixed seed, at most `--per-file` per file and one per (file, name), on
ASCII lines. The corpus folder gets one copy per project, as `eval context` expects:

    python bench/context_cases_gen.py --corpus /tmp/ctxcorpus --out /tmp/ctxcases.jsonl \
        --ts /tmp/tsoracle/tq/package/src --node-modules /tmp/tsoracle/node_modules \
        --go-src /usr/share/go-1.19/src \
        --java-root /tmp/jsrc/java.base --java-dir java/util \
        --rust-crate /tmp/deb/usr/share/cargo/registry/regex-syntax-0.6.27
    ssc-lsp eval context --cases /tmp/ctxcases.jsonl --corpus /tmp/ctxcorpus --no-jedi
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))
sys.path.insert(0, str(HERE))

import java_oracle  # noqa: E402
from go_definition_oracle import Gopls  # noqa: E402
from ssc_lsp.context.cursor import is_test_path  # noqa: E402
from ssc_lsp.map.filemap import FileMap  # noqa: E402
from ssc_lsp.map.records import IMPORT, MODULE, REF_ATTRIBUTE, REF_NAME, Ref, Unit  # noqa: E402
from ssc_lsp.map.service import MapOptions, MapService  # noqa: E402
from ssc_lsp.map.workspace import Located  # noqa: E402
from ts_oracle import ORACLE_JS  # noqa: E402

Cand = tuple[str, int, int, str, str]  # path, row, column (code points), name, kind
# the map's answer for a sampled use, while its index is open: (file, line of the name) pairs
Answer = Callable[[MapService, FileMap, Ref, Unit], "list[tuple[str, int]] | None"]


def candidates(root: Path, per_file: int, seed: int, build_ok=None,
               answer: Answer | None = None) -> list[tuple[Cand, list[tuple[str, int]] | None]]:
    """Sampled uses (path, row, column, name, kind), columns in code points on ASCII lines, each
    with `answer`'s definitions for it (None without `answer`)."""
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    rng = random.Random(seed)
    out = []
    for path, fm in sorted(svc.ws.files.items()):
        if is_test_path(path) or (build_ok and not build_ok(path, fm)):
            continue
        lines = (root / path).read_bytes().split(b"\n")
        seen: set[str] = set()
        pool = []
        uses = _use_declarations(fm)
        for ref, unit in fm.iter_refs():
            row = ref.row + unit.start_row
            if ref.kind not in (REF_NAME, REF_ATTRIBUTE) or not lines[row].isascii() or ref.name in seen \
                    or any(r0 <= (row, ref.col) <= r1 for r0, r1 in uses):
                continue
            seen.add(ref.name)
            pool.append(((path, row, ref.col, ref.name, "attribute" if ref.kind == REF_ATTRIBUTE else "name"),
                         ref, unit))
        for cand, ref, unit in rng.sample(pool, min(per_file, len(pool))):
            out.append((cand, answer(svc, fm, ref, unit) if answer else None))
    svc.close_store()
    return out


def _use_declarations(fm: FileMap) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Ranges of Rust's `use` declarations: their path segments are name refs in the map (Java's
    and TypeScript's imports are import refs, left out above), but an import is no completion site
    (CrossCodeEval's cases are code, not import lines)."""
    if fm.language.name != "rust":
        return []
    return [((s.range[0], s.range[1]), (s.range[2], s.range[3])) for s in fm.symbols if s.kind == IMPORT]


def ts_cases(src: Path, node_modules: Path, repo: str, corpus: Path, per_file: int, seed: int) -> list[dict]:
    dest = corpus / repo
    if not dest.exists():
        shutil.copytree(src, dest)
    cands = [c for c, _ in candidates(dest, per_file, seed)]
    files = sorted({p for p, *_ in cands} | {str(p.relative_to(dest)) for p in dest.rglob("*.ts")})
    with tempfile.NamedTemporaryFile("w", suffix=".cjs", delete=False) as f:
        f.write(ORACLE_JS)
        script = f.name
    try:
        proc = subprocess.run(["node", script, str(node_modules / "typescript")],
                              input=json.dumps({"root": str(dest), "files": files,
                                                "queries": [c[:3] for c in cands]}),
                              capture_output=True, text=True, check=True, timeout=1800)
    finally:
        os.unlink(script)
    answers = json.loads(proc.stdout)
    return [case for c, defs in zip(cands, answers, strict=True)
            if (case := _case(repo, c, [(d[0], d[1]) for d in defs or []], dest))]


def go_cases(src: Path, package: str, repo: str, corpus: Path, per_file: int, seed: int) -> list[dict]:
    from ssc_lsp.map.languages.go.build import file_builds
    from ssc_lsp.map.languages.go.resolve import build_expr

    dest = corpus / repo
    if not dest.exists():
        shutil.copytree(src / package, dest / package)
        shutil.copy(src / "go.mod", dest / "go.mod")
    cands = [c for c, _ in candidates(dest, per_file, seed, lambda path, fm: file_builds(path, build_expr(fm)))]
    gopls = Gopls(src)  # gopls answers on the originals, in GOROOT (offline)
    out = []
    try:
        for c in cands:
            got = gopls.definition(src / c[0], c[1], c[2])
            defs = []
            if got is not None and got[0].startswith(str(src) + "/"):
                defs = [(os.path.relpath(got[0], src), got[1])]
            if case := _case(repo, c, defs, dest):
                out.append(case)
    finally:
        gopls.close()
    return out


def java_cases(root: Path, package: str, repo: str, corpus: Path, per_file: int, seed: int) -> list[dict]:
    """javac answers on the originals (`root` is the java.base source folder: the files are patched
    into that module, as in java_oracle.py); the corpus copy keeps their relative paths."""
    files = sorted((root / package).glob("*.java"))
    dest = corpus / repo
    if not dest.exists():
        for f in files:
            (dest / f.relative_to(root)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, dest / f.relative_to(root))
    with tempfile.TemporaryDirectory() as tmp:
        truth = java_oracle.oracle(root, files, Path(tmp))
    out = []
    for c, _ in candidates(dest, per_file, seed):
        want = truth.get(c[:3])
        if want is not None and (case := _case(repo, c, [want], dest)):
            out.append(case)
    return out


def map_definitions(svc: MapService, fm: FileMap, ref: Ref, unit: Unit) -> list[tuple[str, int]] | None:
    """The map's definition of a use (Rust's gold, hand-checked): a workspace symbol that is not a
    module (a module's name is no definition a context item shows)."""
    got = svc.resolver.resolve_ref(fm, ref, unit)
    if not isinstance(got, Located) or got.symbol.kind in (MODULE, IMPORT):
        return None
    return [(got.file.path, got.symbol.name_range[0])]


def rust_cases(crate: Path, repo: str, corpus: Path, per_file: int, seed: int) -> list[dict]:
    dest = corpus / repo
    if not dest.exists():
        shutil.copytree(crate, dest)
    return [case for c, defs in candidates(dest, per_file, seed, answer=map_definitions)
            if defs and (case := _case(repo, c, defs, dest))]


def show(cases: list[dict], corpus: Path, n: int, seed: int) -> None:
    """A seeded sample of cases with the use's line and the gold definition's line, to check by hand."""
    for c in sorted(random.Random(seed).sample(cases, min(n, len(cases))), key=lambda c: c["id"]):
        root = corpus / c["repo"]
        use = (root / c["path"]).read_text(errors="replace").split("\n")[c["line"]]
        g = c["gold"][0]
        gold = (root / g["path"]).read_text(errors="replace").split("\n")[g["line"]]
        print(f"{c['id']} {c['path']}:{c['line'] + 1} {c['target']}\n    {use.strip()[:120]}\n"
              f"  -> {g['path']}:{g['line'] + 1}\n    {gold.strip()[:120]}")


def _case(repo: str, cand: tuple, defs: list[tuple[str, int]], root: Path) -> dict | None:
    path, row, col, name, kind = cand
    gold = [{"path": p, "line": line, "name": name} for p, line in defs
            if p != path and not p.startswith("..") and (root / p).is_file()]
    if not gold or len(gold) != len(defs):
        return None  # none, or some answer outside the project or in the same file
    return {"id": "", "repo": repo, "path": path, "line": row, "character": col, "target": name,
            "kind": kind, "gold": gold}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True, help="where the projects are copied (one folder each)")
    ap.add_argument("--out", required=True, help="the cases, JSONL")
    ap.add_argument("--ts", help="a TypeScript source folder (e.g. @tanstack/query-core's src/)")
    ap.add_argument("--ts-repo", default="query-core")
    ap.add_argument("--node-modules", help="a node_modules holding typescript")
    ap.add_argument("--go-src", help="a GOROOT src holding the package and go.mod")
    ap.add_argument("--go-package", default="net")
    ap.add_argument("--java-root", help="the java.base source folder (src.zip's java.base/)")
    ap.add_argument("--java-dir", action="append", default=[],
                    help="a package folder under --java-root, its .java files only (repeatable)")
    ap.add_argument("--rust-crate", action="append", default=[], help="a crate folder (repeatable)")
    ap.add_argument("--show", type=int, default=0, help="print N sampled Rust cases to check by hand")
    ap.add_argument("--per-file", type=int, default=3)
    ap.add_argument("--max", type=int, default=150, help="cases per project at most (sampled)")
    ap.add_argument("--seed", type=int, default=12)
    a = ap.parse_args()
    corpus = Path(a.corpus)
    corpus.mkdir(parents=True, exist_ok=True)
    cases: list[dict] = []
    rng = random.Random(a.seed)
    if a.ts:
        got = ts_cases(Path(a.ts), Path(a.node_modules), a.ts_repo, corpus, a.per_file, a.seed)
        cases += rng.sample(got, min(a.max, len(got)))
    if a.go_src:
        repo = f"go-{a.go_package.replace('/', '-')}"
        got = go_cases(Path(a.go_src), a.go_package, repo, corpus, a.per_file, a.seed)
        cases += rng.sample(got, min(a.max, len(got)))
    for d in a.java_dir:
        got = java_cases(Path(a.java_root), d, d.replace("/", "-"), corpus, a.per_file, a.seed)
        cases += rng.sample(got, min(a.max, len(got)))
    rust: list[dict] = []
    for crate in a.rust_crate:
        got = rust_cases(Path(crate), Path(crate).name, corpus, a.per_file, a.seed)
        rust += rng.sample(got, min(a.max, len(got)))
    cases += rust
    cases.sort(key=lambda c: (c["repo"], c["path"], c["line"], c["character"]))
    counts: dict[str, int] = {}
    with open(a.out, "w", encoding="utf-8") as f:
        for c in cases:
            counts[c["repo"]] = counts.get(c["repo"], 0) + 1
            c["id"] = f"{c['repo']}-{counts[c['repo']] - 1:04d}"
            f.write(json.dumps(c) + "\n")
    print(json.dumps(counts))
    if a.show:
        show(rust, corpus, a.show, a.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
