"""Rust's continuity checks: calls by path of workspace functions with the wrong number of
arguments. Rust has no default arguments, keyword arguments or spreads, so for a free function
(`f(a)`, `m::f(a)`) or an associated function called by path (`Type::new(a, b)`; a method
called so takes its receiver as the first argument) the count is certain. Method calls
(`x.f()`) are left alone (the receiver's type, auto-ref and traits are a type checker's), as is
every callee the resolver cannot name for certain, and anything inside a macro.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...checks import Problem
from ...filemap import FileMap
from ...records import FUNCTION, METHOD, REF_ATTRIBUTE, REF_NAME, VAR_POSITIONAL, Ref, Unit
from ...resolve import Resolver
from ...workspace import Located, Workspace
from ..arity import arity_steps


def call_target(resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref) -> Located | None:
    """The one workspace function a call by path means (see the module doc), or None."""
    if ref.nargs < 0 or ref.star or ref.kind not in (REF_NAME, REF_ATTRIBUTE):
        return None
    if ref.kind == REF_ATTRIBUTE and not (ref.receiver or "").endswith("::"):
        return None  # a method call through a value
    target = resolver.resolve_ref(fm, ref, unit)
    if not isinstance(target, Located) or target.symbol.kind not in (FUNCTION, METHOD):
        return None
    if target.symbol.qualname.endswith("!"):
        return None
    sig = target.symbol.signature
    if sig is not None and any(p.kind == VAR_POSITIONAL for p in sig.params):
        return None  # a variadic parameter: the count is left alone
    return target


def rust_steps(ws: Workspace, resolver: Resolver, fm: FileMap, out: list[Problem]) -> Iterator[None]:
    """The checks of one Rust file, one unit at a time (see checks.check_file_steps)."""
    yield from arity_steps(call_target, ws, resolver, fm, out)
