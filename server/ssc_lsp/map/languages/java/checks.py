"""Java's continuity checks: calls of workspace methods and constructors with the wrong number
of arguments. Only where the count is certain: the callee is named for certain (extract.py,
resolve.py), it has no other overload of that name anywhere in its (workspace-complete)
hierarchy, and a varargs parameter takes any number past the others.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...checks import CALL_ARGUMENTS, Problem
from ...filemap import FileMap
from ...records import CLASS, VAR_POSITIONAL, Ref, Unit
from ...resolve import Resolver
from ...workspace import Located, Workspace
from .extract import METHOD_CTX, TYPE


def arity_problem(callee: Located, nargs: int) -> str | None:
    """The message for a call of `callee` with `nargs` arguments, or None when it fits."""
    sig = callee.symbol.signature
    if sig is None:
        return None
    fixed = [p for p in sig.params if p.kind != VAR_POSITIONAL]
    variadic = len(fixed) != len(sig.params)
    if nargs == len(fixed) or (variadic and nargs >= len(fixed)):
        return None
    n = len(fixed)
    takes = f"at least {n}" if variadic else f"{n}"
    noun = "argument" if n == 1 and not variadic else "arguments"
    return f"`{callee.symbol.name}()` takes {takes} {noun}; called with {nargs}"


def _callee(r, fm: FileMap, unit: Unit, ref: Ref) -> Located | None:
    """The one method (or constructor) a call can mean, or None."""
    if ref.nargs < 0:
        return None
    if ref.module == METHOD_CTX:
        if ref.receiver is None:
            found = r.find_methods(fm, ref.scope, ref.name)
        else:
            value = r.value_of_expr(fm, ref.scope, ref.receiver)
            found = r.methods_of(value, ref.name) if value is not None else None
        # one method of the name in a hierarchy the workspace holds whole: no overload elsewhere
        if not found or len(found[0]) != 1 or not found[1]:
            return None
        return r.pick_overload(found, ref.nargs)
    if ref.module == TYPE:  # `new T(...)`: T's constructors
        target = r.resolve_ref(fm, ref, unit)
        if not isinstance(target, Located) or target.symbol.kind != CLASS or target.symbol.value != "class":
            return None
        ctors = [s for s in target.file.by_qualname.get(f"{target.symbol.qualname}.{target.symbol.name}", ())
                 if s.value == "constructor"]
        return Located(target.file, ctors[0]) if len(ctors) == 1 else None
    return None


def java_steps(ws: Workspace, resolver: Resolver, fm: FileMap, out: list[Problem]) -> Iterator[None]:
    """The checks of one Java file, one unit at a time (see checks.check_file_steps)."""
    r = resolver.for_language(fm.language)
    for unit in list(fm.units):
        for ref in unit.refs:
            try:
                callee = _callee(r, fm, unit, ref)
            except RecursionError:
                callee = None
            msg = arity_problem(callee, ref.nargs) if callee is not None else None
            if msg is not None:
                row = ref.row + unit.start_row
                out.append(Problem((row, ref.col, row, ref.end_col), CALL_ARGUMENTS, msg, callee.symbol.id))
        yield
    out.sort(key=lambda p: p.range)
