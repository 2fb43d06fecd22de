"""Navigation on the map: definition, references, highlights, a file's outline.

Everything here answers in map units (workspace-relative paths, rows, byte columns); the LSP
features convert at the boundary. References of a symbol are the map's resolved uses
(`relations.uses_of`), narrowed to the symbol's own file when the symbol cannot be seen from
elsewhere (locals, parameters), and looked up through a per-file name index so a request costs
the references that carry the name, not every reference of every file that mentions it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from .filemap import FileMap
from .records import (
    ATTRIBUTE,
    CLASS,
    FUNCTION,
    IMPORT,
    METHOD,
    MODULE,
    MODULE_REF,
    PARAMETER,
    REF_BIND,
    REF_IMPORT,
    REF_KEYWORD,
    REF_NAME,
    Ref,
    Symbol,
    Unit,
)
from .relations import Use
from .resolve import LOCAL, External, Resolver, Target
from .workspace import Located, Workspace

Range = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Spot:
    """A place in a file: a definition or a reference. `write` marks bindings."""

    path: str
    range: Range
    write: bool = False


# -- a per-file index of references by name ---------------------------------------------------


class RefIndex:
    """name -> [(ref, unit)] for each file, rebuilt only for files whose map was replaced.

    A FileMap is replaced (never mutated) when its file changes, so identity says whether an
    entry is current.
    """

    def __init__(self) -> None:
        self._by_path: dict[str, tuple[FileMap, dict[str, list[tuple[Ref, Unit]]], set[str]]] = {}
        self._lock = threading.Lock()

    def _entry(self, fm: FileMap) -> tuple[FileMap, dict[str, list[tuple[Ref, Unit]]], set[str]]:
        entry = self._by_path.get(fm.path)
        if entry is None or entry[0] is not fm:
            table: dict[str, list[tuple[Ref, Unit]]] = {}
            keywords: set[str] = set()
            for unit in fm.units:
                for ref in unit.refs:
                    table.setdefault(ref.name, []).append((ref, unit))
                    if ref.kind == REF_KEYWORD:
                        keywords.add(ref.name)
            entry = (fm, table, keywords)
            with self._lock:
                self._by_path[fm.path] = entry
        return entry

    def named(self, fm: FileMap, name: str) -> list[tuple[Ref, Unit]]:
        return self._entry(fm)[1].get(name, [])

    def has_keyword(self, fm: FileMap, name: str) -> bool:
        """Whether the file passes `name=...` to some call."""
        return name in self._entry(fm)[2]


def ref_index(ws: Workspace) -> RefIndex:
    """The workspace's reference index, kept on the Workspace object so it lives as long."""
    idx = ws.__dict__.get("_ref_index")
    if idx is None:
        idx = ws.__dict__.setdefault("_ref_index", RefIndex())
    return idx


# -- what a symbol can be seen from ------------------------------------------------------------


def is_file_local(loc: Located) -> bool:
    """Symbols no other file can name: names bound inside functions (parameters are named by
    keyword arguments at call sites, see candidate_files)."""
    sym = loc.symbol
    if not sym.parent or sym.kind == PARAMETER:
        return False
    owner = loc.file.lookup(sym.parent)
    return owner is not None and owner.kind in (FUNCTION, METHOD) and sym.kind != ATTRIBUTE


def candidate_files(ws: Workspace, loc: Located) -> list[FileMap]:
    """The files that can hold a use of `loc`: its own, and those whose references carry its
    name (for a parameter: as a keyword argument, so `self` does not drag in every file)."""
    if is_file_local(loc):
        return [loc.file]
    name = loc.symbol.name
    if loc.symbol.kind == PARAMETER:
        index = ref_index(ws)
        return [loc.file] + [fm for fm in list(ws.files.values()) if fm is not loc.file
                             and name in fm.ref_names and index.has_keyword(fm, name)]
    return [fm for fm in list(ws.files.values()) if name in fm.ref_names]


# -- uses ---------------------------------------------------------------------------------------


def uses(ws: Workspace, resolver: Resolver, loc: Located, *, include_binds: bool = True,
         files: list[FileMap] | None = None, through_aliases: bool = True) -> Iterator[Use]:
    """Every reference that resolves to `loc`, imports followed (as relations.uses_of).

    With `through_aliases`, `from m import f as g` makes the uses of `g` (in that file, and in
    files importing `g` from it) uses of `f` too; a rename wants them left out, since the alias
    keeps its name.
    """
    want = loc.symbol.id
    index = ref_index(ws)
    names = [loc.symbol.name]
    done: set[str] = set()
    while names:
        name = names.pop()
        if name in done:
            continue
        done.add(name)
        if files is not None:
            scope = files
        elif name == loc.symbol.name:
            scope = candidate_files(ws, loc)
        else:
            scope = [fm for fm in list(ws.files.values()) if name in fm.ref_names]
        for fm in scope:
            for ref, unit in index.named(fm, name):
                if not include_binds and ref.kind == REF_BIND:
                    continue
                t = resolver.resolve_ref(fm, ref, unit)
                if not isinstance(t, Located):
                    continue
                if t.symbol.id != want:
                    if ref.kind != REF_IMPORT or t.symbol.kind != IMPORT:
                        continue
                    final = resolver.follow_import(t)
                    if not isinstance(final, Located) or final.symbol.id != want:
                        continue
                yield Use(fm, ref, unit)
                if through_aliases and ref.kind == REF_IMPORT:
                    alias = alias_of(unit, ref)
                    if alias is not None and alias not in done:
                        names.append(alias)


def alias_of(unit: Unit, ref: Ref) -> str | None:
    """The name an import binds when it is not the imported name (`import x as y`: `y`)."""
    if ref.receiver == MODULE_REF:
        want: tuple[str, ...] = (ref.module or ref.name,)
    else:
        want = (ref.module or "", ref.name)
    for s in unit.symbols:
        if s.kind == IMPORT and s.target == want and s.name != ref.name:
            return s.name
    return None


def definition(resolver: Resolver, fm: FileMap, row: int, col: int) -> Located | None:
    """The workspace definition of what is under (row, col), or None (unknown).

    A name imported from outside the workspace is defined, as far as the workspace goes, by its
    import: that is where this answers (`import json` for `json`), rather than nothing.
    """
    t = resolver.target_at(fm, row, col)
    if isinstance(t, Located):
        return on_source(resolver, t)
    if isinstance(t, External) and t is not LOCAL and t.module != "builtins":
        return import_alias_at(resolver, fm, row, col)
    return None


def implementation_of(ws: Workspace, loc: Located) -> Located:
    """For a symbol of a stub with its source beside it (`headers.pyi` and `headers.py`), the
    source's symbol of the same qualname: where textDocument/definition goes, as jedi's goto
    does (the code, not its types). References and renames stay with the symbol resolution
    gives, which is the one uses resolve to."""
    path = loc.file.path
    if not path.endswith(".pyi") or loc.symbol.kind == MODULE:
        return loc
    source = ws.files.get(path[:-1])
    sym = source.lookup(loc.symbol.qualname) if source is not None else None
    return Located(source, sym) if sym is not None else loc


def wants_jedi(resolver: Resolver, fm: FileMap, row: int, col: int, answer: Located | None) -> bool:
    """Whether jedi should be asked for the definition at (row, col): the map has no answer for
    a reference it holds (a receiver it cannot type), or its answer is only the import of an
    outside name (the real definition is in the standard library or site-packages). Not for
    locals of comprehensions and lambdas (the map knows they are there and keeps no symbol), nor
    for builtins (C code: jedi would answer a line of its bundled typeshed stub)."""
    if fm.language.semantic != "jedi" or answer is not None and answer.symbol.kind != IMPORT:
        return False
    t = resolver.target_at(fm, row, col)
    if t is LOCAL or isinstance(t, External) and t.module == "builtins":
        return False
    if answer is not None:
        return isinstance(t, External) or isinstance(t, Located) and t.symbol.kind == IMPORT
    return resolver.ref_at(fm, row, col) is not None or resolver.symbol_at(fm, row, col) is not None


def on_source(resolver: Resolver, loc: Located) -> Located:
    """A definition declared in a stub lands on its source, where the body is (a stub-only
    definition stays in its stub)."""
    return (resolver.source_of(loc) or loc) if loc.file.is_stub else loc


def import_alias_at(resolver: Resolver, fm: FileMap, row: int, col: int) -> Located | None:
    """The import binding that the name under (row, col) stands for, if it is one."""
    sym = resolver.symbol_at(fm, row, col)
    if sym is not None:
        return Located(fm, sym) if sym.kind == IMPORT else None
    hit = resolver.ref_at(fm, row, col)
    if hit is None or hit[0].kind not in (REF_NAME, REF_BIND):
        return None
    t = resolver.resolve_ref(fm, hit[0], hit[1], follow=False)
    return t if isinstance(t, Located) and t.symbol.kind == IMPORT else None


def target(resolver: Resolver, fm: FileMap, row: int, col: int) -> Target | None:
    return resolver.target_at(fm, row, col)


def word_range(resolver: Resolver, fm: FileMap, row: int, col: int) -> Range | None:
    """The range of the name under (row, col): a definition's name or a reference."""
    sym = resolver.symbol_at(fm, row, col)
    if sym is not None:
        return sym.name_range
    hit = resolver.ref_at(fm, row, col)
    if hit is None:
        return None
    ref, unit = hit
    r = ref.row + unit.start_row
    return r, ref.col, r, ref.end_col


def declaration_spot(loc: Located) -> Spot:
    return Spot(loc.file.path, loc.symbol.name_range if loc.symbol.kind != MODULE else (0, 0, 0, 0),
                write=True)


def references(ws: Workspace, resolver: Resolver, loc: Located,
               include_declaration: bool) -> list[Spot]:
    out: list[Spot] = []
    if include_declaration and loc.symbol.kind != MODULE:
        out.append(declaration_spot(loc))
        out += [Spot(loc.file.path, s.name_range, True) for s in companions(loc)]
    seen = {(s.path, s.range) for s in out}
    for use in uses(ws, resolver, loc):
        spots = [Spot(use.file.path, use.range, use.ref.kind == REF_BIND)]
        alias = same_name_alias(use)
        if alias is not None:
            spots.append(Spot(use.file.path, alias.name_range, True))
        for spot in spots:
            if (spot.path, spot.range) not in seen:
                seen.add((spot.path, spot.range))
                out.append(spot)
    out.sort(key=lambda s: (s.path != loc.file.path, s.path, s.range))
    return out


def companions(loc: Located) -> list[Symbol]:
    """Other definitions that are parts of this one: `@overload` stubs of a function, and a
    property's `@x.setter` / `@x.deleter` (they share its qualname)."""
    sym = loc.symbol
    same = loc.file.by_qualname.get(sym.qualname, ())
    if len(same) < 2:
        return []
    accessor = (f"{sym.name}.setter", f"{sym.name}.deleter", f"{sym.name}.getter")
    return [s for s in same if s is not sym and s.kind == sym.kind and any(
        d.rpartition(".")[2] == "overload" or d in accessor for d in s.decorators)]


def same_name_alias(use: Use) -> Symbol | None:
    """`from m import f as f` (an explicit re-export): the alias names the same thing."""
    ref = use.ref
    if ref.kind != REF_IMPORT or ref.receiver == MODULE_REF:
        return None
    r = use.range
    for s in use.unit.symbols:
        if (s.kind == IMPORT and s.name == ref.name and s.target == (ref.module or "", ref.name)
                and s.name_range != r):
            return s
    return None


def highlights(ws: Workspace, resolver: Resolver, fm: FileMap, loc: Located) -> list[Spot]:
    """Uses of `loc` inside `fm` only, with the definition when it is in `fm`."""
    out: list[Spot] = []
    if loc.file.path == fm.path and loc.symbol.kind != MODULE:
        out.append(declaration_spot(loc))
    seen = {s.range for s in out}
    for use in uses(ws, resolver, loc, files=[fm]):
        if use.range not in seen:
            seen.add(use.range)
            out.append(Spot(fm.path, use.range, use.ref.kind == REF_BIND))
    out.sort(key=lambda s: s.range)
    return out


# -- outline --------------------------------------------------------------------------------------

OUTLINE_KINDS = frozenset({CLASS, FUNCTION, METHOD, "variable", "constant", ATTRIBUTE})


@dataclass
class OutlineNode:
    symbol: Symbol
    children: list[OutlineNode] = field(default_factory=list)


def outline(fm: FileMap) -> list[OutlineNode]:
    """The file's symbols as a tree (parameters and import aliases left out)."""
    nodes: dict[str, OutlineNode] = {}
    roots: list[OutlineNode] = []
    for s in fm.symbols[1:]:
        if s.kind not in OUTLINE_KINDS or "<" in (s.parent or ""):
            continue  # (what an anonymous function declares: a JS callback's locals)
        node = OutlineNode(s)
        if s.id not in nodes:
            nodes.setdefault(s.qualname, node)
        parent = nodes.get(s.parent or "") if s.parent else None
        (parent.children if parent is not None else roots).append(node)
    return roots


def container_of(fm: FileMap, sym: Symbol) -> str:
    """Dotted name of what holds `sym`, for flat symbol lists."""
    return f"{fm.module}.{sym.parent}" if sym.parent else fm.module
