"""Context cases in TypeScript and Go for `ssc-lsp eval context`, with each language's own oracle.

A case is a use of a name (a bare name or the member after `x.`) in a non-test file; the cursor
is put just before it (everything from the name on is cut), and the expected context item is
where the language's own tool says the name is defined: the TypeScript language service
(`getDefinitionAtPosition`, driven as in `ts_oracle.py`) for TS, gopls (`textDocument/definition`,
driven as in `go_definition_oracle.py`) for Go. Only answers in ANOTHER file of the project are
kept (the CrossCodeEval construction: the model needs a cross-file API to go on). The map never
decides a gold answer; it only proposes the positions (its references) that are asked about.

Uses are sampled with a fixed seed, at most `--per-file` per file and one per (file, name), on
ASCII lines. The corpus folder gets one copy per project, as `eval context` expects:

    python bench/context_cases_gen.py --corpus /tmp/ctxcorpus --out /tmp/ctxcases.jsonl \
        --ts /tmp/tsoracle/tq/package/src --node-modules /tmp/tsoracle/node_modules \
        --go-src /usr/share/go-1.19/src
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))
sys.path.insert(0, str(HERE))

from go_definition_oracle import Gopls  # noqa: E402
from ssc_lsp.map.records import REF_ATTRIBUTE, REF_NAME  # noqa: E402
from ssc_lsp.map.service import MapOptions, MapService  # noqa: E402
from ts_oracle import ORACLE_JS  # noqa: E402

TEST_FILE = (".test.ts", ".test.tsx", ".spec.ts", "_test.go", ".test.js")


def candidates(root: Path, per_file: int, seed: int, build_ok=None) -> list[tuple[str, int, int, str, str]]:
    """(path, row, column, name, kind) of sampled uses; columns in code points on ASCII lines."""
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    rng = random.Random(seed)
    out = []
    for path, fm in sorted(svc.ws.files.items()):
        if path.endswith(TEST_FILE) or "__tests__" in path or (build_ok and not build_ok(path, fm)):
            continue
        lines = (root / path).read_bytes().split(b"\n")
        seen: set[str] = set()
        pool = []
        for ref, unit in fm.iter_refs():
            row = ref.row + unit.start_row
            if ref.kind not in (REF_NAME, REF_ATTRIBUTE) or not lines[row].isascii() or ref.name in seen:
                continue
            seen.add(ref.name)
            pool.append((path, row, ref.col, ref.name, "attribute" if ref.kind == REF_ATTRIBUTE else "name"))
        out.extend(rng.sample(pool, min(per_file, len(pool))))
    svc.close_store()
    return out


def ts_cases(src: Path, node_modules: Path, repo: str, corpus: Path, per_file: int, seed: int) -> list[dict]:
    dest = corpus / repo
    if not dest.exists():
        shutil.copytree(src, dest)
    cands = candidates(dest, per_file, seed)
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
    cands = candidates(dest, per_file, seed, lambda path, fm: file_builds(path, build_expr(fm)))
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
    cases.sort(key=lambda c: (c["repo"], c["path"], c["line"], c["character"]))
    counts: dict[str, int] = {}
    with open(a.out, "w", encoding="utf-8") as f:
        for c in cases:
            counts[c["repo"]] = counts.get(c["repo"], 0) + 1
            c["id"] = f"{c['repo']}-{counts[c['repo']] - 1:04d}"
            f.write(json.dumps(c) + "\n")
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
