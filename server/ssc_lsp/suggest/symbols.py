"""The map's own completion items: members of the receiver's inferred type, or the names in
scope, with their signatures. No model, no jedi on this path: it answers in a millisecond or two
so the list never waits (installed modules' members come from the check's jedi cache when it
has them, and are asked for in the background when it does not).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..context.cursor import enclosing_scopes, receiver_of, scope_key
from ..grounding.externals import Externals
from ..map.filemap import FileMap
from ..map.records import (
    CLASS,
    FUNCTION,
    IMPORT,
    METHOD,
    MODULE,
    PARAMETER,
    Symbol,
)
from ..map.resolve import External, Instance, Resolver, SuperOf
from ..map.workspace import Located

_IDENT_TAIL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
MAX_ITEMS = 400

# ranks: lower sorts first
LOCAL, MEMBER, CLASS_SCOPE, MODULE_LEVEL, BUILTIN = 0, 0, 1, 2, 3


@dataclass(frozen=True)
class MapItem:
    name: str
    kind: str  # a map symbol kind, or "builtin" / "external"
    rank: int
    detail: str | None = None
    symbol_id: str | None = None
    module: str | None = None  # where it is defined (for label details)


@dataclass(frozen=True)
class Where:
    """What is being completed: the identifier typed so far and, after `x.`, the receiver."""

    partial: str
    receiver: str | None
    word_start: int  # byte column where `partial` starts
    scope: str


def where_at(fm: FileMap, lines: list[str], row: int, col: int) -> Where:
    line = lines[row] if row < len(lines) else ""
    raw = line.encode("utf-8")[:col].decode("utf-8", errors="replace")
    m = _IDENT_TAIL.search(raw)
    partial = m.group(0) if m else ""
    before = raw[:len(raw) - len(partial)]
    indent = len(raw) if not raw.strip() else len(raw) - len(raw.lstrip(" \t"))
    scopes = enclosing_scopes(fm, lines, row, indent)
    return Where(partial, receiver_of(before), col - len(partial.encode("utf-8")),
                 scope_key(fm, scopes[0]) if scopes else "")


def map_items(resolver: Resolver, fm: FileMap, where: Where,
              externals: Externals | None = None) -> tuple[list[MapItem], bool]:
    """(items, complete): `complete` is False when an installed module's members are still
    being asked of jedi."""
    if where.receiver is not None:
        items, complete = _members(resolver, fm, where, externals)
    else:
        items, complete = _in_scope(resolver, fm, where), True
    p = where.partial.lower()
    if p:
        items = [i for i in items if i.name.lower().startswith(p)]
    items.sort(key=lambda i: (i.rank, i.name.startswith("_"), i.name.lower()))
    return items[:MAX_ITEMS], complete


def _item(sym: Symbol, rank: int, module: str | None) -> MapItem:
    return MapItem(sym.name, sym.kind, rank, detail_of(sym), sym.id, module)


def detail_of(sym: Symbol) -> str | None:
    if sym.signature is not None:
        return sym.signature.render(sym.name)
    if sym.kind == CLASS:
        return f"class {sym.name}" + (f"({', '.join(sym.bases)})" if sym.bases else "")
    if sym.annotation:
        return f"{sym.name}: {sym.annotation}"
    if sym.kind == IMPORT and sym.target:
        return "import " + ".".join(sym.target)
    return None


def _members(resolver: Resolver, fm: FileMap, where: Where,
             externals: Externals | None) -> tuple[list[MapItem], bool]:
    value = resolver.value_of_expr(fm, where.scope, where.receiver or "")
    if isinstance(value, Instance | SuperOf):
        return _class_members(resolver, value.cls), True
    if isinstance(value, Located) and value.symbol.kind == CLASS:
        return _class_members(resolver, value), True
    if isinstance(value, Located) and value.symbol.kind == MODULE:
        mod = value.file
        return [_item(s, MEMBER, mod.module) for s in mod.symbols[1:] if s.parent == ""], True
    if isinstance(value, External) and externals is not None and value.module != "builtins":
        info = externals.get(value.dotted)
        if info is None:
            externals.prefetch([value.dotted])
            return [], False
        if info.members is not None:
            return [MapItem(n, "external", MEMBER, None, None, value.dotted)
                    for n in sorted(info.members)], True
    return [], True


def _class_members(resolver: Resolver, cls: Located) -> list[MapItem]:
    out: dict[str, MapItem] = {}
    todo = [cls]
    seen: set[str] = set()
    while todo:
        c = todo.pop(0)
        if c.symbol.id in seen:
            continue
        seen.add(c.symbol.id)
        q = c.symbol.qualname
        for s in c.file.symbols:
            if s.parent == q and s.kind != PARAMETER and s.name not in out:
                out[s.name] = _item(s, MEMBER, c.file.module)
        todo += [b for b in resolver.bases(c) if isinstance(b, Located)]
    return list(out.values())


def _in_scope(resolver: Resolver, fm: FileMap, where: Where) -> list[MapItem]:
    out: dict[str, MapItem] = {}
    s = where.scope
    innermost = True
    while s:
        owner = fm.lookup(s)
        if owner is not None and owner.kind in (FUNCTION, METHOD):
            for name in fm.local_names(s) or ():
                sym = fm.lookup(f"{s}.{name}")
                if name not in out:
                    out[name] = _item(sym, LOCAL, None) if sym else MapItem(name, "variable", LOCAL)
        elif owner is not None and owner.kind == CLASS and innermost:
            for sym in fm.symbols:
                if sym.parent == s and sym.name not in out:
                    out[sym.name] = _item(sym, CLASS_SCOPE, None)
        innermost = False
        s = s.rpartition(".")[0]
    for sym in fm.symbols[1:]:
        if sym.parent == "" and sym.name not in out:
            out[sym.name] = _item(sym, MODULE_LEVEL, None)
    for name in fm.module_bindings():
        if name not in out:
            out[name] = MapItem(name, "variable", MODULE_LEVEL)
    if where.partial:
        for name in fm.language.builtins:
            if name not in out and not name.startswith("__"):
                out[name] = MapItem(name, "builtin", BUILTIN)
    return list(out.values())
