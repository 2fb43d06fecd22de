"""Names the refactor commands bring in (extract function, extract variable): a valid
identifier, not a keyword, not a builtin's name, and FREE where the new binding lands, decided
from the map's scopes and symbols, never from the model's word.

Where jedi puts the new binding (jedi/api/refactoring/extract.py, pinned >=0.20,<0.21):
- extract function inside a method that is bound (not a staticmethod): a new method of the
  class, called as `self.name(...)`: the class's members, its bases' and its subclasses' must
  not hold the name (a subclass's `name` would be called instead);
- any other extract function: a module-level function, called where the selection was: the
  module must not bind the name, nothing visible at the selection may be called so (a local, an
  enclosing function's, a star import's), and no use of the name in the file may resolve
  elsewhere today (it would start meaning the new function);
- extract variable: an assignment just before the statement, in the statement's scope: in a
  function the name must not be bound there nor name anything visible there (assigning makes
  the name local to the whole function), nor be used in it; at module or class level as above.

Precision first: a name this cannot prove free is refused and a deterministic one is taken
(`extracted`, `extracted_2`, ...), with the reason in the proposal's notes.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass

from ..map.filemap import FileMap
from ..map.languages.python import PYTHON
from ..map.records import CLASS, FUNCTION, METHOD, REF_BASE, REF_NAME
from ..map.rename import all_subtypes
from ..map.resolve import LOCAL, Resolver
from ..map.signature_help import scope_at
from ..map.workspace import Located, Workspace

FALLBACK = "extracted"  # the deterministic name: extracted, extracted_2, extracted_3, ...
FALLBACK_TRIES = 100

MODULE_LEVEL = "module"
CLASS_LEVEL = "class"
LOCAL_LEVEL = "local"


@dataclass(frozen=True, slots=True)
class Landing:
    """Where a new name is bound: `level` (module, class, local), `scope` the qualname of the
    class or function holding it ('' for the module), `used_in` the scope of the selection."""

    level: str
    scope: str
    used_in: str


def landing_of(fm: FileMap, row: int, what: str) -> Landing:
    """Where jedi binds the name of an extracted `what` ("function" or "variable") taken at
    `row` (0-based), as jedi's extract does (see the module docstring)."""
    used_in = scope_at(fm, row)
    if what == "variable":
        owner = fm.lookup(used_in) if used_in else None
        if owner is None:
            return Landing(MODULE_LEVEL, "", used_in)
        return Landing(CLASS_LEVEL if owner.kind == CLASS else LOCAL_LEVEL, used_in, used_in)
    func = _innermost_function(fm, used_in)
    if func is not None and func.kind == METHOD and func.parent and \
            not any(d.rpartition(".")[2] == "staticmethod" for d in func.decorators):
        owner = fm.lookup(func.parent)
        if owner is not None and owner.kind == CLASS:
            return Landing(CLASS_LEVEL, owner.qualname, used_in)
    return Landing(MODULE_LEVEL, "", used_in)


def _innermost_function(fm: FileMap, scope: str):
    s = scope
    while s:
        sym = fm.lookup(s)
        if sym is not None and sym.kind in (FUNCTION, METHOD):
            return sym
        if sym is not None and sym.kind == CLASS:
            return None  # a class body: jedi's context is the class, the function goes to the module
        s = s.rpartition(".")[0]
    return None


def bad_identifier(name: str) -> str | None:
    """Why `name` cannot be a new binding whatever the scope, or None."""
    if not name.isidentifier():
        return "is not a Python identifier"
    if keyword.iskeyword(name):
        return "is a Python keyword"
    if name in PYTHON.builtins:
        return "would shadow the builtin of that name"
    if name.startswith("__") and name.endswith("__"):
        return "is a special (dunder) name"
    return None


def why_taken(ws: Workspace, resolver: Resolver, fm: FileMap, landing: Landing, name: str) -> str | None:
    """Why `name` is not free where `landing` binds it, or None when the map shows it free."""
    bad = bad_identifier(name)
    if bad is not None:
        return bad
    if landing.level == CLASS_LEVEL:
        return _taken_in_class(ws, resolver, fm, landing.scope, name)
    if landing.level == LOCAL_LEVEL:
        return _taken_in_function(resolver, fm, landing.scope, name)
    if name in fm.module_bindings() or fm.lookup(name) is not None:
        return f"is already defined in {fm.path}"
    seen = resolver.resolve_name(fm, landing.used_in, name, follow=False)
    if seen is not None:
        return f"already means {_what(seen)} where the code was"
    row = _first_use(fm, name, "")
    if row is not None:
        return f"is already used in {fm.path}:{row + 1}"
    return None


def _taken_in_class(ws: Workspace, resolver: Resolver, fm: FileMap, qualname: str, name: str) -> str | None:
    cls_sym = fm.lookup(qualname)
    if cls_sym is None:
        return f"cannot be checked in `{qualname}`"
    cls = Located(fm, cls_sym)
    clash = resolver.class_member(cls, name)
    if clash is not None:
        return f"is already a member of `{cls_sym.name}`" + (
            f" ({clash.file.path}:{clash.symbol.name_range[0] + 1})" if isinstance(clash, Located) else "")
    for sub in all_subtypes(ws, resolver, cls):
        if sub.file.lookup(f"{sub.symbol.qualname}.{name}") is not None:
            return f"is defined by the subclass `{sub.symbol.name}`, which would hide it"
    return None


def _taken_in_function(resolver: Resolver, fm: FileMap, qualname: str, name: str) -> str | None:
    if name in (fm.local_names(qualname) or ()) or fm.lookup(f"{qualname}.{name}") is not None:
        return f"is already bound in `{qualname}`"
    seen = resolver.resolve_name(fm, qualname, name, follow=False)
    if seen is not None:
        return f"already means {_what(seen)} in `{qualname}`"
    row = _first_use(fm, name, qualname)
    if row is not None:
        return f"is already used in `{qualname}` ({fm.path}:{row + 1})"
    return None


def _first_use(fm: FileMap, name: str, scope: str) -> int | None:
    """The first row where `name` is used as a plain name in `scope` or below ('' = anywhere)."""
    if name not in fm.ref_names:
        return None
    for ref, unit in fm.iter_refs():
        if ref.name != name or ref.receiver is not None or ref.kind not in (REF_NAME, REF_BASE):
            continue
        if not scope or ref.scope == scope or ref.scope.startswith(scope + "."):
            return ref.row + unit.start_row
    return None


def _what(target) -> str:
    if target is LOCAL:
        return "a local name"
    if isinstance(target, Located):
        return f"`{target.symbol.qualname}` ({target.file.path}:{target.symbol.name_range[0] + 1})"
    return f"`{getattr(target, 'dotted', target)}`"


def fallback(ws: Workspace, resolver: Resolver, fm: FileMap, landing: Landing) -> str:
    """The first free name of `extracted`, `extracted_2`, ... (LookupError if none is)."""
    for i in range(1, FALLBACK_TRIES + 1):
        name = FALLBACK if i == 1 else f"{FALLBACK}_{i}"
        if why_taken(ws, resolver, fm, landing, name) is None:
            return name
    raise LookupError(f"no free name among {FALLBACK} .. {FALLBACK}_{FALLBACK_TRIES}")


def names_in_scope(fm: FileMap, landing: Landing, limit: int = 60) -> list[str]:
    """Names the model should not reuse (and can take the style of): the locals of the
    selection's scopes, then the module's."""
    out: list[str] = []
    s = landing.used_in
    while s:
        out.extend(sorted(fm.local_names(s) or ()))
        s = s.rpartition(".")[0]
    if landing.level == CLASS_LEVEL:
        out.extend(sym.name for sym in fm.symbols if sym.parent == landing.scope)
    out.extend(sorted(fm.module_bindings()))
    seen: set[str] = set()
    return [n for n in out if not (n in seen or seen.add(n))][:limit]


def naming_style(fm: FileMap) -> str:
    """How this file names its functions and variables: "snake_case" or "camelCase" (the
    majority of its multi-word names; snake_case when there are none)."""
    snake = camel = 0
    for sym in fm.symbols[1:]:
        if sym.kind == CLASS:
            continue
        name = sym.name.strip("_")
        if "_" in name and name.lower() == name:
            snake += 1
        elif name[:1].islower() and any(c.isupper() for c in name[1:]):
            camel += 1
    return "camelCase" if camel > snake else "snake_case"
