"""Java's continuity checks: calls of workspace methods and constructors with the wrong number
of arguments. Only where the count is certain: the callee is named for certain (extract.py,
resolve.py), it has no other overload of that name anywhere in its (workspace-complete)
hierarchy, and a varargs parameter takes any number past the others.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...checks import Problem
from ...filemap import FileMap
from ...records import CLASS, Ref, Unit
from ...resolve import Resolver
from ...workspace import Located, Workspace
from ..arity import arity_steps
from .extract import METHOD_CTX, TYPE


def candidates(resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref) -> tuple[list[Located], bool] | None:
    """The methods (or a class's constructors, for `new T(...)`) a call can mean, and whether
    they are all of them (False: a supertype outside the workspace may declare more); None
    when the callee is not certain."""
    if ref.nargs < 0:
        return None
    r = resolver.for_language(fm.language)
    if ref.module == METHOD_CTX:
        if ref.receiver is None:
            return r.find_methods(fm, ref.scope, ref.name)
        value = r.value_of_expr(fm, ref.scope, ref.receiver)
        return r.methods_of(value, ref.name) if value is not None else None
    if ref.module == TYPE:  # `new T(...)`: T's constructors
        target = r.resolve_ref(fm, ref, unit)
        if not isinstance(target, Located) or target.symbol.kind != CLASS or target.symbol.value != "class":
            return None
        ctors = [Located(target.file, s) for s in
                 target.file.by_qualname.get(f"{target.symbol.qualname}.{target.symbol.name}", ())
                 if s.value == "constructor"]
        return ctors, True
    return None


def _callee(resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref) -> Located | None:
    """The one method (or constructor) a call can mean, or None."""
    found = candidates(resolver, fm, unit, ref)
    if ref.module == METHOD_CTX:
        # one method of the name in a hierarchy the workspace holds whole: no overload elsewhere
        if not found or len(found[0]) != 1 or not found[1]:
            return None
        return resolver.for_language(fm.language).pick_overload(found, ref.nargs)
    return found[0][0] if found and len(found[0]) == 1 else None


def java_steps(ws: Workspace, resolver: Resolver, fm: FileMap, out: list[Problem]) -> Iterator[None]:
    """The checks of one Java file, one unit at a time (see checks.check_file_steps)."""
    yield from arity_steps(_callee, ws, resolver, fm, out)
