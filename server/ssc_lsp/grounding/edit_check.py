"""The edit check: the workspace as it would be after a set of edits, judged on the map.

Given the new text of some files (from a unified diff, a `WorkspaceEdit`, or an edit this server
proposes), the check builds an *overlay* of the map: a `Workspace` whose tables are shallow
copies of the live one, holding the live `FileMap`s of every untouched file (shared read-only:
nothing here finalizes or mutates them) and fresh maps of the edited ones. The live map is never
mutated. The overlay has a history of its own, which records exactly what the edits did
(removals, renames, signature changes): the map's continuity checks (map/checks.py) read it to
name the uses of removed and renamed symbols.

What is reported, only when it is *new* (the same file before the edits, checked the same way on
a base view with an empty history, did not have it):

- `syntax`: the file parsed before and does not after;
- `call`, `import`, `removed`: map/checks.py on the edited files and on every file whose
  references name something the edits removed, renamed or re-signed (files the edits did not
  touch included);
- `name`, `attribute`, `module`: the completion check (grounding/check.py) on the changed lines:
  names that resolve nowhere, members a closed type does not have, workspace modules that do not
  exist;
- `placeholder`: a lazy placeholder standing in for deleted code (`# ... existing code ...`), or a
  function whose body was code and is now `...`;
- `refused`: an edit outside the root, or to an ignored or secret-looking file (not checked).

Precision first, as everywhere: each check says nothing unless the map is sure.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import tree_sitter as ts

from ..map import checks
from ..map.changes import clock_time
from ..map.crawl import ALWAYS_SKIP_DIRS, looks_secret
from ..map.document import build_filemap
from ..map.filemap import FileMap, content_hash
from ..map.history import BODY_CHANGED, REMOVED, RENAMED, SIGNATURE_CHANGED, History
from ..map.languages import ParserCache, is_source, language_for_path
from ..map.languages.python import PYTHON
from ..map.positions import LineIndex, byte_of_text_offset
from ..map.records import CLASS, METHOD, MODULE, REF_ATTRIBUTE, REF_BASE, REF_NAME, Ref, Unit
from ..map.records import IMPORT as IMPORT_KIND
from ..map.resolve import LOCAL, External, Instance, Resolver, SuperOf, Value
from ..map.service import MapService
from ..map.source import inside
from ..map.workspace import Located, Workspace
from .check import ATTRIBUTE, MODULE_MISSING, NAME, _Run
from .diff import line_opcodes
from .inplace import Placed

Range = tuple[int, int, int, int]

# Problem kinds
SYNTAX = "syntax"
CALL = "call"
IMPORT = "import"
REMOVED_USE = "removed"
PLACEHOLDER = "placeholder"
REFUSED = "refused"
KINDS = (SYNTAX, NAME, ATTRIBUTE, MODULE_MISSING, IMPORT, CALL, REMOVED_USE, PLACEHOLDER, REFUSED)
_FROM_CHECKS = {checks.CALL_ARGUMENTS: CALL, checks.CALL_KEYWORD: CALL,
                checks.IMPORT_MISSING: IMPORT, checks.SYMBOL_REMOVED: REMOVED_USE}
_FROM_RUN = (NAME, ATTRIBUTE, MODULE_MISSING)  # the others are map/checks.py's, read whole-file

# Lazy placeholders: comments a model writes instead of code it means to keep. Each is reported
# only where the edit also deleted code next to it (a real comment saying "rest unchanged" above
# code that stays is not a deletion).
_WHAT = r"(?:code|file|function|method|class|module|body|implementation|logic|methods|functions|imports|lines|content)"
PLACEHOLDERS: dict[str, re.Pattern[str]] = {
    "dots and existing code": re.compile(
        r"#\s*(?:\.{3}|…)\s*(?:\(?\s*)(?:existing|previous|original|other|remaining|unchanged|"
        r"same|rest|more|omitted|keep)\b", re.I),
    "rest unchanged": re.compile(
        r"#\s*(?:\.{3}\s*)?(?:the\s+)?rest(?:\s+of\s+(?:the\s+)?" + _WHAT + r")?\s*(?:is\s+|remains\s+|stays\s+|"
        r"as\s+)?(?:unchanged|the\s+same|as\s+before|as\s+is|omitted|here)\b", re.I),
    "existing code here": re.compile(
        r"#\s*(?:\.{3}\s*)?(?:existing|previous|original|other|remaining|unchanged)\s+" + _WHAT +
        r"\s*(?:\.{3}|…|here|unchanged|remains?|stays?|as\s+before|omitted|goes\s+here|$)", re.I),
    "unchanged dots": re.compile(r"#\s*(?:\.{3}|…)\s*(?:unchanged|same\s+as\s+before|as\s+before)\b", re.I),
    "keep existing": re.compile(r"#\s*(?:keep|leave)\s+(?:the\s+)?(?:existing|rest|remaining)\b", re.I),
}


@dataclass(frozen=True)
class EditProblem:
    """One problem the edits introduce. `range` is (row, byte column) x 2, 0-based, in the file
    as it is after the edits (0, 0, 0, 0 for a refused file)."""

    path: str
    range: Range
    kind: str
    message: str
    symbol: str | None = None


@dataclass
class EditResult:
    problems: list[EditProblem] = field(default_factory=list)
    files: dict[str, bytes | None] = field(default_factory=dict)  # path -> text after (None: deleted)
    checked: list[str] = field(default_factory=list)  # files whose problems were compared
    ms: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


Reader = Callable[[str], bytes | None]

# -- paths ----------------------------------------------------------------------------------------


def refusal(svc: MapService, path: str) -> str | None:
    """Why an edit of `path` (relative to the root, or absolute) is refused, or None."""
    root = os.path.realpath(svc.root)
    full = os.path.realpath(path if os.path.isabs(path) else os.path.join(svc.root, path))
    if not inside(root, full):
        return f"`{path}` is outside the workspace folder"
    rel = os.path.relpath(full, root).replace(os.sep, "/")
    if looks_secret(rel):
        return f"`{rel}` looks like a secret file"
    parts = rel.split("/")
    if any(p in ALWAYS_SKIP_DIRS for p in parts[:-1]):
        return f"`{rel}` is in a folder the map never reads"
    if svc.rules.ignores(rel):
        return f"`{rel}` is ignored (.gitignore, .sscignore or map.exclude)"
    return None


# -- the overlay ----------------------------------------------------------------------------------


def overlay(live: Workspace, history: History) -> Workspace:
    """A workspace sharing the live one's file maps, with tables of its own (see `replace`)."""
    ws = Workspace(live.roots, history)
    with live.lock:
        ws.files = dict(live.files)
        ws.modules = dict(live.modules)
        ws.package_dirs = set(live.package_dirs)
        ws.names = dict(live.names)  # sets shared until `replace` copies the ones it changes
        ws.generation = live.generation
    return ws


def replace(ws: Workspace, path: str, fm: FileMap | None, record: bool = True) -> None:
    """Put (or with None remove) one file's map in an overlay, copying the name-index sets the
    change touches first, so the live workspace's sets are never written."""
    old = ws.files.get(path)
    touched = {s.name for s in old.symbols} if old is not None else set()
    if fm is not None:
        touched |= {s.name for s in fm.symbols}
    for n in touched:
        if n in ws.names:
            ws.names[n] = set(ws.names[n])
    if fm is None:
        ws.remove(path)
        return
    ws.put(fm, record=record)


class _View:
    """What grounding/check.py's run needs of a MapService, answered from the overlay."""

    def __init__(self, svc: MapService, ws: Workspace, texts: dict[str, bytes | None]):
        self.svc = svc
        self.ws = ws
        self.root = svc.root
        self.texts = texts

    def abspath(self, rel: str) -> str:
        return self.svc.abspath(rel)

    def text_of(self, rel: str) -> str | None:
        if rel in self.texts:
            data = self.texts[rel]
            return data.decode("utf-8", "replace") if data is not None else None
        return self.svc.text_of(rel)


@dataclass
class _Regions(Placed):
    """A whole edited file for the completion check: references are read only inside the
    changed byte ranges (`start`/`end` span the file, so issue offsets are file offsets)."""

    regions: list[tuple[int, int]] = field(default_factory=list)

    def in_suggestion(self, unit, ref) -> bool:
        start, end = self.ref_span(unit, ref)
        return any(start < hi and end > lo for lo, hi in self.regions)


@dataclass
class _Side:
    """One file before or after the edits."""

    path: str
    data: bytes
    tree: ts.Tree
    fm: FileMap
    index: LineIndex


# -- the check ------------------------------------------------------------------------------------


class EditCheck:
    """Judges edits against one workspace folder's map (the live map as it is: *before* them)."""

    def __init__(self, svc: MapService, before: Reader | None = None):
        self.svc = svc
        self.read_before = before or self.svc.text_now
        self.parsers = ParserCache()

    def check(self, after: dict[str, bytes | None]) -> EditResult:
        """`after`: the new text of every file the edits touch (None: the file is deleted)."""
        t0 = time.perf_counter()
        result = EditResult(files=dict(after))
        todo: dict[str, bytes | None] = {}
        for path, data in after.items():
            why = refusal(self.svc, path)
            if why is not None:
                result.problems.append(EditProblem(path, (0, 0, 0, 0), REFUSED, f"refused: {why}"))
            elif is_source(path):
                todo[path] = data
        if todo:
            result.problems.extend(self._judge(todo, result))
        result.problems.sort(key=lambda p: (p.path, p.range, p.kind))
        result.ms = (time.perf_counter() - t0) * 1000
        return result

    # -- building the two views -------------------------------------------------------------
    def _side(self, ws: Workspace, path: str, data: bytes, held: FileMap | None = None) -> _Side:
        """A file's text, tree and map (the live map when it holds this very text)."""
        lang = language_for_path(path)
        assert lang is not None  # check() judges sources only
        tree = self.parsers.get(lang).parse(data)
        fm = held if held is not None and held.hash == content_hash(data) else \
            build_filemap(lang, path, ws.module_name(path), data, tree)
        return _Side(path, data, tree, fm, LineIndex(data))

    def _judge(self, todo: dict[str, bytes | None], result: EditResult) -> list[EditProblem]:
        live = self.svc.ws
        now = live.history.clock()
        base = overlay(live, History(clock=lambda: now))
        new = overlay(live, History(clock=lambda: now))  # one time: every event is the edit's
        befores: dict[str, _Side] = {}
        for path in todo:
            data = self.read_before(path)
            if data is None:
                continue
            held = live.files.get(path)
            side = self._side(base, path, data, held)
            befores[path] = side
            if side.fm is not held:  # the map lags the text
                replace(base, path, side.fm, record=False)
                replace(new, path, side.fm, record=False)
        for path, data in todo.items():
            if data is not None:
                new.note_package(path)
        afters: dict[str, _Side] = {}
        ops: dict[str, list] = {}  # path -> line opcodes, old -> new
        broken: list[EditProblem] = []
        for path, data in todo.items():
            if data is None:
                if path in new.files:
                    replace(new, path, None)
                continue
            side = self._side(new, path, data)
            ops[path] = _line_ops(befores[path].data if path in befores else b"", data)
            syntax = _syntax(side, befores.get(path), ops[path])
            if syntax:
                # a file that stopped parsing: its map would be the parser's recovery, and every
                # "removed" symbol in it a false lead for its dependents; the error is the news
                broken.extend(syntax)
                continue
            afters[path] = side
            replace(new, path, side.fm)

        for path, side in afters.items():
            if path in base.files and base.modules.get(side.fm.module) != path:
                # `pkg/__init__.py` beside `pkg/__init__.pyi`: the overlay now maps `pkg` to the
                # edited file; the base view must too, or every use of `pkg` would resolve
                # differently for a reason the edits do not give
                base.modules[side.fm.module] = path
        out: list[EditProblem] = list(broken)
        texts = {p: d for p, d in todo.items()}
        r_base, r_new = Resolver(base), Resolver(new)
        issues: list[tuple[_Side, object]] = []
        was: Counter = Counter()  # what the completion check found in the lines taken away
        taken: dict[str, list[tuple[int, int]]] = {}  # path -> byte ranges taken away
        for path, side in afters.items():
            old = befores.get(path)
            out.extend(_placeholders(side, old, ops[path]))
            old_regions, new_regions = _changed_regions(old.data if old else b"", side.data, ops[path])
            issues.extend((side, i) for i in self._run(new, texts, side, new_regions))
            if old is not None and old_regions:
                was.update((i.kind, i.name) for i in self._run(base, {}, old, old_regions))
                taken[path] = old_regions
        for path, data in todo.items():
            if data is None and path in befores:
                taken[path] = [(0, len(befores[path].data))]
                was.update((i.kind, i.name) for i in self._run(base, {}, befores[path], taken[path]))
        blind = _unresolved_before(r_base, befores, taken) if issues else set()
        out.extend(_located(side, issue) for side, issue in _unmatched(issues, was)
                   if (issue.receiver, issue.name.rpartition(".")[2]) not in blind  # type: ignore[attr-defined]
                   and not _submodule(r_new, side.fm, issue))
        touched = sorted(afters)
        changed = _changed_names(new, befores, todo)
        dependents = checks.dependents_of(new, changed)
        to_compare = touched + [p for p in dependents if p not in afters]
        result.checked = to_compare
        found: list[tuple[str, checks.Problem]] = []
        undo = _undo_renames(new)
        pool: Counter = Counter()  # problems of the edited files the edits took away
        for path in to_compare:
            after_fm = new.files.get(path)
            if after_fm is None:
                continue
            before_fm = base.files.get(path)
            if before_fm is not None:
                rows = _row_map(ops[path]) if path in afters else None
                out.extend(_lost(new, r_base, r_new, before_fm, after_fm, rows, changed, now,
                                 lambda fm, ref, unit: self._open(new, r_new, texts, afters, fm, ref, unit)))
            if path in afters and path in befores:
                out.extend(_misspelt(new, r_base, r_new, befores[path], afters[path], ops[path]))
            # an untouched file: its units that use a changed name; an edited one: those and the
            # units the edits touched
            regions = _changed_regions(befores[path].data if path in befores else b"",
                                       afters[path].data, ops[path]) if path in afters else ([], [])
            after_p = _check(new, r_new, after_fm, changed, regions[1])
            before_p = _check(base, r_base, before_fm, changed, regions[0]) if before_fm is not None else []
            after_side = afters.get(path)
            before_side = befores.get(path)
            fresh, gone = _new_problems(before_p, after_p, _line_text(self, before_side, path),
                                        _line_text(self, after_side, path), undo)
            found.extend((path, p) for p in fresh)
            if path in afters:
                pool.update(gone)
        for path, data in todo.items():
            if data is None and path in befores:  # a deleted file's problems went with it
                pool.update((p.code, p.message) for p in checks.check_file(base, r_base, befores[path].fm))
        for path, p in found:  # code moved between files keeps the problems it had
            if pool[(p.code, undo(p.message))] > 0:
                pool[(p.code, undo(p.message))] -= 1
                continue
            out.append(EditProblem(path, p.range, _FROM_CHECKS.get(p.code, CALL),
                                   _in_words(p.message, now), p.symbol))
        return _dedupe(out)

    # -- what the map cannot see ------------------------------------------------------------
    def _open(self, ws: Workspace, r: Resolver, texts: dict[str, bytes | None], afters: dict[str, _Side],
              fm: FileMap, ref: Ref, unit: Unit) -> bool:
        """Whether something the map cannot see could still provide `ref`'s name in `fm` after
        the edits. Python: `_open_python`. The other languages: their completion-check rules
        (grounding/rules/), asked as the check asks of a suggestion: the environment's names, a
        member of a value the map does not see whole (a Go type declared per platform, a Java
        type with supertypes outside, a Rust value whose traits may have it, a JavaScript object)."""
        if fm.language is PYTHON:
            return _open_python(r, fm, ref)
        side = afters.get(fm.path)
        if side is None or side.fm is not fm:
            data = self.svc.text_now(fm.path)
            if data is None:
                return True
            side = self._side(ws, fm.path, data, fm)
        placed = _Regions(side.data, 0, len(side.data), side.tree, side.index, fm, [unit], regions=[])
        run = _Run(_View(self.svc, ws, texts), placed, None)  # type: ignore[arg-type]
        rules = run.rules
        try:
            if ref.receiver is None:
                return (rules.star_imports_bind_names and any(
                    not isinstance(run.r.module_target(fm, m), Located) for m in fm.star_imports())) or \
                    rules.implicit(ref.name, fm) or rules.environment(run, ref.name)
            value = run.r.value_of_expr(fm, ref.scope, ref.receiver)
            if value is LOCAL:
                value = _receiver_value(run.r, fm, ref, unit)
            if value is None or value is LOCAL or isinstance(value, External) or rules.unknown_member(ref.name):
                return True
            if rules.lookup_member(run, unit, ref, value) is not None:
                return True  # UNKNOWN, or found after all
            return not rules.closed(run, value) or rules.may_have(run, value, ref) or \
                run._in_subclass(value, ref.receiver, ref.name)
        except RecursionError:
            return True

    # -- names, attributes, modules on the changed lines ------------------------------------
    def _run(self, ws: Workspace, texts: dict[str, bytes | None], side: _Side,
             regions: list[tuple[int, int]]) -> list:
        if not regions:
            return []
        fresh = [u for u in side.fm.units if any(u.start_byte < hi and u.end_byte > lo for lo, hi in regions)]
        placed = _Regions(side.data, 0, len(side.data), side.tree, side.index, side.fm, fresh,
                          regions=regions)
        try:
            verdict = _Run(_View(self.svc, ws, texts), placed, None).run()  # type: ignore[arg-type]
        except RecursionError:
            return []
        return [i for i in verdict.issues if i.kind in _FROM_RUN]


# -- helpers --------------------------------------------------------------------------------------


def _changed_names(ws: Workspace, befores: dict[str, _Side], todo: dict[str, bytes | None]) -> set[str]:
    """Names whose meaning the edits changed, from the overlay's own history: files naming one
    of them are compared too."""
    names: set[str] = set()
    for ev in ws.history.log:
        if ev.kind not in (REMOVED, RENAMED, SIGNATURE_CHANGED, BODY_CHANGED):
            continue
        loc = ws.get(ev.symbol)
        if ev.kind == BODY_CHANGED and (loc is None or loc.symbol.kind != CLASS):
            continue  # a class body holds its bases
        names.add(ev.name)
        if ev.kind == RENAMED and ev.detail.get("old_name"):
            names.add(ev.detail["old_name"])
        if ev.name in ("__init__", "__new__") and loc is not None and loc.symbol.kind == METHOD:
            names.add((loc.symbol.parent or "").rpartition(".")[2])  # `C(...)` calls it
        if ev.name in ("__init__", "__new__") and ev.kind == REMOVED:
            qual = ev.symbol.split("::", 1)[-1]
            names.add(qual.rpartition(".")[0].rpartition(".")[2])
    for path, data in todo.items():
        side = befores.get(path)
        if data is None and side is not None:  # a deleted module: its imports name it
            names.update(side.fm.module.split("."))
    names.discard("")
    return names


def _unresolved_before(r: Resolver, befores: dict[str, _Side],
                       taken: dict[str, list[tuple[int, int]]]) -> set[tuple[str | None, str]]:
    """(receiver, name) of the uses in the lines taken away that the map could not resolve
    before the edits either: moved code keeps the map's blind spots (a proxy annotated as the
    class it stands for), which are not the edit's doing."""
    out: set[tuple[str | None, str]] = set()
    for path, regions in taken.items():
        fm = befores[path].fm
        for ref, unit in fm.iter_refs():
            if ref.kind not in _REFERS:
                continue
            at = unit.start_byte + ref.byte
            if any(lo <= at < hi for lo, hi in regions) and r.resolve_ref(fm, ref, unit) is None:
                out.add((ref.receiver, ref.name))
    return out


def _submodule(r: Resolver, fm: FileMap, issue) -> bool:
    """`pkg.sub` where `pkg/sub.py` is a workspace module: an import anywhere makes it an
    attribute of the package (and a package whose map is its `__init__.pyi` hides it)."""
    if issue.kind != ATTRIBUTE or not issue.receiver:
        return False
    value = r.value_of_expr(fm, issue.scope, issue.receiver)
    return isinstance(value, Located) and value.symbol.kind == MODULE and \
        r.ws.file_of_module(f"{value.file.module}.{issue.name.rpartition('.')[2]}") is not None


def _unmatched(issues: list[tuple[_Side, object]], was: Counter) -> list[tuple[_Side, object]]:
    """The completion check's issues on the new lines that the lines taken away (in any file:
    code moves) did not have already."""
    out = []
    for side, issue in issues:
        key = (issue.kind, issue.name)  # type: ignore[attr-defined]
        if was[key] > 0:
            was[key] -= 1
        else:
            out.append((side, issue))
    return out


def _located(side: _Side, issue) -> EditProblem:
    text = side.data.decode("utf-8", "replace")
    start = side.index.point_of_byte(byte_of_text_offset(text, issue.start))
    end = side.index.point_of_byte(byte_of_text_offset(text, issue.end))
    return EditProblem(side.path, (*start, *end), issue.kind, issue.message, issue.symbol)


def _check(ws: Workspace, r: Resolver, fm: FileMap, names: set[str],
           regions: list[tuple[int, int]]) -> list[checks.Problem]:
    """map/checks.py on the units of a file that use one of `names` or overlap `regions` (the
    others resolve as they did: nothing they use changed): removed symbols and imports one
    reference at a time; calls by the file's language: Python's per reference, another
    language's by its own checks (`Language.check`: Java's overloads, Go's and Rust's arity by
    their rules, never Python's), run on the file and kept where those units are."""
    units = [u for u in fm.units if not names.isdisjoint(u.ref_names())
             or any(u.start_byte < hi and u.end_byte > lo for lo, hi in regions)]
    if not units:
        return []
    python = fm.language is PYTHON
    out = []
    for unit in units:
        for ref in unit.refs:
            try:
                p = checks._check_ref(ws, r, fm, unit, ref)
            except RecursionError:
                p = None
            if p is not None and (python or p.code not in _CALLS):
                out.append(p)
    if not python:
        rows = [(u.start_row, u.end_row) for u in units]
        out.extend(p for p in checks.check_file(ws, r, fm)
                   if p.code in _CALLS and any(a <= p.range[0] <= b for a, b in rows))
    return out


_CALLS = (checks.CALL_ARGUMENTS, checks.CALL_KEYWORD)


_REFERS = (REF_NAME, REF_ATTRIBUTE, REF_BASE)


def _lost(ws: Workspace, r_base: Resolver, r_new: Resolver, before: FileMap, after: FileMap,
          rows: dict[int, int] | None, names: set[str], now: float,
          is_open: Callable[[FileMap, Ref, Unit], bool]) -> list[EditProblem]:
    """Uses of a changed name that resolved to a workspace symbol before the edits and resolve
    to nothing after them (`self.m()` where a base class's `m` was renamed, `mod.f` after `f`
    moved). The same use is found on both sides by its position, through the unchanged lines
    (`rows`: old row -> new row; None when the file is not edited)."""
    was: dict[tuple[int, int, str], tuple] = {}
    for ref, unit in before.iter_refs():
        if ref.name in names and ref.kind in _REFERS:
            row = ref.row + unit.start_row
            row = rows.get(row) if rows is not None else row
            if row is not None:
                was[(row, ref.col, ref.name)] = (ref, unit)
    out: list[EditProblem] = []
    for ref, unit in after.iter_refs():
        if ref.name not in names or ref.kind not in _REFERS:
            continue
        row = ref.row + unit.start_row
        hit = was.get((row, ref.col, ref.name))
        if hit is None:
            continue
        target = r_base.resolve_ref(before, hit[0], hit[1])
        if not isinstance(target, Located):
            continue
        now_at = r_new.resolve_ref(after, ref, unit)
        if now_at is None:
            if is_open(after, ref, unit):
                continue
            message = _fate(ws, ref, target.symbol.id, now)
        elif _twin(ws, target, now_at):
            message = _fate(ws, ref, target.symbol.id, now) + \
                f"; what is left is the other definition in {now_at.file.path}"  # type: ignore[union-attr]
        else:
            continue
        out.append(EditProblem(after.path, (row, ref.col, row, ref.end_col), REMOVED_USE,
                               message, target.symbol.id))
    return out


def _receiver_value(r: Resolver, fm: FileMap, ref: Ref, unit: Unit) -> Value | None:
    """The value of a member's receiver that is a plain local name, read through the receiver's
    own reference (a language whose locals depend on the use's place, JavaScript's block-scoped
    `const` in a callback, resolves them only there)."""
    name = ref.receiver or ""
    if not name.isidentifier():
        return None
    own = next((o for o in unit.refs if o.kind == REF_NAME and o.name == name and o.row == ref.row
                and o.end_col == ref.col - 1), None)
    found = r.resolve_ref(fm, own, unit) if own is not None else None
    return r.value_of_symbol(found) if isinstance(found, Located) else None


def _twin(ws: Workspace, was: Located, now: object) -> bool:
    """A use that went from a definition the edits renamed or removed to another definition of
    the same name in the same module and another file (a Go function declared per platform,
    beside its `_windows.go` twin; a module's `.pyi` beside its `.py`): on the target the build
    sees, the use names nothing any more. One file's overloads (Java's) are not twins: a call
    may well land on another of them."""
    if not isinstance(now, Located) or now.file.path == was.file.path or \
            now.symbol.qualname != was.symbol.qualname or now.file.module != was.file.module:
        return False
    return any(ev.kind in (RENAMED, REMOVED) and (ev.symbol == was.symbol.id or ev.detail.get("old_id") == was.symbol.id)
               for ev in ws.history.log)


def _misspelt(ws: Workspace, r_base: Resolver, r_new: Resolver, before: _Side, after: _Side,
              ops: list[tuple[str, int, int, int, int]]) -> list[EditProblem]:
    """A changed line whose use of a symbol the edits renamed now names nothing, under a name
    close to the new one (`QueryStatusRenamedd` for `QueryStatusRenamed`): the lines a diff
    replaces are paired in order, the uses by column. Type positions and members the completion
    check leaves undecided are decided here: the same place named a workspace symbol before."""
    renamed = {ev.detail["old_id"]: ev.name for ev in ws.history.log
               if ev.kind == RENAMED and ev.detail.get("old_id")}
    if not renamed:
        return []
    pairs: dict[int, int] = {}  # new row -> old row, lines replaced one for one
    for tag, i1, i2, j1, j2 in ops:
        if tag == "replace" and i2 - i1 == j2 - j1:
            pairs.update((j1 + k, i1 + k) for k in range(j2 - j1))
    if not pairs:
        return []
    was: dict[tuple[int, int], tuple] = {}
    for ref, unit in before.fm.iter_refs():
        row = ref.row + unit.start_row
        if row in pairs.values() and ref.kind in _REFERS:
            was[(row, ref.col)] = (ref, unit)
    out: list[EditProblem] = []
    for ref, unit in after.fm.iter_refs():
        row = ref.row + unit.start_row
        hit = was.get((pairs.get(row, -1), ref.col))
        if hit is None or ref.kind not in _REFERS or hit[0].name == ref.name:
            continue
        target = r_base.resolve_ref(before.fm, hit[0], hit[1])
        if not isinstance(target, Located) or target.symbol.id not in renamed:
            continue
        meant = renamed[target.symbol.id]
        if ref.name == meant or ref.name in ws.names or not _close(ref.name, meant) or \
                r_new.resolve_ref(after.fm, ref, unit) is not None:
            continue
        out.append(EditProblem(after.path, (row, ref.col, row, ref.end_col), REMOVED_USE,
                               f"`{ref.name}` names nothing: the edit renamed `{hit[0].name}` to "
                               f"`{meant}` (a misspelling?)", target.symbol.id))
    return out


def _close(a: str, b: str) -> bool:
    """Whether `a` is `b` with at most two letters added, dropped or changed (Levenshtein)."""
    if abs(len(a) - len(b)) > 2:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] <= 2


def _open_python(r: Resolver, fm: FileMap, ref) -> bool:
    """Whether something the map cannot see could still provide the name (a module's
    `__getattr__`, a class's `__getattr__`, a star import from outside the workspace)."""
    if ref.receiver is None:
        return any(not isinstance(r.module_target(fm, m), Located) for m in fm.star_imports())
    value = r.value_of_expr(fm, ref.scope, ref.receiver)
    if isinstance(value, Located) and value.symbol.kind == MODULE:
        return not checks._closed_namespace(r, value.file)
    cls = value.cls if isinstance(value, Instance | SuperOf) else value
    if not isinstance(cls, Located) or cls.symbol.kind != CLASS:
        return True
    todo, seen = [cls], set()
    while todo:  # a base outside the workspace (or one the map cannot see) may have it
        c = todo.pop()
        if c.symbol.id in seen:
            continue
        seen.add(c.symbol.id)
        bases = r.bases(c)
        if len(bases) != len(c.symbol.bases) or not all(isinstance(b, Located) for b in bases):
            return True
        todo.extend(b for b in bases if isinstance(b, Located))
    return r.class_member(cls, "__getattr__") is not None or \
        r.class_member(cls, "__getattribute__") is not None


def _fate(ws: Workspace, ref, old_id: str, now: float) -> str:
    shown = f"{ref.receiver}.{ref.name}" if ref.receiver else ref.name
    for ev in ws.history.log:
        if ev.kind == RENAMED and ev.detail.get("old_id") == old_id:
            return f"`{shown}`: `{ref.name}` was renamed to `{ev.name}` by the edit"
        if ev.kind == REMOVED and ev.symbol == old_id:
            return f"`{shown}`: `{ref.name}` was removed by the edit"
    return f"`{shown}` no longer resolves after the edit (it was `{old_id}`)"


def _line_ops(old: bytes, new: bytes) -> list[tuple[str, int, int, int, int]]:
    """The line opcodes (lines split at `\\n`) turning `old` into `new`."""
    return line_opcodes(old.split(b"\n"), new.split(b"\n"))


def _row_map(ops: list[tuple[str, int, int, int, int]]) -> dict[int, int]:
    """Old row -> new row, for the lines the edit left as they were."""
    out: dict[int, int] = {}
    for tag, i1, i2, j1, _j2 in ops:
        if tag == "equal":
            out.update((i1 + k, j1 + k) for k in range(i2 - i1))
    return out


def _in_words(message: str, now: float) -> str:
    """The continuity checks date what the history knows ("since its change at 14:02"); here
    every event is the edit's own."""
    at = clock_time(now, now)
    return message.replace(f" since its change at {at}", " after the edit").replace(
        f" at {at}", " by the edit")


def _line_text(check: EditCheck, side: _Side | None, path: str) -> Callable[[int], bytes]:
    """Row -> the stripped text of that line (to match problems across an edit)."""
    data = side.data if side is not None else check.read_before(path) or b""
    lines = data.split(b"\n")
    return lambda row: lines[row].strip() if 0 <= row < len(lines) else b""


def _renamed_definition(ws: Workspace, symbol_id: str) -> bool:
    """A function, class or variable the edits renamed; not an import (the history pairs any
    import taken away with one added in the same file as a rename: `import x` -> `import attr`)."""
    loc = ws.get(symbol_id)
    return loc is not None and loc.symbol.kind != IMPORT_KIND


def _undo_renames(ws: Workspace) -> Callable[[str], str]:
    """Text with the names the edits gave back to the ones they replaced: a problem that was
    there before a rename (`helper()` is missing an argument) is the same problem after it
    (`twice()` is missing an argument), on a line that differs only by the name."""
    back = {ev.name: ev.detail["old_name"] for ev in ws.history.log
            if ev.kind == RENAMED and ev.detail.get("old_name") and _renamed_definition(ws, ev.symbol)}
    if not back:
        return lambda text: text
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(back, key=len, reverse=True))) + r")\b")
    return lambda text: pattern.sub(lambda m: back[m.group(0)], text)


def _new_problems(before: list[checks.Problem], after: list[checks.Problem],
                  before_line: Callable[[int], bytes], after_line: Callable[[int], bytes],
                  undo: Callable[[str], str] = lambda t: t) -> tuple[list[checks.Problem], Counter]:
    """The problems of `after` that `before` did not have: matched on (code, message, line text),
    then on (code, message) alone (a line the edits re-indented or moved), the names a rename
    changed taken back (`undo`); and the (code, message) of the problems of `before` left
    unmatched (gone, or moved to another file)."""
    exact = Counter((p.code, p.message, before_line(p.range[0])) for p in before)
    loose = Counter((p.code, p.message) for p in before)
    rest = []
    for p in after:
        msg = undo(p.message)
        k = (p.code, msg, undo(after_line(p.range[0]).decode("utf-8", "replace")).encode("utf-8"))
        if exact[k] > 0:
            exact[k] -= 1
            loose[(p.code, msg)] -= 1
        else:
            rest.append(p)
    out = []
    for p in rest:
        k2 = (p.code, undo(p.message))
        if loose[k2] > 0:
            loose[k2] -= 1
        else:
            out.append(p)
    return out, +loose


def _dedupe(problems: list[EditProblem]) -> list[EditProblem]:
    """One problem per place: the map's continuity check (with what the history knows) wins
    over the completion check's plain "not defined"."""
    seen: set[tuple[str, int, int]] = set()
    out = []
    order = {k: i for i, k in enumerate((REMOVED_USE, IMPORT, CALL, SYNTAX, PLACEHOLDER))}
    for p in sorted(problems, key=lambda p: order.get(p.kind, 99)):
        key = (p.path, p.range[0], p.range[1])
        if key in seen:
            continue
        seen.add(key)
        out.append(p)
    return out


def _changed_regions(old: bytes, new: bytes, ops: list[tuple[str, int, int, int, int]]
                     ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Byte ranges of the lines that differ, on each side (line granularity, as a diff sees it)."""
    sa, sb = _starts(old.split(b"\n")), _starts(new.split(b"\n"))
    olds, news = [], []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        if i2 > i1:
            olds.append((sa[i1], sa[i2]))
        if j2 > j1:
            news.append((sb[j1], sb[j2]))
    return olds, news


def _starts(lines: list[bytes]) -> list[int]:
    out = [0]
    for ln in lines:
        out.append(out[-1] + len(ln) + 1)
    return out


def _errors(root: ts.Node, limit: int = 50) -> list[ts.Node]:
    """ERROR and MISSING nodes, in order (the innermost of nested ones), at most `limit`."""
    out: list[ts.Node] = []
    todo = [root]
    while todo and len(out) < limit:
        node = todo.pop()
        if not node.has_error and not node.is_missing:
            continue
        inner = [c for c in node.children if c.has_error or c.is_missing]
        if (node.type == "ERROR" or node.is_missing) and not inner:
            out.append(node)
        todo.extend(reversed(inner))
    return out or [root]


def _syntax(after: _Side, before: _Side | None, ops: list[tuple[str, int, int, int, int]]
            ) -> list[EditProblem]:
    root = after.tree.root_node
    if before is not None and before.tree.root_node.has_error:
        return []
    if not root.has_error:
        return _compile_error(after, before)
    changed = [(j1, j2) for tag, _i1, _i2, j1, j2 in ops if tag != "equal" and j2 > j1]
    errors = _errors(root)
    # the parser's recovery may start far from the cause: the first error on a changed line
    node = next((e for e in errors if any(j1 <= e.start_point[0] < j2 for j1, j2 in changed)), errors[0])
    what = f"missing `{node.type}`" if node.is_missing else "invalid syntax"
    r = (*node.start_point, *node.start_point)
    return [EditProblem(after.path, r, SYNTAX, f"syntax error: {what} (the file parsed before the edit)")]


def _compile_error(after: _Side, before: _Side | None) -> list[EditProblem]:
    """What tree-sitter parses and Python refuses (`def f(a=1, b)`, a repeated parameter),
    reported only when the file compiled before: the Python running here may be older than the
    one the project targets, and then both fail alike."""
    try:
        compile(after.data, after.path, "exec", dont_inherit=True)
        return []
    except (SyntaxError, ValueError) as e:
        error = e
    if before is not None:
        try:
            compile(before.data, before.path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return []
    row = max((getattr(error, "lineno", None) or 1) - 1, 0)
    msg = getattr(error, "msg", None) or str(error)
    return [EditProblem(after.path, (row, 0, row, 0), SYNTAX,
                        f"syntax error: {msg} (the file compiled before the edit)")]


def _placeholders(after: _Side, before: _Side | None, ops: list[tuple[str, int, int, int, int]]
                  ) -> list[EditProblem]:
    """Lazy placeholders where the edit deleted code, and bodies replaced by `...`."""
    old = before.data if before is not None else b""
    out: list[EditProblem] = []
    a, b = old.split(b"\n"), after.data.split(b"\n")
    for k, (tag, _i1, _i2, j1, j2) in enumerate(ops):
        if tag not in ("replace", "insert"):
            continue
        near = [o for o in ops[max(k - 1, 0):k + 2] if o[0] in ("replace", "delete")]
        deleted = any(ln.strip() and not ln.strip().startswith(b"#")
                      for o in near for ln in a[o[1]:o[2]])
        if not deleted:
            continue
        for row in range(j1, j2):
            line = b[row].decode("utf-8", "replace")
            for label, pat in PLACEHOLDERS.items():
                m = pat.search(line)
                if m is not None:
                    col = len(line[:m.start()].encode("utf-8"))
                    out.append(EditProblem(after.path, (row, col, row, len(b[row])), PLACEHOLDER,
                                           f"lazy placeholder ({label}): `{line.strip()}` stands "
                                           "for code the edit deletes"))
                    break
    if before is not None:
        was = {q: trivial for q, trivial, _ in _bodies(before.tree.root_node)}
        for q, trivial, node in _bodies(after.tree.root_node):
            if trivial == "ellipsis" and was.get(q) == "code":
                r = (*node.start_point, *node.start_point)
                out.append(EditProblem(after.path, r, PLACEHOLDER,
                                       f"the body of `{q}` was code and is now `...`"))
    return out


def _bodies(root: ts.Node) -> list[tuple[str, str, ts.Node]]:
    """(qualname, "ellipsis" | "empty" | "code", the body's node) of every function."""
    out = []
    todo: list[tuple[ts.Node, str]] = [(root, "")]
    while todo:
        node, prefix = todo.pop()
        for child in node.children:
            t = child.type
            if t == "decorated_definition":
                todo.append((child, prefix))
                continue
            if t in ("function_definition", "class_definition"):
                name = child.child_by_field_name("name")
                q = f"{prefix}{name.text.decode('utf-8', 'replace')}" if name is not None else prefix
                body = child.child_by_field_name("body")
                if body is None:
                    continue
                if t == "function_definition":
                    out.append((q, _body_kind(body), body))
                todo.append((body, q + "."))
            elif t in ("block", "if_statement", "try_statement", "else_clause", "elif_clause",
                       "except_clause", "finally_clause", "with_statement"):
                todo.append((child, prefix))
    return out


def _body_kind(block: ts.Node) -> str:
    stmts = [c for c in block.children if c.type != "comment"]
    if stmts and stmts[0].type == "expression_statement" and stmts[0].child_count == 1 and \
            stmts[0].children[0].type == "string":
        stmts = stmts[1:]  # the docstring
    if not stmts:
        return "empty"
    if len(stmts) == 1 and stmts[0].type == "expression_statement" and stmts[0].child_count == 1 \
            and stmts[0].children[0].type == "ellipsis":
        return "ellipsis"
    if all(s.type == "pass_statement" for s in stmts):
        return "empty"
    return "code"


def apply_map_edits(data: bytes, edits: list[tuple[Range, str]]) -> bytes:
    """`data` with the map's edits (row, byte column ranges of the original text) applied."""
    index = LineIndex(data)
    for r, text in sorted(set(edits), key=lambda e: e[0], reverse=True):  # back to front
        start, end = index.byte_of_point(r[0], r[1]), index.byte_of_point(r[2], r[3])
        data = data[:start] + text.encode("utf-8") + data[end:]
    return data


def describe(problems: list[EditProblem], limit: int = 3) -> str:
    """The first problems in one line each (`path:line: message`), for a refusal."""
    shown = [f"{p.path}:{p.range[0] + 1}: {p.message}" for p in problems[:limit]]
    more = len(problems) - limit
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def to_json(p: EditProblem, after: bytes | None) -> dict:
    """A problem as `ssc-lsp check --json` prints it: 1-based line, 1-based code point column
    in the file after the edits."""
    line, column = 1, 1
    if after is not None and p.kind != REFUSED:
        index = LineIndex(after)
        line, column = index.jedi_of_byte(index.byte_of_point(p.range[0], p.range[1]))
        column += 1
    return {"path": p.path, "line": line, "column": column, "kind": p.kind, "message": p.message,
            "symbol": p.symbol}


def check_texts(svc: MapService, after: dict[str, bytes | None], before: Reader | None = None) -> EditResult:
    """Shortcut: one EditCheck, one call."""
    return EditCheck(svc, before).check(after)
