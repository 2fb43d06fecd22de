"""Go's continuity checks: calls of workspace functions and methods with the wrong number of
arguments. Go makes the count certain (no defaults, no keywords; a variadic parameter takes any
number past the others), except where a call's shape is not visible: a spread (`f(xs...)`), a
single call argument (`f(g())`, g may return several values), a method expression (`T.M(r, x)`):
those are left alone, as is every callee the resolver cannot name for certain.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...checks import Problem
from ...filemap import FileMap
from ...records import FUNCTION, METHOD, REF_ATTRIBUTE, REF_NAME, Ref, Unit
from ...resolve import Instance, Resolver
from ...workspace import Located, Workspace
from ..arity import arity_steps


def callee(resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref) -> Located | None:
    """The one function or method a call can mean for certain, or None."""
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
    yield from arity_steps(callee, ws, resolver, fm, out)
