"""Members of the receiver's type when the cursor follows `x.`.

The type comes from the map's resolver (modules, classes, `self`, annotations, class calls,
`super()`), else from jedi within its deadline, else from guesses (guess.py). Every member of the
type and of its bases is a candidate; a class can have a hundred, so each member's strength is
shaped by the MRO depth and by how often the workspace accesses that member, on receivers named
like this one and at all (usage.py).
"""

from __future__ import annotations

import math

from ...map.records import CLASS, CONSTANT, FUNCTION, IMPORT, METHOD, MODULE, PARAMETER, Symbol
from ...map.resolve import External, Instance, SuperOf
from ...map.workspace import Located
from .. import weights as W
from .base import Pool, Query

SOURCE = "receiver"
GUESS = "receiver_guess"
OVERRIDE = -1  # "depth" of a subclass's override of a member


def mro(q: Query, cls: Located, start: int = 0) -> list[tuple[Located, int]]:
    """The class and its workspace bases, breadth first, with their depth."""
    out: list[tuple[Located, int]] = []
    seen: set[str] = set()
    todo = [(cls, start)]
    while todo:
        c, d = todo.pop(0)
        if c.symbol.id in seen or len(out) > 30:
            continue
        seen.add(c.symbol.id)
        out.append((c, d))
        for b in q.resolver.bases(c):
            if isinstance(b, Located) and b.symbol.kind == CLASS:
                todo.append((b, d + 1))
    return out


def class_members(q: Query, cls: Located, start: int = 0) -> list[tuple[Located, int]]:
    """The members of a class and its bases: what its body declares, and what its file declares
    for it at the top level (Rust's `impl Type` items, Go's methods: `Type.name`, no parent)."""
    out: list[tuple[Located, int]] = []
    texts = q.engine.texts
    for c, depth in mro(q, cls, start):
        kids = texts.children(c.file)
        prefix = c.symbol.qualname + "."
        outside = [s for s in kids.get("", ()) if s.kind in (FUNCTION, METHOD, CONSTANT)
                   and s.qualname.startswith(prefix) and "." not in s.qualname[len(prefix):]]
        for s in [*kids.get(c.symbol.qualname, ()), *outside]:
            if s.kind != PARAMETER:
                out.append((Located(c.file, s), depth))
    return out


def subclass_overrides(q: Query, cls: Located, names: set[str]) -> list[tuple[Located, int]]:
    """Methods of subclasses that override `names`: a call on a base-typed receiver runs them.

    Subclasses come from the graph's reverse `inherits` edges, breadth first, a few levels.
    """
    graph = q.engine.graph
    out: list[tuple[Located, int]] = []
    seen = {cls.symbol.id}
    todo = [cls.symbol.id]
    texts = q.engine.texts
    while todo and len(seen) <= W.OVERRIDE_MAX_CLASSES:
        node = todo.pop(0)
        for sub in sorted(graph.neighbours(node)):
            if sub in seen or graph.relation(node, sub) != "inherits-by":
                continue
            seen.add(sub)
            todo.append(sub)
            loc = q.ws.get(sub)
            if loc is None or loc.symbol.kind != CLASS:
                continue
            for s in texts.children(loc.file).get(loc.symbol.qualname, ()):
                if s.name in names and s.kind in (FUNCTION, METHOD):
                    out.append((Located(loc.file, s), OVERRIDE))
    return out


def module_members(q: Query, mod: Located, _seen: set[str] | None = None) -> list[tuple[Located, int]]:
    """A module's names: its definitions, what it imports by name (re-exports), what it
    star-imports (honouring `__all__`), and a package's submodules."""
    fm = mod.file
    seen = _seen if _seen is not None else set()
    if fm.path in seen:
        return []
    seen.add(fm.path)
    out: list[tuple[Located, int]] = []
    for s in q.engine.texts.children(fm).get("", ()):
        if s.kind == IMPORT:
            t = q.resolver.follow_import(Located(fm, s))
            if isinstance(t, Located) and t.symbol.kind != IMPORT:
                if t.symbol.kind == MODULE:
                    continue
                out.append((t, 0))
            continue
        out.append((Located(fm, s), 0))
    for star in fm.star_imports():
        target = q.resolver.module_target(fm, star)
        if not isinstance(target, Located) or target.symbol.kind != MODULE:
            continue
        exported = target.file.all_names()
        for loc, depth in module_members(q, target, seen):
            name = loc.symbol.name
            if (name in exported) if exported is not None else not name.startswith("_"):
                out.append((loc, depth))
    if fm.is_package:
        prefix = fm.module + "."
        for name, path in sorted(q.ws.modules.items()):
            if name.startswith(prefix) and "." not in name[len(prefix):]:
                sub = q.ws.files.get(path)
                if sub is not None and sub.module_symbol is not None:
                    out.append((Located(sub, sub.module_symbol), 0))
    return out


def members_of(q: Query, value) -> tuple[list[tuple[Located, int]], str]:
    """(members with MRO depth, a name for the type) of a resolved receiver value."""
    if isinstance(value, Instance):
        members = class_members(q, value.cls)
        names = {m.symbol.name for m, _ in members if m.symbol.kind in (FUNCTION, METHOD)}
        return members + subclass_overrides(q, value.cls, names), value.cls.symbol.name
    if isinstance(value, SuperOf):
        out: list[tuple[Located, int]] = []
        for b in q.resolver.bases(value.cls):
            if isinstance(b, Located) and b.symbol.kind == CLASS:
                out.extend(class_members(q, b, 1))
        return out, f"bases of {value.cls.symbol.name}"
    if isinstance(value, Located):
        if value.symbol.kind == CLASS:
            return class_members(q, value), value.symbol.name
        if value.symbol.kind == MODULE:
            return module_members(q, value), value.file.module
    return [], ""


def _popularity(q: Query, receiver: str, names: list[str]) -> dict[str, float]:
    stats = q.engine.stats
    pair = {n: stats.pair_count(receiver, n) for n in names}
    alln = {n: stats.name_count(n) for n in names}
    mp = math.log1p(max(pair.values(), default=0))
    ma = math.log1p(max(alln.values(), default=0))
    out = {}
    for n in names:
        a = math.log1p(pair[n]) / mp if mp > 0 else 0.0
        b = math.log1p(alln[n]) / ma if ma > 0 else 0.0
        out[n] = W.POP_SAME_RECEIVER_SHARE * a + (1 - W.POP_SAME_RECEIVER_SHARE) * b
    return out


def propose(q: Query, pool: Pool, members: list[tuple[Located, int]], type_name: str,
            source: str, quality: float, how: str) -> int:
    cur = q.cursor
    rec = cur.receiver or ""
    used_here = {u.ref.name for u in cur.uses if u.ref.receiver == rec}
    names = sorted({m.symbol.name for m, _ in members})
    pop = _popularity(q, rec, names)
    partial = cur.partial.lower()
    n = 0
    for loc, depth in members:
        sym: Symbol = loc.symbol
        shape = W.OVERRIDE_FACTOR if depth == OVERRIDE else W.RECEIVER_BASE_DECAY ** depth
        strength = shape * (W.POP_FLOOR + (1 - W.POP_FLOOR) * pop.get(sym.name, 0.0))
        if sym.name in used_here:
            strength += W.USED_ON_RECEIVER_BONUS
        if partial:
            strength *= 1.0 if sym.name.lower().startswith(partial) else 0.3
        where = ("" if depth == 0 else " (an override in a subclass)" if depth == OVERRIDE
                 else f" (from a base, depth {depth})")
        why = f"{sym.kind} of {type_name}, the {how} type of `{rec}`{where}"
        if pool.add_symbol(loc, source, min(1.0, strength) * quality, why) is not None:
            n += 1
    if n:
        q.notes.setdefault("receiver_found", source)
    return n


def collect(q: Query, pool: Pool) -> None:
    cur = q.cursor
    rec = cur.receiver
    if not rec:
        return
    value = q.resolver.value_of_expr(cur.fm, cur.scope, rec)
    if isinstance(value, Located) and value.symbol.kind == IMPORT:
        value = q.resolver.follow_import(value)
    members, type_name = members_of(q, value) if value is not None else ([], "")
    if members:
        q.notes["receiver_type"] = type_name
        propose(q, pool, members, type_name, SOURCE, 1.0, "inferred")
        return
    if isinstance(value, External):
        q.notes["receiver_external"] = value.dotted
        return
    if _from_jedi(q, pool):
        return
    _guess(q, pool)


def _from_jedi(q: Query, pool: Pool) -> bool:
    cur = q.cursor
    jedi = q.engine.jedi
    if jedi is None:
        return False
    head = cur.line_prefix[: len(cur.line_prefix) - len(cur.partial) - 1]
    code = "\n".join(cur.lines[: cur.row] + [head])
    found = jedi.receiver_types(cur.fm, code, cur.row + 1, len(head), q.jedi_deadline)
    n = 0
    for t in found:
        if t.loc.symbol.kind == MODULE:
            members, name = module_members(q, t.loc), t.loc.file.module
        else:
            members, name = class_members(q, t.loc), t.loc.symbol.name
        n += propose(q, pool, members, name, SOURCE, 1.0, "jedi-inferred")
        q.notes.setdefault("receiver_type", name)
    return n > 0


def _guess(q: Query, pool: Pool) -> None:
    cur = q.cursor
    rec = cur.receiver or ""
    classes = q.engine.classes
    mod = classes.module_named(rec)
    if mod is not None:
        propose(q, pool, module_members(q, mod), mod.file.module, GUESS, 0.8, "guessed (module named so)")
    used = {u.ref.name for u in cur.uses if u.ref.receiver == rec}
    for cls in classes.by_members(used):
        propose(q, pool, class_members(q, cls), cls.symbol.name, GUESS, 0.9,
                f"guessed (defines {', '.join(sorted(used))})")
    for cls, quality, how in classes.by_name(rec):
        propose(q, pool, class_members(q, cls), cls.symbol.name, GUESS, quality, f"guessed ({how} `{rec}`)")
