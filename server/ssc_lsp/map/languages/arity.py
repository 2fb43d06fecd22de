"""The argument-count check the languages without defaults or keywords share (Go, Java, Rust):
each language names the one callee a call can mean (or None); the count and the message are
here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..checks import CALL_ARGUMENTS, Problem, ref_steps
from ..filemap import FileMap
from ..records import VAR_POSITIONAL, Ref, Unit
from ..resolve import Resolver
from ..workspace import Located, Workspace

Callee = Callable[[Resolver, FileMap, Unit, Ref], "Located | None"]


def arity_problem(callee: Located, nargs: int) -> str | None:
    """The message for a call of `callee` with `nargs` arguments, or None when it fits (a
    variadic parameter takes any number past the others)."""
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


def arity_call(callee_of: Callee, resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref) -> Problem | None:
    """The problem of one call whose callee `callee_of` names and whose count does not fit
    (`missing`: only arguments are missing), or None."""
    callee = callee_of(resolver, fm, unit, ref)
    msg = arity_problem(callee, ref.nargs) if callee is not None else None
    if msg is None:
        return None
    sig = callee.symbol.signature
    fixed = sum(1 for p in sig.params if p.kind != VAR_POSITIONAL) if sig is not None else 0
    row = ref.row + unit.start_row
    return Problem((row, ref.col, row, ref.end_col), CALL_ARGUMENTS, msg, callee.symbol.id,
                   missing=ref.nargs < fixed)


def arity_steps(callee_of: Callee, ws: Workspace, resolver: Resolver, fm: FileMap,
                out: list[Problem]) -> Iterator[None]:
    """The argument-count checks of one file, one unit at a time (see checks.check_file_steps):
    a problem for each call whose callee `callee_of` names and whose count does not fit."""

    def check(ws: Workspace, resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref) -> Problem | None:
        return arity_call(callee_of, resolver, fm, unit, ref)

    yield from ref_steps(check, ws, resolver, fm, out)
