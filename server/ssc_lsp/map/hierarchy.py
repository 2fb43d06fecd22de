"""Call and type hierarchies from the map's resolved references.

Incoming calls are the call-shaped uses of a function, method or class (calling a class
constructs it; a constructor's are its class's that only it fits), grouped by the function
that makes them; outgoing calls are the calls made
directly in a body (calls inside a nested function belong to that function). Supertypes are a
class's resolved bases; subtypes are the classes that name it as a base.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .filemap import FileMap
from .navigation import Range, candidate_files, uses
from .records import CLASS, FUNCTION, METHOD, REF_BASE, VAR_POSITIONAL, Ref, Signature, Symbol, Unit
from .relations import Use, uses_within
from .resolve import Resolver
from .workspace import Located, Workspace

CALLABLE = (FUNCTION, METHOD, CLASS)


@dataclass
class CallGroup:
    """One caller (incoming) or callee (outgoing) and the call sites, in the caller's file."""

    other: Located
    ranges: list[Range] = field(default_factory=list)


def callable_at(loc: Located | None) -> Located | None:
    return loc if loc is not None and loc.symbol.kind in CALLABLE else None


def holder_of(use: Use) -> Located:
    """The named function or class around a use; the module for top-level code."""
    fm = use.file
    qual = use.holder()
    while qual:
        sym = next((s for s in fm.by_qualname.get(qual, ()) if s.kind in CALLABLE and use.in_body(s)), None)
        if sym is not None:
            return Located(fm, sym)
        qual = qual.rpartition(".")[0]
    assert fm.module_symbol is not None
    return Located(fm, fm.module_symbol)


def arity_fits(sig: Signature, nargs: int) -> bool:
    """Whether `nargs` positional arguments fit `sig` (defaults may be left out; a variadic
    last parameter takes any number more)."""
    plain = [p for p in sig.params if p.kind != VAR_POSITIONAL]
    required = sum(1 for p in plain if not p.has_default)
    if len(plain) != len(sig.params):
        return nargs >= required
    return required <= nargs <= len(plain)


def constructor_calls(ws: Workspace, resolver: Resolver, ctor: Located) -> Iterator[Use]:
    """The calls of a constructor (Java, TypeScript): the calls of its class (`new C(...)`)
    whose argument count fits this constructor and no other of the class; an argument spread,
    or several constructors fitting, says nothing."""
    fm = ctor.file
    cls = fm.lookup(ctor.symbol.parent or "")
    if cls is None or cls.kind != CLASS:
        return
    ctors = [s for s in fm.symbols if s.kind == METHOD and s.parent == cls.qualname
             and s.subkind == "constructor" and s.signature is not None]
    for use in uses(ws, resolver, Located(fm, cls), include_binds=False):
        if use.ref.nargs < 0 or use.ref.star or use.ref.kind == REF_BASE:
            continue
        fits = [c for c in ctors if c.signature is not None and arity_fits(c.signature, use.ref.nargs)]
        if len(fits) == 1 and fits[0].id == ctor.symbol.id:
            yield use


def incoming_calls(ws: Workspace, resolver: Resolver, loc: Located) -> list[CallGroup]:
    groups: dict[str, CallGroup] = {}
    found = constructor_calls(ws, resolver, loc) if loc.symbol.subkind == "constructor" else \
        uses(ws, resolver, loc, include_binds=False)
    for use in found:
        if use.ref.nargs < 0:
            continue
        caller = holder_of(use)
        group = groups.setdefault(caller.symbol.id, CallGroup(caller))
        group.ranges.append(use.range)
    return sorted(groups.values(), key=lambda g: (g.other.file.path, g.other.symbol.range))


def outgoing_calls(ws: Workspace, resolver: Resolver, loc: Located) -> list[CallGroup]:
    own = loc.symbol.local_qualname
    groups: dict[str, CallGroup] = {}
    for use in uses_within(loc.file, loc):
        if use.ref.nargs < 0 or use.holder() != own:
            continue
        t = resolver.resolve_ref(use.file, use.ref, use.unit)
        if not isinstance(t, Located) or t.symbol.kind not in CALLABLE:
            continue
        group = groups.setdefault(t.symbol.id, CallGroup(t))
        group.ranges.append(use.range)
    return sorted(groups.values(), key=lambda g: min(g.ranges))


# -- types -------------------------------------------------------------------------------------


def class_at(loc: Located | None) -> Located | None:
    return loc if loc is not None and loc.symbol.kind == CLASS else None


def supertypes(resolver: Resolver, cls: Located) -> list[Located]:
    """The workspace classes `cls` names as supertypes: its resolved bases (what member lookup
    follows: Python's, a Java or TS `extends`, Go's embedded types) and the other supertypes its
    header names (`implements`, a TS interface's `extends`): the class's own base references,
    the ones `subtypes` reads from the other side. A Go alias (`type A = B`) is B, not a subtype
    of it: its target is a base for member lookup only, and it has no written bases. A language
    whose supertypes are written elsewhere (Rust's `impl Trait for Type`) has `supertypes_of`."""
    rule = getattr(resolver.for_language(cls.file.language), "supertypes_of", None)
    if rule is not None:
        return rule(cls)
    out: dict[str, Located] = {}
    for b in resolver.bases(cls) if cls.symbol.bases else ():
        if isinstance(b, Located) and b.symbol.kind == CLASS:
            out.setdefault(b.symbol.id, b)
    fm, r = cls.file, cls.symbol.range
    for unit in fm.units:
        if unit.end_row < r[0] or unit.start_row > r[2]:
            continue
        for ref in unit.refs:
            if ref.kind != REF_BASE or class_written_at(fm, unit, ref) is not cls.symbol:
                continue
            t = resolver.resolve_ref(fm, ref, unit)
            if isinstance(t, Located) and t.symbol.kind == CLASS and t.symbol.id != cls.symbol.id:
                out.setdefault(t.symbol.id, t)
    return list(out.values())


def class_written_at(fm: FileMap, unit: Unit, ref: Ref) -> Symbol | None:
    """The class whose header lists `ref` among its bases: the last class named before it."""
    best: Symbol | None = None
    for s in unit.symbols:
        if s.kind == CLASS and s.name_byte < ref.byte and (best is None or s.name_byte > best.name_byte):
            best = s
    return best


def subtypes(ws: Workspace, resolver: Resolver, cls: Located) -> list[Located]:
    rule = getattr(resolver.for_language(cls.file.language), "subtypes_of", None)
    if rule is not None:
        return sorted({c.symbol.id: c for c in rule(cls)}.values(), key=lambda c: (c.file.path, c.symbol.range))
    out: dict[str, Located] = {}
    for use in uses(ws, resolver, cls, include_binds=False, files=candidate_files(ws, cls)):
        if use.ref.kind != REF_BASE:
            continue
        sub = class_written_at(use.file, use.unit, use.ref)
        if sub is not None:
            out.setdefault(sub.id, Located(use.file, sub))
    return sorted(out.values(), key=lambda c: (c.file.path, c.symbol.range))
