"""Go's continuity checks: calls of workspace functions and methods with the wrong number of
arguments. Go makes the count certain (no defaults, no keywords; a variadic parameter takes any
number past the others), except where a call's shape is not visible: a spread (`f(xs...)`), a
single call argument (`f(g())`, g may return several values), a method expression (`T.M(r, x)`):
those are left alone, as is every callee the resolver cannot name for certain.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...checks import CALL_ARGUMENTS, Problem
from ...filemap import FileMap
from ...records import FUNCTION, METHOD, REF_ATTRIBUTE, REF_NAME, VAR_POSITIONAL, Ref, Unit
from ...resolve import Instance, Resolver
from ...workspace import Located, Workspace


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


def _callee(resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref) -> Located | None:
    if ref.nargs < 0 or ref.star or ref.kind not in (REF_NAME, REF_ATTRIBUTE):
        return None
    if ref.kind == REF_ATTRIBUTE:
        recv = resolver.for_language(fm.language).value_of_expr(
            fm, ref.scope, ref.receiver or "", row=ref.row + unit.start_row, col=ref.col)
        # a package's function, or a method through a typed value (not `T.M`: the receiver
        # is then the first argument)
        if not (isinstance(recv, Instance) or (isinstance(recv, Located) and recv.symbol.kind == "module")):
            return None
    target = resolver.resolve_ref(fm, ref, unit)
    if not isinstance(target, Located) or target.symbol.kind not in (FUNCTION, METHOD):
        return None
    if resolver.for_language(fm.language).definitions(target) != 1:
        return None  # defined per platform (build constraints): which one is meant is not certain
    return target


def go_steps(ws: Workspace, resolver: Resolver, fm: FileMap, out: list[Problem]) -> Iterator[None]:
    """The checks of one Go file, one unit at a time (see checks.check_file_steps)."""
    for unit in list(fm.units):
        for ref in unit.refs:
            try:
                callee = _callee(resolver, fm, unit, ref)
            except RecursionError:
                callee = None
            msg = arity_problem(callee, ref.nargs) if callee is not None else None
            if msg is not None:
                row = ref.row + unit.start_row
                out.append(Problem((row, ref.col, row, ref.end_col), CALL_ARGUMENTS, msg, callee.symbol.id))
        yield
    out.sort(key=lambda p: p.range)
