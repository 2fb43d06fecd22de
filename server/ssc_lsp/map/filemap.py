"""One file's part of the map: its units, and the tables derived from them.

`finalize` runs after every (re-)extraction: it gives symbols their workspace-unique ids,
absolute origins, the module symbol, and the lookup tables resolution uses. It is linear in the
file's symbols (not its references), which keeps a keystroke cheap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from .languages import Language, language_for_path
from .records import CLASS, MODULE, Ref, Symbol, Unit


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass
class FileMap:
    path: str  # workspace-relative, forward slashes
    module: str  # dotted module name
    units: list[Unit] = field(default_factory=list)
    hash: str = ""
    lines: int = 0
    symbols: list[Symbol] = field(default_factory=list)
    by_qualname: dict[str, list[Symbol]] = field(default_factory=dict)
    by_id: dict[str, Symbol] = field(default_factory=dict)
    module_symbol: Symbol | None = None
    interface: int = 0  # hash of what other files can see; a change invalidates their lookups
    _ref_names: frozenset[str] | None = None
    names: set[str] = field(default_factory=set)  # names of the symbols defined here
    _derived: dict | None = None  # lazily built namespace tables, dropped by finalize
    language: Language = None  # type: ignore[assignment]  # None: the registry's, by the path
    # by the path and the language, once (resolution asks them hundreds of thousands of times)
    is_package: bool = field(init=False, default=False)  # the folder's module (`__init__.py`)
    is_stub: bool = field(init=False, default=False)  # declarations only (`.pyi`)

    def __post_init__(self) -> None:
        if self.language is None:
            lang = language_for_path(self.path)
            if lang is None:
                raise ValueError(f"no language maps {self.path}")
            self.language = lang
        self.is_package = self.language.is_package(self.path)
        self.is_stub = self.language.is_stub(self.path)

    def finalize(self) -> None:
        prefix = self.path + "::"
        mod = Symbol(
            id=self.path, kind=MODULE, name=self.module.rsplit(".", 1)[-1], qualname=self.module,
            parent=None, span=(0, 0, max(self.lines - 1, 0), 0), name_span=(0, 0, 0, 0),
            doc=self.units[0].doc if self.units else None,
        )
        symbols = [mod]
        by_q: dict[str, list[Symbol]] = {}
        by_id: dict[str, Symbol] = {mod.id: mod}
        names: set[str] = set()
        iface = []
        for unit in self.units:
            row0, byte0 = unit.start_row, unit.start_byte
            for s in unit.symbols:
                s.row0 = row0
                s.byte0 = byte0
                q = s.qualname
                lst = by_q.get(q)
                if lst is None:
                    by_q[q] = [s]
                    s.id = prefix + q
                else:
                    lst.append(s)
                    s.id = f"{prefix}{q}@{len(lst)}"
                by_id[s.id] = s
                names.add(s.name)
            symbols.extend(unit.symbols)
            iface.append(unit.interface())
        self._close_classes()
        self.symbols, self.by_qualname, self.by_id, self.module_symbol = symbols, by_q, by_id, mod
        self.interface = hash(tuple(iface))
        self.names = names
        self._ref_names = None
        self._derived = None

    @property
    def ref_names(self) -> frozenset[str]:
        """Every name this file's references use (to narrow reference searches)."""
        if self._ref_names is None:
            self._ref_names = frozenset().union(*(u.ref_names() for u in self.units))
        return self._ref_names

    def _close_classes(self) -> None:
        """A split class ends where its last body unit ends (see extract.unit_specs).

        Body units follow their header directly, so the run after each header is its body;
        going by position, not by name, keeps two classes of the same name apart.
        """
        cls: Symbol | None = None
        header: Unit | None = None
        last: Unit | None = None
        for unit in [*self.units, None]:
            if unit is not None and unit.kind == "class_body" and cls is not None:
                last = unit
                continue
            if cls is not None:
                # no body unit left (its members deleted): the class ends with its header unit,
                # as a fresh extraction has it; the span of a reused header was closed before
                end = last or header
                cls.span = (cls.span[0], cls.span[1], end.end_row - cls.row0, end.end_col)
            cls = header = last = None
            if unit is not None and unit.kind == "class_header":
                cls = next((s for s in unit.symbols if s.kind == CLASS and s.parent == ""), None)
                header = unit

    # -- lookups -------------------------------------------------------------------------
    def snapshot(self) -> dict:
        """Everything the map knows of this file, with absolute positions, for comparison."""
        syms = [symbol_dict(s) for s in self.symbols]
        refs = [ref_dict(r, u) for r, u in self.iter_refs()]
        t = self._tables()
        return {"path": self.path, "module": self.module, "symbols": syms, "refs": refs,
                "bindings": sorted(t["bindings"]), "stars": t["stars"], "all": t["all"],
                "scopes": {k: sorted(v) for k, v in sorted(t["scopes"].items())},
                "globals": {k: sorted(v) for k, v in sorted(t["globals"].items())}}

    def lookup(self, qualname: str) -> Symbol | None:
        lst = self.by_qualname.get(qualname)
        if not lst:
            return None
        return lst[0] if len(lst) == 1 else self._preferred(lst)

    def _preferred(self, lst: list[Symbol]) -> Symbol:
        """Of several definitions of one qualname, the first that is not a `@overload` stub
        (or inside one: the implementation's parameters, not the stubs')."""
        for s in lst:
            if not self._in_overload(s):
                return s
        return lst[0]

    def _in_overload(self, s: Symbol) -> bool:
        if s.decorators and any(d.rpartition(".")[2] == "overload" for d in s.decorators):
            return True
        if not s.parent:
            return False
        r = s.range
        for f in self.by_qualname.get(s.parent, ()):
            fr = f.range
            if f.decorators and (fr[0], fr[1]) <= (r[0], r[1]) and (r[2], r[3]) <= (fr[2], fr[3]):
                return any(d.rpartition(".")[2] == "overload" for d in f.decorators)
        return False

    def _tables(self) -> dict:
        if self._derived is None:
            bindings: set[str] = set()
            stars: list[str] = []
            all_names: list[str] | None = None
            scopes: dict[str, set[str]] = {}
            globs: dict[str, set[str]] = {}
            for u in self.units:
                bindings.update(u.bindings)
                stars.extend(u.star_imports)
                if u.all_names is not None:
                    all_names = (all_names or []) + u.all_names
                for k, v in u.scopes.items():
                    scopes.setdefault(k, set()).update(v)
                for k, v in u.globals.items():
                    globs.setdefault(k, set()).update(v)
            self._derived = {"bindings": bindings, "stars": stars, "all": all_names,
                             "scopes": scopes, "globals": globs}
        return self._derived

    def module_bindings(self) -> set[str]:
        return self._tables()["bindings"]

    def star_imports(self) -> list[str]:
        return self._tables()["stars"]

    def all_names(self) -> list[str] | None:
        return self._tables()["all"]

    def local_names(self, scope: str) -> set[str] | None:
        """Names bound in a function or anonymous scope, or None when `scope` is not one."""
        return self._tables()["scopes"].get(scope)

    def global_decls(self, scope: str) -> set[str]:
        return self._tables()["globals"].get(scope, set())

    def iter_refs(self) -> Iterator[tuple[Ref, Unit]]:
        for unit in self.units:
            for ref in unit.refs:
                yield ref, unit

    def unit_at(self, byte: int) -> Unit | None:
        lo, hi = 0, len(self.units)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.units[mid].end_byte <= byte:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(self.units) and self.units[lo].start_byte <= byte:
            return self.units[lo]
        return None


def symbol_dict(s: Symbol) -> dict:
    d = {"id": s.id, "kind": s.kind, "name": s.name, "qualname": s.qualname, "parent": s.parent,
         "range": list(s.range), "name_range": list(s.name_range)}
    if s.signature is not None:
        d["signature"] = s.signature.render(s.name)
        d["params"] = [[p.name, p.kind, p.has_default] for p in s.signature.params]
    for key in ("decorators", "doc", "bases", "value", "annotation"):
        v = getattr(s, key)
        if v:
            d[key] = v
    if s.target:
        d["target"] = list(s.target)
    if s.dynamic:
        d["dynamic"] = True
    return d


def ref_dict(r: Ref, u: Unit) -> dict:
    d = {"name": r.name, "kind": r.kind, "scope": r.scope,
         "pos": [r.row + u.start_row, r.col, r.end_col]}
    if r.receiver:
        d["receiver"] = r.receiver
    if r.nargs >= 0:
        d["call"] = [r.nargs, list(r.kwargs), r.star]
    if r.module:
        d["module"] = r.module
    return d
