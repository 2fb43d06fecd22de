"""The relations between symbols: contains, imports, calls, references, inherits.

They are derived on demand from references and resolution rather than stored, so an edit never
has to patch a relation table: patching the references of the edited units is enough. Incoming
relations search only the files whose references mention the symbol's name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .filemap import FileMap
from .records import (
    CLASS,
    FUNCTION,
    IMPORT,
    METHOD,
    MODULE,
    REF_BASE,
    REF_BIND,
    REF_IMPORT,
    Ref,
    Symbol,
    Unit,
)
from .resolve import External, Resolver
from .workspace import Located, Workspace

CONTAINS, IMPORTS, CALLS, REFERENCES, INHERITS = "contains", "imports", "calls", "references", "inherits"


@dataclass(frozen=True, slots=True)
class Use:
    """A reference with where it is and what holds it."""

    file: FileMap
    ref: Ref
    unit: Unit

    @property
    def row(self) -> int:
        return self.ref.row + self.unit.start_row

    @property
    def range(self) -> tuple[int, int, int, int]:
        r = self.row
        return r, self.ref.col, r, self.ref.end_col

    def holder(self) -> str:
        """In-module qualname of the innermost named scope (anonymous scopes skipped; a Java
        method's scope `C.m(int,String)` is the method `C.m`: overloads share the qualname, and
        `in_body` tells them apart by position)."""
        parts = [p.split("(", 1)[0] for p in self.ref.scope.split(".") if p and not p.startswith("<")]
        return ".".join(parts)

    def in_body(self, sym: Symbol) -> bool:
        """Whether the use is inside `sym`'s text (of its file): one of several definitions of
        a qualname (Java overloads, conditional definitions) by where it is."""
        r = sym.range
        return r[0] <= self.row <= r[2]


def _class_written_at(unit: Unit, ref: Ref) -> str | None:
    """The class whose header lists `ref` as a base: the nearest class name before it."""
    best = None
    for s in unit.symbols:
        if s.kind == CLASS and s.name_byte < ref.byte and (best is None or s.name_byte > best.name_byte):
            best = s
    return best.qualname if best is not None else None


def relation_of(ref: Ref, target: Located) -> str:
    if ref.kind == REF_BASE:
        return INHERITS
    if ref.kind == REF_IMPORT:
        return IMPORTS
    if ref.nargs >= 0 and target.symbol.kind in (FUNCTION, METHOD, CLASS):
        return CALLS
    return REFERENCES


def uses_of(ws: Workspace, resolver: Resolver, loc: Located, include_binds: bool = True) -> Iterator[Use]:
    """Every reference in the workspace that resolves to `loc` (imports followed)."""
    name = loc.symbol.name
    want = loc.symbol.id
    for fm in list(ws.files.values()):
        if name not in fm.ref_names:
            continue
        for unit in fm.units:
            for ref in unit.refs:
                if ref.name != name or (not include_binds and ref.kind == REF_BIND):
                    continue
                t = resolver.resolve_ref(fm, ref, unit)
                if isinstance(t, Located) and t.symbol.id == want:
                    yield Use(fm, ref, unit)
                elif ref.kind == REF_IMPORT and isinstance(t, Located) and t.symbol.kind == IMPORT:
                    final = resolver.follow_import(t)
                    if isinstance(final, Located) and final.symbol.id == want:
                        yield Use(fm, ref, unit)


def uses_within(fm: FileMap, loc: Located) -> Iterator[Use]:
    """References inside a symbol's body (for a module: the whole file)."""
    sym = loc.symbol
    if sym.kind == MODULE:
        for unit in fm.units:
            for ref in unit.refs:
                yield Use(fm, ref, unit)
        return
    qual = sym.local_qualname
    r = sym.range
    for unit in fm.units:
        if unit.end_row < r[0] or unit.start_row > r[2]:
            continue
        for ref in unit.refs:
            use = Use(fm, ref, unit)
            held = use.holder()
            if (held == qual or held.startswith(qual + ".")) and use.in_body(sym):
                yield use


def outgoing(ws: Workspace, resolver: Resolver, loc: Located) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {CALLS: [], REFERENCES: [], IMPORTS: [], INHERITS: []}
    seen: set[tuple[str, str]] = set()
    for use in uses_within(loc.file, loc):
        t = resolver.resolve_ref(use.file, use.ref, use.unit)
        if t is None or (isinstance(t, External) and t.module == "<local>"):
            continue
        if isinstance(t, Located):
            if t.symbol.id == loc.symbol.id or t.symbol.id.startswith(loc.symbol.id + "."):
                continue
            rel = relation_of(use.ref, t)
            key = (rel, t.symbol.id)
            if key in seen:
                continue
            seen.add(key)
            out[rel].append({"id": t.symbol.id, "kind": t.symbol.kind, "line": use.row})
        else:
            rel = INHERITS if use.ref.kind == REF_BASE else IMPORTS if use.ref.kind == REF_IMPORT else REFERENCES
            key = (rel, t.dotted)
            if key in seen or (rel == REFERENCES and t.module == "builtins"):
                continue
            seen.add(key)
            out[rel].append({"external": t.dotted, "line": use.row})
    return out


def incoming(ws: Workspace, resolver: Resolver, loc: Located) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {CALLS: [], REFERENCES: [], IMPORTS: [], INHERITS: []}
    for use in uses_of(ws, resolver, loc, include_binds=False):
        rel = relation_of(use.ref, loc)
        holder = use.holder()
        out[rel].append({"caller": f"{use.file.path}::{holder}" if holder else use.file.path,
                         "path": use.file.path, "line": use.row, "col": use.ref.col})
    return out


def children(loc: Located) -> list[dict]:
    qual = loc.symbol.local_qualname
    return [{"id": s.id, "kind": s.kind, "name": s.name}
            for s in loc.file.symbols[1:]
            if (s.parent or "") == qual and (loc.symbol.kind != MODULE or "." not in s.qualname)]


def file_imports(resolver: Resolver, fm: FileMap, module_level: bool = False) -> list[str]:
    """Workspace files this file imports (module -> module edges); with `module_level`, only the
    imports that run when the module is imported (not those inside functions and classes)."""
    out: list[str] = []
    for unit in fm.units:
        for ref in unit.refs:
            if ref.kind != REF_IMPORT or (module_level and ref.scope):
                continue
            t = resolver.resolve_ref(fm, ref, unit)
            if isinstance(t, Located):
                path = t.file.path
                if path != fm.path and path not in out:
                    out.append(path)
    return out


def unresolved_imports(resolver: Resolver, ws: Workspace) -> list[dict]:
    """Relative imports, and absolute ones into a workspace package, that find nothing.

    An import that resolves outside the workspace is resolved (External), also when it goes
    through a workspace module that re-exports it (`from .compat import urlparse` where compat
    does `from urllib.parse import urlparse`); a namespace package (a folder of modules with no
    `__init__`) is a module. Unresolved: the workspace module is not there, or it does not
    define the name."""
    out = []
    top_packages = {m.split(".")[0] for m in ws.modules}
    for fm in list(ws.files.values()):
        for unit in fm.units:
            for ref in unit.refs:
                if ref.kind != REF_IMPORT:
                    continue
                mod = ref.module or ""
                absolute = resolver.absolute_module(fm, mod)
                if not mod.startswith(".") and absolute.split(".")[0] not in top_packages:
                    continue  # a third-party or stdlib import: not the map's to resolve
                target = resolver.resolve_ref(fm, ref, unit)
                missing_module = (isinstance(target, External)
                                  and (target.module.split(".")[0] in top_packages
                                       or (mod.startswith(".") and target.module == absolute))
                                  and ws.file_of_module(target.module) is None
                                  and not ws.is_namespace(target.module))
                if target is None or missing_module:
                    out.append({"path": fm.path, "line": ref.row + unit.start_row,
                                "module": absolute, "name": ref.name})
    return out


def all_edges(ws: Workspace, resolver: Resolver) -> list[tuple[str, str, str]]:
    """(relation, from id, to id) for the whole workspace; for --json and graph ranking."""
    edges: set[tuple[str, str, str]] = set()
    for fm in list(ws.files.values()):
        for s in fm.symbols[1:]:
            parent = f"{fm.path}::{s.parent}" if s.parent else fm.path
            parent_id = parent if parent in fm.by_id else fm.path
            edges.add((CONTAINS, parent_id, s.id))
        for unit in fm.units:
            for ref in unit.refs:
                if ref.kind == REF_BIND:
                    continue
                t = resolver.resolve_ref(fm, ref, unit)
                if not isinstance(t, Located):
                    continue
                holder = Use(fm, ref, unit).holder()
                if ref.kind == REF_BASE:
                    holder = _class_written_at(unit, ref) or holder
                src = f"{fm.path}::{holder}" if holder else fm.path
                if src not in fm.by_id:
                    src = fm.path
                rel = relation_of(ref, t)
                target = t.file.path if rel == IMPORTS else t.symbol.id
                if rel == IMPORTS:
                    src = fm.path
                if src != target:
                    edges.add((rel, src, target))
    return sorted(edges)
