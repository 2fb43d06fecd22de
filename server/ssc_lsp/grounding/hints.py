"""What the repair prompt says: exactly what does not exist, and what does, from the map.

Why names with signatures: a model that invented `compute_totl(order)` is best corrected by
`total(self)` on the class it was called on, with the parameters, not by a bare name list. Close
matches come first (difflib), then the other members, so the fix the model most likely meant is
at the top and the list stays short.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

from ..map.filemap import FileMap
from ..map.records import CLASS, IMPORT, METHOD, MODULE, PARAMETER, Signature, Symbol
from ..map.resolve import Instance, Resolver, SuperOf
from ..map.workspace import Located, Workspace
from .check import ATTRIBUTE, CALL, IMPORT_MISSING, MODULE_MISSING, NAME, Issue
from .inplace import Placed

MAX_AVAILABLE = 12
CLOSE_CUTOFF = 0.6


def repair_hints(ws: Workspace, placed: Placed, issues: list[Issue],
                 allowed: Callable[[str], bool] | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(missing, available) for llm.CompletionRequest(kind="repair"). With `allowed` (a path
    gate: context/privacy.py), nothing defined in a file it refuses is named: the hints go to
    the model like the context does."""
    r = Resolver(ws)
    ok = allowed or (lambda _path: True)
    missing: list[str] = []
    available: list[str] = []
    for issue in issues:
        if issue.kind == CALL:
            missing.append(f"{issue.name}(...): {issue.message}")
            loc = ws.get(issue.symbol) if issue.symbol else None
            if loc is not None and ok(loc.file.path):
                available.append(render(loc.symbol))
            continue
        missing.append(issue.name)
        if issue.kind == NAME:
            available += _names_like(ws, r, placed.fm, issue.scope, issue.name, ok)
        elif issue.kind == ATTRIBUTE:
            available += _members_like(ws, r, placed.fm, issue, ok)
        elif issue.kind == IMPORT_MISSING:
            module, _, name = issue.name.rpartition(".")
            target = ws.file_of_module(module)
            if target is not None and ok(target.path):
                pool = [s for s in target.symbols[1:] if s.parent == ""]
                available += _rank(name, pool)
        elif issue.kind == MODULE_MISSING:
            modules = [m for m, path in ws.modules.items() if ok(path)]
            close = difflib.get_close_matches(issue.name, modules, n=5, cutoff=CLOSE_CUTOFF)
            available += close
    return tuple(_dedupe(missing)), tuple(_dedupe(available)[:MAX_AVAILABLE])


def names_like(ws: Workspace, fm: FileMap, scope: str, name: str,
               allowed: Callable[[str], bool] | None = None) -> list[str]:
    """What a misspelt or invented `name` at `scope` (an in-module qualname of `fm`) may have
    meant: visible names close to it, then workspace definitions close to it with their module
    (for a prompt: nothing from a file `allowed` refuses)."""
    return _names_like(ws, Resolver(ws), fm, scope, name, allowed or (lambda _path: True))


def render(sym: Symbol) -> str:
    """A symbol as the model should write it: a signature, a class with its bases, a name."""
    sig = sym.signature
    if sig is not None:
        if sym.kind == METHOD and sig.params and sig.params[0].name in ("self", "cls") and \
                "staticmethod" not in sym.decorators:
            sig = Signature(sig.params[1:], sig.returns, sig.is_async)  # as called on an instance
        return sig.render(sym.name).removeprefix("async def ").removeprefix("def ")
    if sym.kind == CLASS:
        return f"class {sym.name}" + (f"({', '.join(sym.bases)})" if sym.bases else "")
    if sym.annotation:
        return f"{sym.name}: {sym.annotation}"
    return sym.name


def _rank(name: str, pool: Iterable[Symbol]) -> list[str]:
    """Close matches first, then the rest in order, each rendered once."""
    by_name: dict[str, Symbol] = {}
    for s in pool:
        if s.kind not in (PARAMETER,) and not s.name.startswith("__"):
            by_name.setdefault(s.name, s)
    close = difflib.get_close_matches(name, list(by_name), n=MAX_AVAILABLE, cutoff=CLOSE_CUTOFF)
    rest = [n for n in by_name if n not in close and not n.startswith("_")]
    return [render(by_name[n]) for n in close + rest][:MAX_AVAILABLE]


def _names_like(ws: Workspace, r: Resolver, fm: FileMap, scope: str, name: str,
                ok: Callable[[str], bool]) -> list[str]:
    """Names visible at `scope` close to `name`, then workspace definitions close to it."""
    visible: dict[str, Symbol | None] = {}
    s = scope
    while s:
        for n in fm.local_names(s) or ():
            visible.setdefault(n, fm.lookup(f"{s}.{n}"))
        s = s.rpartition(".")[0]
    for n in fm.module_bindings():
        visible.setdefault(n, fm.lookup(n))
    close = difflib.get_close_matches(name, list(visible), n=6, cutoff=CLOSE_CUTOFF)
    out = []
    for n in close:
        sym = visible[n]
        if sym is not None and sym.kind == IMPORT:
            target = r.follow_import(Located(fm, sym))
            if isinstance(target, Located) and not ok(target.file.path):
                out.append(n)  # the name as imported here, nothing of the refused file
                continue
            sym = target.symbol if isinstance(target, Located) else sym
        out.append(render(sym) if sym is not None else n)
    # defined elsewhere in the workspace: say where, so the model can import it
    first = name[:1].lower()
    pool = [n for n in ws.names if n[:1].lower() == first and abs(len(n) - len(name)) <= 4]
    for n in difflib.get_close_matches(name, pool, n=4, cutoff=0.75):
        if n in visible:
            continue
        for loc in list(ws.symbols_named(n))[:1]:
            if loc.symbol.kind in (MODULE, IMPORT, PARAMETER) or loc.symbol.parent or \
                    not ok(loc.file.path):
                continue
            out.append(f"{render(loc.symbol)} (in {loc.file.module}, not imported here)")
    return out


def _members_like(ws: Workspace, r: Resolver, fm: FileMap, issue: Issue,
                  ok: Callable[[str], bool]) -> list[str]:
    value = r.value_of_expr(fm, issue.scope, issue.receiver or "")
    attr = issue.name.rpartition(".")[2]
    if isinstance(value, Instance | SuperOf):
        return _rank(attr, _class_members(r, value.cls, ok))
    if isinstance(value, Located) and value.symbol.kind == CLASS:
        return _rank(attr, _class_members(r, value, ok))
    if isinstance(value, Located) and value.symbol.kind == MODULE and ok(value.file.path):
        return _rank(attr, [s for s in value.file.symbols[1:] if s.parent == ""])
    return []


def _class_members(r: Resolver, cls: Located, ok: Callable[[str], bool]) -> list[Symbol]:
    out: list[Symbol] = []
    seen: set[str] = set()
    todo = [cls]
    while todo:
        c = todo.pop(0)
        if c.symbol.id in seen:
            continue
        seen.add(c.symbol.id)
        q = c.symbol.qualname
        if ok(c.file.path):
            out += [s for s in c.file.symbols if s.parent == q]
        todo += [b for b in r.bases(c) if isinstance(b, Located)]
    return out


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
