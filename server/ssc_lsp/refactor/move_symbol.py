"""`ssc.moveSymbol`: rope moves a top-level function or class, the map makes every import follow.

1. rope's `create_move` (MoveGlobal) over a copy of the workspace with the open buffers' text
   (refactor/rope_run.py); a destination module that does not exist is created there first.
   rope moves the definition with the imports it needs and rewrites the importers it finds.
2. The map: every import of the symbol it knows (`from a import f`, relative imports, re-exports
   such as `from .a import f` in a package's `__init__`, aliases) that rope left as it was is
   rewritten to import from the destination (rope misses relative re-exports). A statement that
   imports other names too is split. A use through the module (`import a` then `a.f`) that rope
   left is listed in the notes: the map does not rewrite those.
3. The import graph of the result (map/relations.file_imports over an overlay of the map): a
   module-level import cycle between the source and the destination that was not there before
   is a warning note, with the path.
"""

from __future__ import annotations

import os
import time
from collections import deque

from ..grounding.edit_check import overlay, replace
from ..map.document import build_filemap
from ..map.history import History
from ..map.languages.python import PYTHON
from ..map.navigation import uses
from ..map.records import CLASS, FUNCTION, REF_ATTRIBUTE, REF_IMPORT, REF_NAME
from ..map.relations import file_imports
from ..map.resolve import Resolver
from ..map.service import MapService
from ..map.workspace import Located, Workspace
from .proposal import Proposal
from .rope_run import (
    RefactorFailed,
    Snapshot,
    Stats,
    definition_at,
    offset_of,
    run_bounded,
    snapshot,
)
from .sites import Rewrite, RowMap, apply_rewrites, node_at, parse, parse_tree, text

KIND = "refactor.move"


def symbol_at(svc: MapService, rel: str, row: int, col: int) -> Located:
    return definition_at(svc, rel, row, col,
                         lambda t: t.symbol.kind in (FUNCTION, CLASS) and t.symbol.parent in ("", None),
                         "top-level function or class of the workspace (only those can be moved)")


def check_target(svc: MapService, loc: Located, target: str) -> str:
    """The destination as a root-relative `.py` path, or RefactorFailed saying why not."""
    if not isinstance(target, str) or not target.endswith(".py"):
        raise RefactorFailed("`target` must be a root-relative path of a .py module (e.g. `pkg/util.py`)")
    rel = os.path.normpath(target).replace(os.sep, "/")
    if rel.startswith("../") or os.path.isabs(rel) or rel == "..":
        raise RefactorFailed(f"`{target}` is outside the workspace folder")
    if rel == loc.file.path:
        raise RefactorFailed(f"`{loc.symbol.name}` is in {rel} already")
    parts = rel[:-3].split("/")
    if not all(p.isidentifier() for p in parts):
        raise RefactorFailed(f"`{rel}` is not an importable module path")
    existing = svc.ws.files.get(rel)
    if existing is not None and existing.lookup(loc.symbol.name) is not None:
        raise RefactorFailed(f"{rel} defines `{loc.symbol.name}` already")
    return rel


def _rope_job(loc: Located, dest: str):
    from rope.base import libutils
    from rope.refactor.move import create_move

    def job(project, handle, folder: str) -> None:
        full = os.path.join(folder, *dest.split("/"))
        if not os.path.exists(full):
            os.makedirs(os.path.dirname(full), exist_ok=True)
            open(full, "wb").close()
            project.validate(project.root)
        src = libutils.path_to_resource(project, os.path.join(folder, *loc.file.path.split("/")))
        data = src.read().encode("utf-8")
        off = offset_of(data, *loc.symbol.name_range[:2])
        mover = create_move(project, src, off)
        dest_res = libutils.path_to_resource(project, full)
        project.do(mover.get_changes(dest_res, task_handle=handle), task_handle=handle)

    return job


def _relative(importer: str, module_text: str, new_module: str, ws: Workspace) -> str:
    """The new module as the importer would write it: relative when the old import was and the
    destination lies under the same package, else absolute."""
    level = len(module_text) - len(module_text.lstrip("."))
    if not level:
        return new_module
    pkg = ws.module_name(importer).split(".")[:-1]
    if importer.endswith("__init__.py"):
        pkg = ws.module_name(importer).split(".")
    base = pkg[:len(pkg) - (level - 1)] if level > 1 else pkg
    prefix = ".".join(base)
    if prefix and new_module.startswith(prefix + "."):
        return "." * level + new_module[len(prefix) + 1:]
    return new_module


def _import_rewrites(svc: MapService, loc: Located, new_module: str, texts: dict[str, bytes]
                     ) -> tuple[list[Rewrite], list[tuple[str, int, str]]]:
    """For each `from m import name` of the symbol: the statement rewritten to import it from the
    destination (split when it imports other names too). The uses through a module (`m.name`),
    which the map does not rewrite, as (path, row, text) for the notes."""
    rewrites: list[Rewrite] = []
    through: list[tuple[str, int, str]] = []
    roots: dict[str, object] = {}
    name = loc.symbol.name
    for use in uses(svc.ws, svc.resolver, loc, include_binds=False, through_aliases=False):
        if use.file.path not in texts or use.file.path == loc.file.path:
            continue
        if use.ref.kind == REF_ATTRIBUTE and use.ref.receiver:
            through.append((use.file.path, use.row, f"{use.ref.receiver}.{name}"))
            continue
        if use.ref.kind != REF_IMPORT:
            continue
        root = roots.setdefault(use.file.path, parse(texts[use.file.path]))
        ident = node_at(root, use.range)
        stmt = ident
        while stmt is not None and stmt.type not in ("import_from_statement", "import_statement"):
            stmt = stmt.parent
        if stmt is None or stmt.type != "import_from_statement":
            continue  # `import a` + `a.f`: the attribute uses are checked by the edit check
        module_node = stmt.child_by_field_name("module_name")
        names = [c for c in stmt.children_by_field_name("name")]
        mine = [c for c in names if _imported(c) == name]
        if module_node is None or not mine:
            continue
        module_text = text(module_node)
        if svc.resolver.absolute_module(use.file, module_text) != loc.file.module:
            continue  # through a re-export (`from pkg import f`): the re-export follows instead
        new = _relative(use.file.path, module_text, new_module, svc.ws)
        start = stmt.start_point
        indent = " " * start[1]
        moved = ", ".join(text(c) for c in mine)
        rest = [text(c) for c in names if c not in mine]
        line = f"from {new} import {moved}"
        if rest:
            line = f"from {module_text} import {', '.join(rest)}\n{indent}{line}"
        rewrites.append(Rewrite(use.file.path, (start[0], start[1], stmt.end_point[0], stmt.end_point[1]),
                                line, start[0] + 1, old=stmt.text))
    return rewrites, through


def _reexported(svc: MapService, fm, sym) -> bool:
    """Whether another file imports the name `sym` (an import in `fm`) from `fm`."""
    for other in list(svc.ws.files.values()):
        if other.path == fm.path or sym.name not in other.ref_names:
            continue
        for unit in other.units:
            for ref in unit.refs:
                if ref.kind == REF_IMPORT and ref.name == sym.name:
                    t = svc.resolver.resolve_ref(other, ref, unit, follow=False)
                    if isinstance(t, Located) and t.symbol.id == sym.id:
                        return True
    return False


def restore_imports(svc: MapService, loc: Located, dest: str, after: dict[str, bytes | None]
                    ) -> tuple[dict[str, bytes | None], list[str]]:
    """rope drops imports it takes for unused: in the source module, those other files import
    *from* it (a re-export: `from requests.utils import to_native_string`), and anywhere, names
    the file still uses (rope misses uses in nested class bodies). Each is put back after the
    last module-level import rope left. Returns the texts and "path: `name`" for each."""
    out = dict(after)
    said: list[str] = []
    for path, data in sorted(after.items()):
        before = svc.ws.files.get(path)
        if data is None or before is None or path == dest:
            continue
        now = build_filemap(PYTHON, path, before.module, data, parse_tree(data))
        # every name the module binds after rope (imports under `try:` or `if TYPE_CHECKING:` too)
        bound = {sym.name for sym in now.symbols if sym.parent in ("", None)}
        used = {r.name for u in now.units for r in u.refs if r.kind == REF_NAME}
        last_import = _last_import(parse(data))
        lines = []
        for sym in before.symbols:
            if sym.kind != "import" or sym.parent not in ("", None) or sym.name in bound \
                    or sym.name == loc.symbol.name or not sym.target:
                continue
            if sym.name not in used and not (path == loc.file.path and _reexported(svc, before, sym)):
                continue
            line = _import_line(sym)
            if line is not None:
                lines.append(line)
                said.append(f"{path}: `{sym.name}`")
        if lines:
            at = last_import.end_byte if last_import is not None else 0
            cut = data.find(b"\n", at)
            cut = len(data) if cut < 0 else cut + 1
            out[path] = data[:cut] + "".join(lines).encode() + data[cut:]
    return out, said


def _last_import(root):
    """The last import statement at the top level of the module (None: there is none)."""
    last = None
    for child in root.named_children:
        if child.type in ("import_statement", "import_from_statement", "future_import_statement"):
            last = child
    return last


def _import_line(sym) -> str | None:
    if len(sym.target) == 2:
        alias = f" as {sym.name}" if sym.name != sym.target[1] else ""
        return f"from {sym.target[0]} import {sym.target[1]}{alias}  # noqa: F401\n"
    if "." in sym.target[0]:
        return None  # `import a.b` binds `a`: not one name to put back
    alias = f" as {sym.name}" if sym.name != sym.target[0] else ""
    return f"import {sym.target[0]}{alias}  # noqa: F401\n"


def _imported(node) -> str:
    if node.type == "aliased_import":
        return text(node.child_by_field_name("name"))
    return text(node)


def _graph(ws: Workspace) -> dict[str, set[str]]:
    r = Resolver(ws)
    return {path: set(file_imports(r, fm, module_level=True)) for path, fm in list(ws.files.items())}


def _path(graph: dict[str, set[str]], a: str, b: str) -> list[str] | None:
    prev: dict[str, str | None] = {a: None}
    todo = deque([a])
    while todo:
        cur = todo.popleft()
        if cur == b:
            out = [b]
            while prev[out[-1]] is not None:
                out.append(prev[out[-1]])  # type: ignore[arg-type]
            return out[::-1]
        for nxt in sorted(graph.get(cur, ())):
            if nxt not in prev:
                prev[nxt] = cur
                todo.append(nxt)
    return None


def cycle_note(svc: MapService, after: dict[str, bytes | None], src: str, dest: str) -> str | None:
    """A warning when the result's module-level imports go round from `dest` through `src` back
    to `dest` and the workspace before did not."""
    ws = overlay(svc.ws, History())
    for rel, data in after.items():
        if rel.endswith(".py"):
            fm = None if data is None else build_filemap(PYTHON, rel, ws.module_name(rel), data, parse_tree(data))
            replace(ws, rel, fm, record=False)
    graph = _graph(ws)
    there = _path(graph, dest, src)
    back = _path(graph, src, dest)
    if there is None or back is None:
        return None
    before = _graph(svc.ws)
    if _path(before, dest, src) is not None and _path(before, src, dest) is not None:
        return None
    loop = there + back[1:]
    return "warning: an import cycle: " + " -> ".join(loop) + " (module-level imports)"


async def move_symbol(svc: MapService, rel: str, row: int, col: int, target: str,
                      stats: Stats | None = None, snap: Snapshot | None = None) -> Proposal:
    t0 = time.perf_counter()
    loc = symbol_at(svc, rel, row, col)
    dest = check_target(svc, loc, target)
    snap = snap or await snapshot(svc)
    t1 = time.perf_counter()
    after = await run_bounded(snap, _rope_job(loc, dest))
    rope_ms = (time.perf_counter() - t1) * 1000
    if dest not in after and dest not in snap.texts:
        raise RefactorFailed(f"rope did not write {dest}; nothing was changed")
    new_module = svc.ws.module_name(dest)
    rewrites, through = _import_rewrites(svc, loc, new_module, snap.texts)
    if stats is not None:
        stats.rope_after = dict(after)
    after, done, skipped = apply_rewrites(snap.texts, after, rewrites)
    after, restored = restore_imports(svc, loc, dest, after)
    notes = [f"{path}:{row + 1}: `{what}` still names the old module (rope left it; the map does not "
             "rewrite uses through a module)" for path, row, what in through
             if path in snap.texts and RowMap(snap.texts[path], after.get(path, snap.texts[path])).untouched(row, row)]
    if done:
        notes.append("the map updated " + f"{len(done)} import{'s' if len(done) != 1 else ''}"
                     " rope left unchanged: " + ", ".join(f"{rw.path}:{rw.line}" for rw in done))
    if restored:
        notes.append("rope removed imports still needed (used in the file, or imported from it by "
                     "other files); the map put them back: " + ", ".join(restored))
    cycle = cycle_note(svc, after, loc.file.path, dest)
    if cycle:
        notes.append(cycle)
    if stats is not None:
        stats.sites += len(rewrites)
        stats.completed += len(done) + len(restored)
        stats.by_rope += len(skipped)
        stats.rope_ms += rope_ms
        stats.total_ms += (time.perf_counter() - t0) * 1000
    new = "new module " if dest not in snap.texts else ""
    return Proposal(title=f"Move {loc.symbol.name} to {new}{dest}", kind=KIND, svc=svc, after=after,
                    notes=notes)
