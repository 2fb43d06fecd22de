"""Continuity checks of TypeScript and JavaScript files: calls whose argument count the callee's
declaration makes wrong, and named imports a workspace ES module does not export.

Only where the language makes it certain (precision first):
- a call with a spread, of an overloaded or twice-declared function, of a function with a rest
  parameter or one that reads `arguments`, or through `this` (a subclass may override), is not
  checked;
- TypeScript: optional (`x?`) and defaulted parameters are the optional ones, as tsc counts, and
  one whose type may accept void (`void`, `any`, a type parameter) is not reported missing;
- a function bound by `let`/`var` or under a type annotation is not checked (it may hold another);
- JavaScript: a function with a default is not checked; too many arguments are reported, too few
  only when the history shows the missing parameters were added (JS code calls with fewer
  arguments on purpose: the rest arrive `undefined`);
- imports: only from ES modules of the workspace (a CommonJS module's exports are assignments
  the map does not read as names).
"""

from __future__ import annotations

from collections.abc import Iterator

from ...checks import Problem, _fit, _shape, check_import, ref_steps
from ...filemap import FileMap
from ...records import (
    FUNCTION,
    METHOD,
    POSITIONAL_OR_KEYWORD,
    REF_ATTRIBUTE,
    REF_IMPORT,
    REF_NAME,
    Ref,
    Unit,
)
from ...resolve import Resolver
from ...workspace import Located, Workspace
from . import JAVASCRIPT

COMMONJS_NAMES = frozenset({"module", "exports", "require"})


def steps(ws: Workspace, resolver: Resolver, fm: FileMap, out: list[Problem]) -> Iterator[None]:
    """The checks of one file, a unit at a time (see checks.check_file_steps)."""
    yield from ref_steps(_check, ws, resolver, fm, out)


def _check(ws: Workspace, resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref) -> Problem | None:
    if ref.kind == REF_IMPORT:
        if ref.module is None or ref.receiver is not None:
            return None
        module = resolver.module_target(fm, ref.module)
        if not isinstance(module, Located) or commonjs(module.file):
            return None
        return check_import(ws, resolver, fm, unit, ref)
    if ref.nargs < 0 or ref.star or ref.kind not in (REF_NAME, REF_ATTRIBUTE) or ref.receiver in ("this", "super"):
        return None
    target = resolver.resolve_ref(fm, ref, unit)
    if not isinstance(target, Located) or target.symbol.kind not in (FUNCTION, METHOD):
        return None
    return check_call(ws, ref, unit, target)


def check_call(ws: Workspace, ref: Ref, unit: Unit, target: Located) -> Problem | None:
    sym = target.symbol
    if sym.signature is None or len(target.file.by_qualname.get(sym.qualname, ())) != 1 or sym.dynamic:
        return None  # overloads (TS), a name declared twice, a `let` that may hold another function
    params = sym.signature.params
    js = target.file.language is JAVASCRIPT
    if any(p.kind != POSITIONAL_OR_KEYWORD for p in params) or (js and any(p.has_default for p in params)):
        return None
    if reads_arguments(target):
        return None
    shape = _shape(params, target, f"{sym.name}()")
    p = _fit(ws, ref, unit, shape) if shape is not None else None
    if p is not None and js and p.missing and p.placeholder is None:
        return None  # fewer arguments than parameters, none of them added lately: JS allows it
    if p is not None and p.missing and any(_may_be_void(q.annotation) for q in params[max(ref.nargs, 0):]):
        return None  # `mutate(variables: TVariables)`: a type parameter may be void (then optional)
    return p


PRIMITIVES = frozenset({"string", "number", "boolean", "bigint", "symbol", "object", "never"})


def _may_be_void(annotation: str | None) -> bool:
    """Whether a parameter's type may accept `void` (tsc then lets the argument be left out):
    a type parameter or an alias the map does not read (a bare name not a primitive), or a type
    that says void, undefined, any or unknown."""
    if annotation is None:
        return False  # (TS without a type: required; JS is decided above)
    words = set(annotation.replace("|", " ").replace("<", " ").replace(">", " ").split())
    if words & {"void", "undefined", "any", "unknown"}:
        return True
    return annotation.isidentifier() and annotation not in PRIMITIVES


def reads_arguments(fn: Located) -> bool:
    """Whether a function reads `arguments` (then every count of arguments may be meant)."""
    q = fn.symbol.qualname
    return any(r.name == "arguments" and (r.scope == q or r.scope.startswith(q + "."))
               for r, _ in fn.file.iter_refs())


def commonjs(fm: FileMap) -> bool:
    """A module that uses `module`, `exports` or `require` at its top level."""
    return any(r.name in COMMONJS_NAMES and r.scope == "" and r.kind == REF_NAME for r, _ in fm.iter_refs())
