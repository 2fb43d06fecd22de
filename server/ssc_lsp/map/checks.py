"""Continuity checks: what the map can tell is broken after a change, and what the history says.

Three checks, each silent unless the map is sure:

- a call whose argument count or keyword names do not fit the callee's signature;
- an import of a name that a workspace module does not define (renamed or removed);
- a use of a workspace symbol that the history shows was removed or renamed.

Certainty first: nothing is said when the callee takes `*args`/`**kwargs`, carries a decorator
that could change its signature, is defined conditionally or twice, when the call unpacks
`*`/`**`, when the receiver's type is a guess (a name bound more than once, an attribute chain),
when a subclass overrides the method (`self.m()` may reach the override), when a class has a base
outside the workspace (a metaclass may take the call), a decorator (dataclasses write `__init__`)
or a `__new__`, or when the target module could produce names at run time (`__getattr__`, star
imports of outside modules, import hooks), or the import sits in a `try`. A callee with a stub
beside its source is checked against both (see `_check_with_stub`); a name a module's stub or
source defines is not missing. A message says what the map knows, with the history's time when it
has one ("since its change at 14:02").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .changes import clock_time
from .filemap import FileMap
from .history import REMOVED, RENAMED, SIGNATURE_CHANGED, Event
from .records import (
    CLASS,
    FUNCTION,
    IMPORT,
    KEYWORD_ONLY,
    METHOD,
    MODULE,
    PARAMETER,
    POSITIONAL_ONLY,
    POSITIONAL_OR_KEYWORD,
    REF_ATTRIBUTE,
    REF_IMPORT,
    REF_NAME,
    VAR_KEYWORD,
    VAR_POSITIONAL,
    Param,
    Ref,
    Unit,
)
from .resolve import External, Instance, Resolver, SuperOf, Value
from .workspace import Located, Workspace

Range = tuple[int, int, int, int]

CALL_ARGUMENTS = "call-arguments"
CALL_KEYWORD = "call-keyword"
IMPORT_MISSING = "import-missing"
SYMBOL_REMOVED = "symbol-removed"

# decorators that leave a function's signature as it is
TRANSPARENT = frozenset({
    "staticmethod", "classmethod", "abstractmethod", "abc.abstractmethod", "override",
    "typing.override", "typing_extensions.override", "functools.cache", "cache",
    "functools.lru_cache", "lru_cache", "functools.lru_cache()", "lru_cache()",
})


CACHES = ("lru_cache(", "functools.lru_cache(")

# bases that add nothing to how a class is called: `class C(object)`, `class C(Generic[T])`
PLAIN_BASES = frozenset({External("builtins", "object"), External("typing", "Generic"),
                         External("typing_extensions", "Generic")})

IMPLICIT_CLASSMETHODS = frozenset({"__init_subclass__", "__class_getitem__"})


@dataclass
class Fix:
    """A certain repair: replace `range` in the problem's file with `text`."""

    title: str
    edits: list[tuple[Range, str]]


@dataclass
class Problem:
    range: Range
    code: str
    message: str
    symbol: str | None = None  # the symbol the problem is about (for dependents)
    fixes: list[Fix] = field(default_factory=list)
    placeholder: str | None = None  # a required parameter the history shows was added
    missing: bool = False  # only arguments are missing (a call still being written is fine)

    def key(self) -> tuple:
        return self.range, self.code, self.message


# -- the checks ------------------------------------------------------------------------------------


def check_file(ws: Workspace, resolver: Resolver, fm: FileMap) -> list[Problem]:
    out: list[Problem] = []
    for _ in check_file_steps(ws, resolver, fm, out):
        pass
    return out


def check_file_steps(ws: Workspace, resolver: Resolver, fm: FileMap,
                     out: list[Problem]) -> Iterator[None]:
    """`check_file` one unit at a time, problems into `out` (sorted at the end): a caller can
    give way between units (a large module's check costs tens of milliseconds). The checks are
    the file's language's (`Language.check`); a language without them gets none."""
    steps = fm.language.check_steps()
    if steps is not None:
        yield from steps(ws, resolver, fm, out)


def python_steps(ws: Workspace, resolver: Resolver, fm: FileMap, out: list[Problem]) -> Iterator[None]:
    """Python's continuity checks, one unit at a time (see `check_file_steps`)."""
    yield from ref_steps(_check_ref, ws, resolver, fm, out)


def ref_steps(check_ref: Callable[[Workspace, Resolver, FileMap, Unit, Ref], Problem | None], ws: Workspace,
              resolver: Resolver, fm: FileMap, out: list[Problem]) -> Iterator[None]:
    """A language's `check_ref` on every reference of a file, a `yield` after each unit;
    problems into `out`, sorted at the end (a reference too deep to resolve is no problem)."""
    for unit in list(fm.units):
        for ref in unit.refs:
            try:
                p = check_ref(ws, resolver, fm, unit, ref)
            except RecursionError:
                p = None
            if p is not None:
                out.append(p)
        yield
    out.sort(key=lambda p: p.range)


def _check_ref(ws: Workspace, resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref) -> Problem | None:
    if ref.kind == REF_IMPORT:
        return check_import(ws, resolver, fm, unit, ref)
    if ref.kind not in (REF_NAME, REF_ATTRIBUTE):
        return None
    target = resolver.resolve_ref(fm, ref, unit)
    if target is None:
        return check_missing(ws, resolver, fm, unit, ref)
    if ref.nargs >= 0 and isinstance(target, Located):
        return check_call(ws, resolver, fm, unit, ref, target)
    return None


def _range(unit: Unit, ref: Ref) -> Range:
    row = ref.row + unit.start_row
    return row, ref.col, row, ref.end_col


# -- calls -------------------------------------------------------------------------------------------


@dataclass
class Shape:
    """What a call must look like: positional slots, keyword names, what is required."""

    positional: list[Param]
    keyword: list[Param]  # keyword-only
    callee: Located
    label: str  # `send()`, `Order()`

    @property
    def min_positional(self) -> int:
        return sum(1 for p in self.positional if not p.has_default)


def call_shape(resolver: Resolver, fm: FileMap, ref: Ref, target: Located) -> Shape | None:
    """The signature a call must fit, or None when the map cannot be sure of it."""
    if target.symbol.kind == CLASS:
        return _class_shape(resolver, target)
    params = call_params(resolver, fm, ref, target)
    return None if params is None else _shape(params, target, f"{target.symbol.name}()")


def call_params(resolver: Resolver, fm: FileMap, ref: Ref, target: Located) -> list[Param] | None:
    """The parameters a call of a function or method fills (a bound `self`/`cls` left out), or
    None when the map cannot be sure of them (a decorator, a receiver it cannot type)."""
    sym = target.symbol
    if sym.kind not in (FUNCTION, METHOD) or not _plain(target):
        return None
    params = list(sym.signature.params) if sym.signature else []
    if sym.kind == METHOD:
        bound = _bound(resolver, fm, ref, target)
        if bound is None:
            return None
        static = "staticmethod" in sym.decorators or sym.name == "__new__"
        classmethod = "classmethod" in sym.decorators or sym.name in IMPLICIT_CLASSMETHODS
        if (bound or classmethod) and params and not static:
            params = params[1:]
    return params


def _class_shape(resolver: Resolver, cls: Located) -> Shape | None:
    seen: set[str] = set()
    todo = [cls]
    while todo:  # every class in the hierarchy: in the workspace, undecorated, no __new__
        c = todo.pop()
        if c.symbol.id in seen:
            continue
        seen.add(c.symbol.id)
        if c.symbol.decorators or c.symbol.dynamic or c.file.lookup(f"{c.symbol.qualname}.__new__"):
            return None
        if c.symbol.bases and len(resolver.bases(c)) != len(c.symbol.bases):
            return None
        for b in resolver.bases(c):
            if isinstance(b, External) and b in PLAIN_BASES:
                continue
            if not isinstance(b, Located):
                return None
            todo.append(b)
    init = resolver.class_member(cls, "__init__")
    if not isinstance(init, Located) or init.symbol.kind != METHOD or not _plain(init):
        return None
    params = list(init.symbol.signature.params[1:]) if init.symbol.signature else []
    return _shape(params, init, f"{cls.symbol.name}()")


def _plain(loc: Located) -> bool:
    """A definition whose signature is what it says: one definition, no unknown decorator."""
    sym = loc.symbol
    if sym.dynamic or "@" in sym.id or len(loc.file.by_qualname.get(sym.qualname, ())) > 1:
        return False
    return all(transparent(d) for d in sym.decorators)


def transparent(decorator: str) -> bool:
    """A decorator that leaves the signature as it is, whatever its arguments
    (`@lru_cache(maxsize=4096)` as much as `@lru_cache()`)."""
    return decorator in TRANSPARENT or decorator.startswith(CACHES)


def _shape(params: list[Param], callee: Located, label: str) -> Shape | None:
    if any(p.kind in (VAR_POSITIONAL, VAR_KEYWORD) for p in params):
        return None
    return Shape([p for p in params if p.kind in (POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD)],
                 [p for p in params if p.kind == KEYWORD_ONLY], callee, label)


def _bound(resolver: Resolver, fm: FileMap, ref: Ref, target: Located) -> bool | None:
    """Whether a method call passes the instance itself; None when unsure."""
    if ref.kind != REF_ATTRIBUTE or ref.receiver is None:
        return False  # a method named bare inside its class body: a plain function there
    value = resolver.value_of_expr(fm, ref.scope, ref.receiver)
    if isinstance(value, Instance | SuperOf):
        return _certain_instance(resolver, fm, ref)
    if isinstance(value, Located) and value.symbol.kind == CLASS:
        if not _static_path(resolver, fm, ref):
            return None
        return "classmethod" in target.symbol.decorators
    return None


def _certain_instance(resolver: Resolver, fm: FileMap, ref: Ref) -> bool | None:
    """An instance receiver is certain for `self`, `super()`, annotated parameters and
    names bound once; an attribute chain (`self.widget`) may hold anything."""
    text = ref.receiver or ""
    if text == "super()" or text in ("self", "cls"):
        return True
    if not text.isidentifier():
        return None
    loc = resolver.resolve_name(fm, ref.scope, text, follow=False)
    if not isinstance(loc, Located):
        return None
    sym = loc.symbol
    if sym.kind == PARAMETER:
        return True if sym.annotation or _is_first_param(loc) else None
    if sym.kind not in ("variable", "constant"):
        return None
    rebinds = sum(1 for u in loc.file.units for r in u.refs
                  if r.name == text and r.kind == "bind" and r.scope == (sym.parent or ""))
    return True if rebinds == 0 else None


def _static_path(resolver: Resolver, fm: FileMap, ref: Ref) -> bool:
    """`Cls.method(...)`, `mod.Cls.method(...)`: the receiver names a class, no variable."""
    parts = (ref.receiver or "").split(".")
    if not all(p.isidentifier() for p in parts):
        return False
    value = resolver.resolve_name(fm, ref.scope, parts[0])
    for part in parts[1:]:
        if not isinstance(value, Located) or value.symbol.kind not in (MODULE, CLASS):
            return False
        value = resolver.member_of(value, part)
    return isinstance(value, Located) and value.symbol.kind == CLASS


def _is_first_param(loc: Located) -> bool:
    owner = loc.file.lookup(loc.symbol.parent or "")
    return bool(owner and owner.signature and owner.signature.params
                and owner.signature.params[0].name == loc.symbol.name)


def _overridden(ws: Workspace, resolver: Resolver, method: Located) -> bool:
    """Whether a subclass redefines the method: `self.m(...)` may then reach the override."""
    cls = method.file.lookup(method.symbol.parent or "")
    if cls is None:
        return False
    from .hierarchy import subtypes  # hierarchy imports navigation, which is heavier

    todo = [Located(method.file, cls)]
    seen: set[str] = set()
    while todo:
        c = todo.pop()
        if c.symbol.id in seen:
            continue
        seen.add(c.symbol.id)
        for sub in subtypes(ws, resolver, c):
            if sub.file.lookup(f"{sub.symbol.qualname}.{method.symbol.name}") is not None:
                return True
            todo.append(sub)
    return False


def check_call(ws: Workspace, resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref,
               target: Located) -> Problem | None:
    if ref.star:
        return None
    other = _other_declaration(ws, resolver, fm, unit, ref, target)
    if other is None:
        return _check_against(ws, resolver, fm, unit, ref, target)
    return _check_with_stub(ws, resolver, fm, unit, ref, target, other)


def _other_declaration(ws: Workspace, resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref,
                       target: Located) -> Located | None:
    """The callee's other side: its source when the call reached a stub, the stub's declaration
    when it reached a source (the call resolved as a type checker would, through stubs)."""
    if target.file.is_stub:
        return resolver.source_of(target)
    if not ws.stubs:
        return None
    declared = resolver.declared().resolve_ref(fm, ref, unit)
    if isinstance(declared, Located) and declared.file.is_stub \
            and declared.symbol.kind == target.symbol.kind:
        return declared
    return None


def _check_against(ws: Workspace, resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref,
                   target: Located) -> Problem | None:
    """The call against one definition's signature."""
    shape = call_shape(resolver, fm, ref, target)
    if shape is None:
        return None
    problem = _fit(ws, ref, unit, shape)
    if problem is not None and shape.callee.symbol.kind == METHOD and shape.callee.symbol.name != "__init__" \
            and _overridden(ws, resolver, shape.callee):
        return None
    return problem


def _check_with_stub(ws: Workspace, resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref,
                     target: Located, other: Located) -> Problem | None:
    """A callee with a source and a stub: the most precise signature speaks, and nothing is said
    when the two disagree about the call. The source's signature, when the map can read it, must
    agree with the stub's (a stub that lags behind the source, as attrs' `asdict` without
    `retain_collection_types`, is no reason to flag a call that runs); a source the map cannot
    read (`*args`, a wrapping decorator) leaves the stub's declared signature to speak alone."""
    source, stub = (other, target) if target.file.is_stub else (target, other)
    if call_shape(resolver, fm, ref, source) is None:
        return _check_against(ws, resolver, fm, unit, ref, stub)
    by_source = _check_against(ws, resolver, fm, unit, ref, source)
    if by_source is None or call_shape(resolver, fm, ref, stub) is None:
        return by_source
    return by_source if _check_against(ws, resolver, fm, unit, ref, stub) is not None else None


def _fit(ws: Workspace, ref: Ref, unit: Unit, shape: Shape) -> Problem | None:
    n = ref.nargs
    kwargs = list(ref.kwargs)
    pos = shape.positional
    by_name = {p.name: p for p in pos + shape.keyword}
    change = _signature_change(ws, shape.callee.symbol.id)
    since = f" since its change at {clock_time(change.time, ws.history.clock())}" if change else ""
    where = _range(unit, ref)
    sid = shape.callee.symbol.id
    if n > len(pos):
        lo, hi = shape.min_positional, len(pos)
        takes = f"{lo}" if lo == hi else f"{lo}-{hi}"
        noun = "argument" if hi == 1 and lo == hi else "arguments"
        return Problem(where, CALL_ARGUMENTS,
                       f"`{shape.label}` takes {takes} positional {noun}{since}; called with {n}", sid)
    for kw in kwargs:
        p = by_name.get(kw)
        if p is None or p.kind == POSITIONAL_ONLY:
            removed = change is not None and kw in (change.detail.get("removed") or [])
            what = f"`{kw}` was removed{since}" if removed else f"has no parameter `{kw}`{since}"
            msg = f"`{shape.label}` {what}" if not removed else f"`{shape.label}`: {what}"
            return Problem(where, CALL_KEYWORD, msg, sid)
        if p in pos[:n]:
            return Problem(where, CALL_KEYWORD,
                           f"`{shape.label}` gets `{kw}` twice: by position and by keyword", sid)
    missing = [p.name for p in pos[n:] if not p.has_default and p.name not in kwargs]
    missing += [p.name for p in shape.keyword if not p.has_default and p.name not in kwargs]
    if missing:
        names = ", ".join(f"`{m}`" for m in missing)
        added = [m for m in missing if change is not None and m in (change.detail.get("added") or [])]
        plural = "s" if len(missing) > 1 else ""
        p = Problem(where, CALL_ARGUMENTS,
                    f"`{shape.label}` is missing the argument{plural} {names}{since}", sid,
                    missing=True)
        if len(missing) == 1 and added:
            p.placeholder = missing[0]
        return p
    return None


def _signature_change(ws: Workspace, symbol_id: str) -> Event | None:
    events = ws.history.query(symbol=symbol_id, kinds=[SIGNATURE_CHANGED])
    return events[-1] if events else None


# -- imports and removed symbols ----------------------------------------------------------------------


def check_import(ws: Workspace, resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref) -> Problem | None:
    if ref.receiver is not None or ref.module is None:
        return None  # a module path, not a name imported from a module
    module = resolver.module_target(fm, ref.module)
    if not isinstance(module, Located):
        return None
    if resolver.resolve_ref(fm, ref, unit, follow=False) is not None:
        return None
    other = ws.other_side(module.file)  # the module's stub, or its source: either may hold the name
    if other is not None and resolver.module_member(other, ref.name, follow=False) is not None:
        return None
    if _imported_conditionally(unit, ref) or not _closed_namespace(resolver, module.file):
        return None
    if module.file.is_package and _installs_import_hooks(ws):
        return None
    mod = module.file
    msg = f"`{mod.module}` has no `{ref.name}`"
    p = Problem(_range(unit, ref), IMPORT_MISSING, msg, None)
    _explain(ws, p, mod.path, ref.name, "")
    if p.fixes:
        p.fixes[0].edits.extend((r, p.fixes[0].edits[0][1]) for r in _uses_of_import(resolver, fm, unit, ref))
    return p


def _uses_of_import(resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref) -> list[Range]:
    """Where the file uses the name an unaliased `from m import name` binds."""
    alias = next((s for s in unit.symbols if s.kind == IMPORT and s.name == ref.name
                  and s.target == (ref.module, ref.name)), None)
    if alias is None:
        return []
    out = []
    for u in fm.units:
        for r in u.refs:
            if r.name != ref.name or r.kind == REF_IMPORT:
                continue
            t = resolver.resolve_ref(fm, r, u, follow=False)
            if isinstance(t, Located) and t.symbol.id == alias.id:
                out.append(_range(u, r))
    return out


def _imported_conditionally(unit: Unit, ref: Ref) -> bool:
    for s in unit.symbols:
        if s.kind == IMPORT and s.target is not None and s.target[-1] == ref.name and s.dynamic:
            return True
    return False


IMPORT_HOOKS = frozenset({"meta_path", "path_hooks"})


def _installs_import_hooks(ws: Workspace) -> bool:
    """Whether some workspace code touches `sys.meta_path`/`sys.path_hooks`: a package's
    submodules may then be made at import time (flask 0.x's `flask.ext.<name>` importer)."""
    return any(not IMPORT_HOOKS.isdisjoint(fm.ref_names) for fm in list(ws.files.values()))


def _closed_namespace(resolver: Resolver, fm: FileMap, seen: set[str] | None = None) -> bool:
    """Whether every name of a module is visible to the map (no `__getattr__`, no outside `*`)."""
    seen = seen or set()
    if fm.path in seen:
        return True
    seen.add(fm.path)
    if fm.lookup("__getattr__") is not None or "__getattr__" in fm.module_bindings():
        return False
    for mod in fm.star_imports():
        t = resolver.module_target(fm, mod)
        if not isinstance(t, Located) or not _closed_namespace(resolver, t.file, seen):
            return False
    return True


def check_missing(ws: Workspace, resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref) -> Problem | None:
    """An unresolved name or member that the history shows was a workspace symbol."""
    if ref.kind == REF_NAME:
        home: FileMap = fm
        parent = ""
        if resolver.resolve_name(fm, ref.scope, ref.name, follow=False) is not None:
            return None  # an import alias that leads nowhere: the import says so
    else:
        value: Value | None = resolver.value_of_expr(fm, ref.scope, ref.receiver or "")
        if isinstance(value, Instance):
            home, parent = value.cls.file, value.cls.symbol.qualname
        elif isinstance(value, Located) and value.symbol.kind in (CLASS, MODULE):
            home = value.file
            parent = value.symbol.qualname if value.symbol.kind == CLASS else ""
        else:
            return None
        if isinstance(value, Located) and value.symbol.kind == MODULE and not _closed_namespace(resolver, home):
            return None
    p = Problem(_range(unit, ref), SYMBOL_REMOVED, "", None)
    qual = f"{parent}.{ref.name}" if parent else ref.name
    _explain(ws, p, home.path, ref.name, parent, label=f"`{qual}`")
    return p if p.message else None


@dataclass
class Fate:
    """What became of a name, by the history: renamed (to a symbol that exists) or removed."""

    renamed: Event | None = None  # the last rename in the chain, to a symbol that exists
    removed: Event | None = None
    via: list[str] = field(default_factory=list)  # names it was renamed through before removal


def fate(ws: Workspace, path: str, name: str, parent: str) -> Fate | None:
    """Follows renames (`a` -> `b` -> `c`) to a symbol that exists, or to a removal."""
    seen = {name}
    via: list[str] = []
    current = name
    for _ in range(8):
        qual = f"{parent}.{current}" if parent else current
        step = _rename_from(ws, path, current, parent)
        if step is not None and step.name not in seen:
            if ws.get(step.symbol) is not None:
                return Fate(renamed=step, via=via)
            seen.add(step.name)
            via.append(step.name)
            current = step.name
            continue
        ev = ws.history.latest(f"{path}::{qual}")
        if ev is not None and ev.kind == REMOVED:
            return Fate(removed=ev, via=via)
        return None
    return None


def _rename_from(ws: Workspace, path: str, old: str, parent: str) -> Event | None:
    for e in reversed(ws.history.log):
        if e.kind == RENAMED and e.path == path and e.detail.get("old_name") == old:
            qual = e.symbol.split("::", 1)[1].split("@", 1)[0] if "::" in e.symbol else ""
            if qual.rpartition(".")[0] == parent:
                return e
    return None


def _explain(ws: Workspace, p: Problem, path: str, name: str, parent: str, label: str = "") -> None:
    """Say what the history knows: renamed (with a fix) or removed, and when."""
    now = ws.history.clock()
    f = fate(ws, path, name, parent)
    if f is None:
        return
    if f.renamed is not None:
        new = f.renamed.name
        when = clock_time(f.renamed.time, now)
        p.message = (f"{p.message}: renamed to `{new}` at {when}" if p.message
                     else f"{label} was renamed to `{new}` at {when}")
        p.symbol = f.renamed.symbol
        p.fixes.append(Fix(f"Update to the renamed symbol `{new}`", [(p.range, new)]))
        return
    assert f.removed is not None
    when = clock_time(f.removed.time, now)
    how = f" (renamed to `{f.via[-1]}` first)" if f.via else ""
    p.message = (f"{p.message}: removed at {when}{how}" if p.message
                 else f"{label} was removed at {when}{how}")


def dependents_of(ws: Workspace, names: set[str], exclude: str | None = None) -> list[str]:
    """Files whose references mention any of `names` (they may need a second look)."""
    if not names:
        return []
    return sorted(p for p, fm in list(ws.files.items())
                  if p != exclude and not names.isdisjoint(fm.ref_names))
