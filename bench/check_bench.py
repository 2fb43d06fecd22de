"""The edit check on real refactors: correct edits must give no problem, broken ones must be caught.

For each project, refactors are made with rope (the engine, not the map): rename a function or
method used across files; change a signature (add a parameter with a default; add a required
parameter, with rope passing a value at every call site; remove a parameter the body does not
use, with the call sites updated); move a top-level function to a sibling module. Each is turned
into a unified diff (a/ b/ prefixes, relative to the project root), read and applied by
grounding/diff.py and judged by grounding/edit_check.py, exactly as `ssc-lsp check --diff` does,
on a map indexed once. Expected: no problem.

Then each multi-file refactor is broken two ways, and the break must be caught *at the right file
and line*:
- drop: one hunk of a file other than the definition's is dropped (a call site or import left
  behind); expected at the lines the dropped hunk would have changed;
- typo: the refactored name is misspelt in one added line outside its definition; expected at
  that line.

    python bench/check_bench.py --corpus DIR [--held DIR] [--projects ...] [--per-project 40]

`--corpus` holds the development projects (bash /work/shared/bench/corpus.sh DIR), `--held` the
held-out ones (e.g. click and attrs sdists unpacked from PyPI). rope is a runtime dependency
(the engine of `ssc.changeSignature` and `ssc.moveSymbol`).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from rope.base import libutils
from rope.base.change import ChangeContents
from rope.base.project import Project
from rope.refactor.change_signature import ArgumentAdder, ArgumentRemover, ChangeSignature
from rope.refactor.move import create_move
from rope.refactor.rename import Rename

from ssc_lsp.grounding.diff import apply, parse
from ssc_lsp.grounding.edit_check import EditCheck
from ssc_lsp.map.positions import LineIndex
from ssc_lsp.map.records import FUNCTION, METHOD
from ssc_lsp.map.service import MapOptions, MapService

DEV = ("requests", "flask", "jinja2", "werkzeug", "marshmallow")
QUOTA = {"rename": 0.4, "add_default": 0.1, "add_required": 0.2, "remove_param": 0.15, "move": 0.15}
ROPE_TIMEOUT_FILES = 40  # refactors touching more files than this are skipped (rare, slow)


@dataclass
class Edit:
    kind: str
    symbol: str
    name: str  # the name call sites use after the refactor
    def_files: set[str]
    after: dict[str, str]  # rel -> new text (rope's)
    old: str = ""  # the name before the refactor


@dataclass
class Outcome:
    project: str
    kind: str
    symbol: str
    variant: str  # "correct", "drop", "typo"
    expected: tuple[str, list[int]] | None
    problems: list[dict]
    ms: float
    caught: bool = False
    elsewhere: bool = False
    broken: bool = False  # a "correct" edit the independent oracle shows broken (rope's mistake)


@dataclass
class Tally:
    outcomes: list[Outcome] = field(default_factory=list)
    index_s: dict[str, float] = field(default_factory=dict)
    full_s: dict[str, float] = field(default_factory=dict)  # the baseline: every file checked


def full_check_seconds(svc: MapService) -> float:
    """The baseline an edit check replaces: map/checks.py on every file of the workspace (what
    the server does once after indexing), with a cold resolver."""
    from ssc_lsp.map.checks import check_file
    from ssc_lsp.map.resolve import Resolver

    r = Resolver(svc.ws)
    t0 = time.perf_counter()
    for fm in list(svc.ws.files.values()):
        check_file(svc.ws, r, fm)
    return time.perf_counter() - t0


def rope_project(root: Path) -> Project:
    src = [d for d in ("src", "lib") if (root / d).is_dir()]
    return Project(str(root), ropefolder=None, source_folders=src or [""])


def char_offset(text: str, data: bytes, row: int, byte_col: int) -> int:
    index = LineIndex(data)
    line, col = index.jedi_of_byte(index.byte_of_point(row, byte_col))
    lines = text.split("\n")
    return sum(len(ln) + 1 for ln in lines[:line - 1]) + col


def library_file(rel: str) -> bool:
    parts = rel.split("/")
    return not any(p in ("tests", "test", "docs", "examples", "scripts", "benchmarks") for p in parts) \
        and not parts[-1].startswith(("test_", "conftest"))


def files_naming(svc: MapService) -> dict[str, set[str]]:
    """Name -> the files whose references name it."""
    by_name: dict[str, set[str]] = {}
    for path, fm in svc.ws.files.items():
        for n in fm.ref_names:
            by_name.setdefault(n, set()).add(path)
    return by_name


def candidates(svc: MapService, rng: random.Random) -> list[tuple[str, object]]:
    """(path, symbol) of functions and methods some other file names."""
    by_name = files_naming(svc)
    out = []
    for path, fm in sorted(svc.ws.files.items()):
        if not library_file(path):
            continue
        for s in fm.symbols:
            if s.kind not in (FUNCTION, METHOD) or s.name.startswith("__") or len(s.name) < 4:
                continue
            if "@" in s.id or "<" in s.qualname or s.decorators and any("overload" in d for d in s.decorators):
                continue
            if by_name.get(s.name, set()) - {path}:
                out.append((path, s))
    rng.shuffle(out)
    return out


def changes_to_texts(root: Path, changes) -> dict[str, str] | None:
    out: dict[str, str] = {}
    for c in changes.changes:
        if not isinstance(c, ChangeContents):
            return None
        rel = c.resource.path
        if not rel.endswith(".py"):
            return None
        out[rel] = c.new_contents
    return out


def make_edit(kind: str, root: Path, proj: Project, svc: MapService, path: str, sym, rng: random.Random
              ) -> Edit | None:
    full = root / path
    text = full.read_text(encoding="utf-8")
    data = text.encode("utf-8")
    nr = sym.name_range
    offset = char_offset(text, data, nr[0], nr[1])
    if text[offset:offset + len(sym.name)] != sym.name:
        return None
    res = libutils.path_to_resource(proj, str(full))
    params = [p for p in (sym.signature.params if sym.signature else [])]
    own = [p for p in params if p.name not in ("self", "cls")]
    if kind == "rename":
        new = f"{sym.name}_renamed"
        changes = Rename(proj, res, offset).get_changes(new)
        name = new
    elif kind in ("add_default", "add_required"):
        if any(p.kind in ("var_positional", "var_keyword", "keyword_only") for p in params):
            return None
        # rope counts `self`; a required parameter goes before the first one with a default
        index = len(params) if kind == "add_default" else \
            next((i for i, p in enumerate(params) if p.has_default), len(params))
        adder = ArgumentAdder(index, "extra_flag", default="None") if kind == "add_default" \
            else ArgumentAdder(index, "extra_flag", value="None")
        changes = ChangeSignature(proj, res, offset).get_changes([adder])
        name = sym.name
    elif kind == "remove_param":
        fm = svc.ws.files[path]
        inside = [r for r, _u in fm.iter_refs()
                  if r.scope == sym.qualname or r.scope.startswith(sym.qualname + ".")]
        unused = [i for i, p in enumerate(params)
                  if p.name not in ("self", "cls") and p.kind in ("positional_or_keyword",)
                  and not any(r.name == p.name for r in inside)]
        if not unused or not own:
            return None
        i = rng.choice(unused)
        changes = ChangeSignature(proj, res, offset).get_changes([ArgumentRemover(i)])
        name = sym.name
    elif kind == "move":
        if sym.kind != FUNCTION or sym.parent:
            return None
        folder = full.parent
        sibs = sorted(p for p in folder.glob("*.py") if p != full and p.name != "__init__.py")
        if not sibs:
            return None
        dest = rng.choice(sibs)
        mover = create_move(proj, res, offset)
        changes = mover.get_changes(libutils.path_to_resource(proj, str(dest)))
        name = sym.name
        after = changes_to_texts(root, changes)
        if after is None:
            return None
        return Edit(kind, sym.id, name, {path, dest.relative_to(root).as_posix()}, after)
    else:
        raise ValueError(kind)
    after = changes_to_texts(root, changes)
    if after is None:
        return None
    return Edit(kind, sym.id, name, {path}, after, sym.name)


def unified(root: Path, after: dict[str, str]) -> dict[str, list[str]]:
    """Per file, its diff as hunks of lines (header first), as `git diff` writes them."""
    out = {}
    for rel, new in sorted(after.items()):
        old = (root / rel).read_text(encoding="utf-8").splitlines(keepends=True)
        lines = list(difflib.unified_diff(old, new.splitlines(keepends=True), f"a/{rel}", f"b/{rel}"))
        lines = [ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n" for ln in lines]
        out[rel] = lines
    return out


def hunks_of(lines: list[str]) -> tuple[list[str], list[list[str]]]:
    head, hunks = [], []
    for ln in lines:
        if ln.startswith("@@"):
            hunks.append([ln])
        elif hunks:
            hunks[-1].append(ln)
        else:
            head.append(ln)
    return head, hunks


def judge(root: Path, svc: MapService, diffs: dict[str, list[str]]) -> tuple[dict, list[dict], float]:
    raw = "".join(ln for f in diffs.values() for ln in f).encode("utf-8")

    def read(rel: str) -> bytes | None:
        p = root / rel
        return p.read_bytes() if p.is_file() else None

    t0 = time.perf_counter()
    after = apply(parse(raw), read)
    result = EditCheck(svc, read).check(after)
    ms = (time.perf_counter() - t0) * 1000
    probs = []
    for p in result.problems:
        data = after.get(p.path) if p.path in after else read(p.path)
        col = 1
        if data is not None:
            index = LineIndex(data)
            col = index.jedi_of_byte(index.byte_of_point(p.range[0], p.range[1]))[1] + 1
        probs.append({"path": p.path, "line": p.range[0] + 1, "column": col, "kind": p.kind,
                      "message": p.message})
    return after, probs, ms


# -- an independent oracle: is a flagged import really broken? ----------------------------------


def _bound(source: str) -> set[str] | None:
    """Module-level names `source` binds (ast, not the map); None when it cannot be known (a
    star import, a module `__getattr__`, a file that does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    names: set[str] = set()

    def targets(t) -> None:
        if isinstance(t, ast.Name):
            names.add(t.id)
        elif isinstance(t, ast.Tuple | ast.List):
            for e in t.elts:
                targets(e)

    def walk(stmts) -> bool:
        for st in stmts:
            if isinstance(st, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(st.name)
            elif isinstance(st, ast.Assign):
                for t in st.targets:
                    targets(t)
            elif isinstance(st, ast.AnnAssign | ast.AugAssign):
                targets(st.target)
            elif isinstance(st, ast.Import):
                names.update(a.asname or a.name.split(".")[0] for a in st.names)
            elif isinstance(st, ast.ImportFrom):
                if any(a.name == "*" for a in st.names):
                    return False
                names.update(a.asname or a.name for a in st.names)
            for field_ in ("body", "orelse", "finalbody"):
                if isinstance(st, ast.If | ast.Try | ast.With | ast.For | ast.While) and \
                        not walk(getattr(st, field_, []) or []):
                    return False
            if isinstance(st, ast.Try):
                for h in st.handlers:
                    if not walk(h.body):
                        return False
        return True

    if not walk(tree.body) or "__getattr__" in names:
        return None
    return names


def _module_file(root: Path, texts: dict[str, str | None], dotted: str) -> tuple[str, bool] | None:
    """(relpath, is a package) of a project module after the edit."""
    for base in ("src/", "lib/", ""):
        stem = base + dotted.replace(".", "/")
        for rel, pkg in ((stem + ".py", False), (stem + "/__init__.py", True)):
            if rel in texts:
                if texts[rel] is not None:
                    return rel, pkg
            elif (root / rel).is_file():
                return rel, pkg
    return None


def _text(root: Path, texts: dict[str, str | None], rel: str) -> str | None:
    return texts[rel] if rel in texts else (root / rel).read_text(encoding="utf-8", errors="replace")


class JediOracle:
    """jedi (not the map) on a copy of the project with the edit applied: does a flagged use
    still lead somewhere, does a flagged call still fit? Only asked about flagged edits."""

    def __init__(self, root: Path, name: str):
        import shutil

        self.root = root
        self.copy = Path("/tmp/ec_oracle") / name
        if self.copy.exists():
            shutil.rmtree(self.copy)
        shutil.copytree(root, self.copy)

    def confirms(self, texts: dict[str, str | None], problems: list[dict]) -> bool:
        import jedi

        for rel, t in texts.items():
            if t is not None:
                (self.copy / rel).write_text(t, encoding="utf-8")
        try:
            project = jedi.Project(str(self.copy), added_sys_path=[str(self.copy / d) for d in ("src", "lib")
                                                                 if (self.copy / d).is_dir()])
            for p in problems:
                path = self.copy / p["path"]
                code = path.read_text(encoding="utf-8")
                script = jedi.Script(code, path=str(path), project=project)
                line, col = p["line"], p["column"] - 1
                if p["kind"] in ("removed", "attribute", "name", "import"):
                    if not script.goto(line, col, follow_imports=True) and not script.infer(line, col):
                        return True
                elif p["kind"] == "call" and self._call_unfit(script, code, line, col):
                    return True
            return False
        finally:
            for rel in texts:
                src = self.root / rel
                if src.is_file():
                    (self.copy / rel).write_bytes(src.read_bytes())
                elif (self.copy / rel).exists():
                    (self.copy / rel).unlink()

    @staticmethod
    def _call_unfit(script, code: str, line: int, col: int) -> bool:
        """The call whose callee name is at (line, col) passes too many arguments, or misses a
        required one, for the one signature jedi gives there (no `*`/`**` on either side)."""
        try:
            tree = ast.parse(code)
        except SyntaxError:
            return False
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            at = (f.end_lineno, f.end_col_offset - len(f.attr)) if isinstance(f, ast.Attribute) else \
                (f.lineno, f.col_offset) if isinstance(f, ast.Name) else None
            if at != (line, col):
                continue
            sigs = script.get_signatures(f.end_lineno, f.end_col_offset + 1)
            if len(sigs) != 1 or any(isinstance(a, ast.Starred) for a in node.args) or \
                    any(k.arg is None for k in node.keywords):
                return False
            params = sigs[0].params
            kinds = [p.kind.name for p in params]
            if "VAR_POSITIONAL" in kinds or "VAR_KEYWORD" in kinds:
                return False
            positional = [p for p in params if p.kind.name in ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD")]
            if len(node.args) > len(positional):
                return True
            given = {k.arg for k in node.keywords}
            return any("=" not in p.description and p.name not in given
                       for p in params[len(node.args):])
        return False


def _parses(source: str) -> bool:
    try:
        compile(source, "<edit>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def _defined(source: str) -> set[str]:
    """Every name a file defines at any depth: functions, classes, assigned names and attributes."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            out.add(node.attr)
        elif isinstance(node, ast.alias):
            out.add(node.asname or node.name.split(".")[-1])
    return out


class Definitions:
    """Which names some file of the project defines (ast), before and after an edit."""

    def __init__(self, root: Path):
        self.root = root
        self.by_file = {p.relative_to(root).as_posix(): _defined(p.read_text(encoding="utf-8", errors="replace"))
                        for p in root.rglob("*.py")}

    def defined_after(self, name: str, texts: dict[str, str | None]) -> bool:
        if any(name in _defined(t) for t in texts.values() if t is not None):
            return True
        return any(name in names for rel, names in self.by_file.items() if rel not in texts)


def name_gone(defs: Definitions, texts: dict[str, str | None], old: str, problem: dict) -> bool:
    """A use of `old` flagged after a rename, where no file of the project defines `old` any more
    (its receiver could only be something outside the project)."""
    return problem["kind"] in ("removed", "attribute", "name", "import") and f"`{old}`" in \
        problem["message"].replace(".", "`.`") and not defs.defined_after(old, texts)


def import_broken(root: Path, texts: dict[str, str | None], path: str, line: int) -> bool:
    """Whether the `from m import ...` at `line` of `path` imports a name `m` does not bind."""
    src = _text(root, texts, path)
    try:
        tree = ast.parse(src or "")
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not (node.lineno <= line <= (node.end_lineno or node.lineno)):
            continue
        module = node.module or ""
        if node.level:
            base = next((b for b in ("src/", "lib/") if path.startswith(b)), "")
            pkg = path[len(base):].split("/")[:-1]
            pkg = pkg[:len(pkg) - (node.level - 1)] if node.level > 1 else pkg
            module = ".".join(pkg + ([module] if module else []))
        found = _module_file(root, texts, module)
        if found is None:
            return False
        names = _bound(_text(root, texts, found[0]) or "")
        if names is None:
            return False
        for a in node.names:
            sub = _module_file(root, texts, f"{module}.{a.name}") if found[1] else None
            if a.name not in names and sub is None:
                return True
    return False


_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def drop_variant(edit: Edit, diffs: dict[str, list[str]], rng: random.Random
                 ) -> tuple[dict[str, list[str]], tuple[str, list[int]]] | None:
    others = [p for p in diffs if p not in edit.def_files]
    if not others:
        return None
    rel = rng.choice(sorted(others))
    head, hunks = hunks_of(diffs[rel])
    removing = [i for i, h in enumerate(hunks) if any(ln.startswith("-") for ln in h[1:])]
    if not removing:
        return None  # only additions (an import rope added): nothing to find at a line
    k = rng.choice(removing)
    # where the dropped hunk's old lines land in the file without it
    delta = 0
    for h in hunks[:k]:
        m = _HUNK.match(h[0])
        assert m
        delta += int(m.group(4) or 1) - int(m.group(2) or 1)
    m = _HUNK.match(hunks[k][0])
    assert m
    row = int(m.group(1)) + delta  # 1-based line of the hunk's first old line, after the others
    expected = []
    for ln in hunks[k][1:]:
        if ln.startswith("-"):
            expected.append(row)
        if ln.startswith((" ", "-")):
            row += 1
    kept = hunks[:k] + hunks[k + 1:]
    out = dict(diffs)
    if kept:
        out[rel] = head + [ln for h in kept for ln in h]
    else:
        del out[rel]
    return out, (rel, expected)


def typo_variant(edit: Edit, diffs: dict[str, list[str]], svc: MapService, rng: random.Random
                 ) -> tuple[dict[str, list[str]], tuple[str, list[int]]] | None:
    word = re.compile(rf"\b{re.escape(edit.name)}\b")
    typo = edit.name + edit.name[-1]
    if typo in svc.ws.names:
        return None
    spots = []
    for rel, lines in diffs.items():
        head, hunks = hunks_of(lines)
        for hi, h in enumerate(hunks):
            for li, ln in enumerate(h):
                if not ln.startswith("+") or not word.search(ln):
                    continue
                if re.match(rf"\+\s*(async\s+)?def\s+{re.escape(edit.name)}\b", ln) or \
                        re.match(r"\+\s*(#|\"|')", ln):
                    continue
                spots.append((rel, hi, li))
    if not spots:
        return None
    rel, hi, li = rng.choice(sorted(spots))
    head, hunks = hunks_of(diffs[rel])
    h = list(hunks[hi])
    m = list(word.finditer(h[li]))
    pick = rng.choice(m)
    h[li] = h[li][:pick.start()] + typo + h[li][pick.end():]
    # the line's number in the new file
    mm = _HUNK.match(h[0])
    assert mm
    row = int(mm.group(3))
    for ln in h[1:li]:
        if ln.startswith((" ", "+")):
            row += 1
    hunks[hi] = h
    out = dict(diffs)
    out[rel] = head + [ln for x in hunks for ln in x]
    return out, (rel, [row])


_ORACLES: dict[str, JediOracle] = {}


def oracle(name: str, root: Path) -> JediOracle:
    if name not in _ORACLES:
        _ORACLES[name] = JediOracle(root, name)
    return _ORACLES[name]


def run_project(name: str, root: Path, per_project: int, seed: int, tally: Tally) -> None:
    rng = random.Random(f"{seed}:{name}")
    t0 = time.perf_counter()
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    tally.index_s[name] = time.perf_counter() - t0
    tally.full_s[name] = full_check_seconds(svc)
    proj = rope_project(root)
    defs = Definitions(root)
    cands = candidates(svc, rng)
    quota = {k: max(1, round(v * per_project)) for k, v in QUOTA.items()}
    made = dict.fromkeys(quota, 0)
    kinds = list(quota)
    ci = 0
    attempts = 0
    while ci < len(cands) and any(made[k] < quota[k] for k in kinds) and attempts < per_project * 6:
        kind = next(k for k in rng.sample(kinds, len(kinds)) if made[k] < quota[k])
        path, sym = cands[ci]
        ci += 1
        attempts += 1
        try:
            edit = make_edit(kind, root, proj, svc, path, sym, rng)
        except Exception as e:  # rope refuses many refactors: not the check's business
            print(f"  rope {kind} {sym.id}: {type(e).__name__}: {str(e)[:80]}", file=sys.stderr)
            continue
        if edit is None or not edit.after or len(edit.after) > ROPE_TIMEOUT_FILES:
            continue
        multi = len(edit.after) > 1
        if kind != "add_default" and not multi:
            continue
        made[kind] += 1
        diffs = unified(root, edit.after)
        after, probs, ms = judge(root, svc, diffs)
        assert {k: v.decode() for k, v in after.items() if v is not None} == edit.after, "diff round trip"
        o = Outcome(name, kind, edit.symbol, "correct", None, probs, ms)
        texts: dict[str, str | None] = dict(edit.after)
        o.broken = any(not _parses(t) for t in texts.values() if t is not None) or any((p["kind"] == "import" and import_broken(root, texts, p["path"], p["line"]))
                       or (kind == "rename" and name_gone(defs, texts, edit.old, p)) for p in probs)
        tally.outcomes.append(o)
        if probs:
            what = "rope's edit is broken (the ast oracle agrees)" if o.broken else "FALSE ALARM"
            print(f"  {what}: {kind} {edit.symbol}: {probs[:3]}", file=sys.stderr)
        if probs and not o.broken:
            o.broken = oracle(name, root).confirms(texts, probs)
            if o.broken:
                print("    (jedi confirms: rope's edit is broken)", file=sys.stderr)
        if o.broken:
            continue  # not a correct edit to break further
        # a dropped call-site hunk of an added parameter *with a default* is still correct code
        drop = drop_variant(edit, diffs, rng) if kind != "add_default" else None
        for variant, got in (("drop", drop),
                             ("typo", typo_variant(edit, diffs, svc, rng))):
            if got is None:
                continue
            mdiffs, expected = got
            _, mprobs, mms = judge(root, svc, mdiffs)
            o = Outcome(name, kind, edit.symbol, variant, expected, mprobs, mms)
            o.caught = any(p["path"] == expected[0] and p["line"] in expected[1] for p in mprobs)
            o.elsewhere = bool(mprobs) and not o.caught
            tally.outcomes.append(o)
            if not o.caught:
                print(f"  missed {variant} {kind} {edit.symbol} at {expected}: {mprobs[:2]}", file=sys.stderr)
    print(f"{name}: {made} from {attempts} attempts", file=sys.stderr)


def report(tally: Tally, held: set[str]) -> str:
    rows = ["| project | set | correct edits | false alarms | rope's broken edits (caught) | injected | "
            "caught (file+line) | flagged elsewhere | check ms (median) | whole-workspace check ms | index s |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    projects = sorted({o.project for o in tally.outcomes}, key=lambda p: (p in held, p))
    for p in projects + ["all"]:
        os_ = [o for o in tally.outcomes if o.project == p or p == "all"]
        corr = [o for o in os_ if o.variant == "correct" and not o.broken]
        bad = [o for o in os_ if o.variant == "correct" and o.broken]
        inj = [o for o in os_ if o.variant != "correct"]
        fa = sum(1 for o in corr if o.problems)
        caught = sum(o.caught for o in inj)
        else_ = sum(o.elsewhere for o in inj)
        med = statistics.median([o.ms for o in os_]) if os_ else 0
        idx = f"{tally.index_s[p]:.1f}" if p in tally.index_s else ""
        full = f"{tally.full_s[p] * 1000:.0f}" if p in tally.full_s else ""
        where = "held out" if p in held else ("dev" if p != "all" else "")
        rows.append(f"| {p} | {where} | {len(corr)} | {fa} | {len(bad)} | {len(inj)} | {caught} | {else_} | "
                    f"{med:.0f} | {full} | {idx} |")
    rows.append("")
    rows.append("| kind | correct | false alarms | drop caught | typo caught |")
    rows.append("| --- | ---: | ---: | ---: | ---: |")
    for k in QUOTA:
        os_ = [o for o in tally.outcomes if o.kind == k]
        corr = [o for o in os_ if o.variant == "correct" and not o.broken]
        drop = [o for o in os_ if o.variant == "drop"]
        typo = [o for o in os_ if o.variant == "typo"]
        rows.append(f"| {k} | {len(corr)} | {sum(1 for o in corr if o.problems)} | "
                    f"{sum(o.caught for o in drop)}/{len(drop)} | {sum(o.caught for o in typo)}/{len(typo)} |")
    return "\n".join(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, help="development projects (corpus.sh DIR)")
    ap.add_argument("--held", type=Path, help="held-out projects, one folder each")
    ap.add_argument("--projects", nargs="*", help="only these projects")
    ap.add_argument("--per-project", type=int, default=40)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--kinds", nargs="*", choices=list(QUOTA), help="only these refactors")
    ap.add_argument("--out", type=Path, help="write every outcome as JSON lines here")
    ap.add_argument("--report", type=Path, nargs="*", help="only print the tables of saved outcomes "
                    "(JSON lines of --out; projects named in --held-names are held out)")
    ap.add_argument("--held-names", nargs="*", default=[])
    args = ap.parse_args()
    roots: dict[str, Path] = {}
    held: set[str] = set()
    if args.corpus:
        roots.update({p: args.corpus / p for p in DEV if (args.corpus / p).is_dir()})
    if args.held:
        for d in sorted(args.held.iterdir()):
            if d.is_dir() and any(d.rglob("*.py")):
                roots[d.name] = d
                held.add(d.name)
    if args.projects:
        roots = {k: v for k, v in roots.items() if k in args.projects}
    tally = Tally()
    if args.report:
        for f in args.report:
            for line in f.read_text().splitlines():
                d = json.loads(line)
                if d["kind"] == "add_default" and d["variant"] == "drop":
                    continue  # not a break (see above); runs before this rule recorded some
                d["expected"] = tuple(d["expected"]) if d["expected"] else None
                tally.outcomes.append(Outcome(**d))
        print(report(tally, set(args.held_names)))
        return 0
    if args.kinds:
        for k in list(QUOTA):
            if k not in args.kinds:
                del QUOTA[k]
    for name, root in roots.items():
        run_project(name, root, args.per_project, args.seed, tally)
    if args.out:
        with args.out.open("w") as f:
            for o in tally.outcomes:
                f.write(json.dumps(o.__dict__) + "\n")
    print(report(tally, held))
    return 0


if __name__ == "__main__":
    sys.exit(main())
