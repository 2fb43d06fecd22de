"""The workspace-wide map: files, the module table and the name index, patched per file.

`put` replaces one file's map and patches the indices with the difference, so an edit costs the
size of what changed. Name resolution (resolve.py) and the history (history.py) read from here.

A module may have both a source (`.py`) and a stub (`.pyi`) beside it: `modules` names the
source when there is one (what runs: definitions, bodies, submodules), `stubs` names the stub
(what type checkers read: declared signatures). Neither shadows the other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .filemap import FileMap
from .history import History
from .languages import language_for_path
from .records import MODULE, Symbol


def is_stub(path: str) -> bool:
    """A declaration-only file of its language (a `.pyi`)."""
    lang = language_for_path(path)
    return lang is not None and lang.is_stub(path)


@dataclass(frozen=True, slots=True)
class Located:
    """A symbol with the file that holds it."""

    file: FileMap
    symbol: Symbol


class Workspace:
    def __init__(self, roots: Iterable[str] = (), history: History | None = None):
        self.roots = list(roots)
        self.files: dict[str, FileMap] = {}
        # module key (Language.key_of: Python's dotted names are bare) -> path (the source if
        # there is one); stubs: module key -> path of its stub (.pyi)
        self.modules: dict[str, str] = {}
        self.stubs: dict[str, str] = {}
        self.package_dirs: set[str] = set()  # folders a language marks as packages (__init__.py)
        self.names: dict[str, set[str]] = {}  # symbol name -> paths defining it
        self.history = history or History()
        self.generation = 0  # bumped when any file's interface changes
        self.lock = threading.RLock()
        # module -> its map, made now: set by MapService while its index runs, so resolution
        # asked before the index ends maps what it needs instead of answering from a part
        self.loader: Callable[[str], FileMap | None] | None = None
        self._namespaces: tuple[int, frozenset[str]] = (-1, frozenset())

    # -- files -----------------------------------------------------------------------------
    def module_name(self, path: str) -> str:
        """The module name of a source file, by its language's rules."""
        lang = language_for_path(path)
        if lang is None:
            raise ValueError(f"no language maps {path}")
        return lang.module_name(path, self.package_dirs)

    def note_package(self, path: str) -> None:
        lang = language_for_path(path)
        folder = lang.package_dir(path) if lang is not None else None
        if folder is not None:
            self.package_dirs.add(folder)

    def put(self, fm: FileMap, *, version: int | None = None, record: bool = True) -> None:
        """Add or replace a file's map, patching the indices and recording history."""
        with self.lock:
            old = self.files.get(fm.path)
            self.files[fm.path] = fm
            if old is not None and old.module != fm.module:
                self._unindex_module(old)
            self._index_module(fm)
            old_names = {s.name for s in old.symbols} if old else set()
            new_names = {s.name for s in fm.symbols}
            for n in old_names - new_names:
                paths = self.names.get(n)
                if paths is not None:
                    paths.discard(fm.path)
                    if not paths:
                        del self.names[n]
            for n in new_names - old_names:
                self.names.setdefault(n, set()).add(fm.path)
            if old is None or old.interface != fm.interface:
                self.generation += 1
            if record and old is not None:
                self.history.diff(old, fm, version)

    def put_incremental(self, fm: FileMap, old_symbols: list[Symbol], new_symbols: list[Symbol],
                        old_interface: int, version: int | None) -> None:
        """Patch after an in-place edit of `fm`: only the symbols of re-extracted units."""
        with self.lock:
            for s in old_symbols:
                paths = self.names.get(s.name)
                if paths is not None and s.name not in fm.names:
                    paths.discard(fm.path)
                    if not paths:
                        del self.names[s.name]
            for s in new_symbols:
                self.names.setdefault(s.name, set()).add(fm.path)
            if old_interface != fm.interface:
                self.generation += 1
            self.history.diff_symbols(fm.path, old_symbols, new_symbols, version,
                                      lambda q: (fm.lookup(q).kind if q and fm.lookup(q) else None))

    def remove(self, path: str) -> None:
        with self.lock:
            old = self.files.pop(path, None)
            if old is None:
                return
            self._unindex_module(old)
            for s in old.symbols:
                paths = self.names.get(s.name)
                if paths is not None:
                    paths.discard(path)
                    if not paths:
                        del self.names[s.name]
            self.history.diff_symbols(path, old.symbols[1:], [], None)
            self.generation += 1

    def _index_module(self, fm: FileMap) -> None:
        """Enter a file in the module table: a stub takes `modules` only while no source does."""
        lang = fm.language
        key = lang.key_of(fm.module)
        if fm.is_stub:
            self.stubs[key] = fm.path
            if lang.is_stub(self.modules.get(key, fm.path)):
                self.modules[key] = fm.path
        else:
            self.modules[key] = fm.path

    def _unindex_module(self, old: FileMap) -> None:
        """Take a file out of the module table: a source that goes leaves its stub in its place."""
        key = old.language.key_of(old.module)
        if self.stubs.get(key) == old.path:
            del self.stubs[key]
        if self.modules.get(key) == old.path:
            del self.modules[key]
            stub = self.stubs.get(key)
            if stub is not None:
                self.modules[key] = stub

    # -- queries -----------------------------------------------------------------------------
    def symbols_named(self, name: str) -> Iterator[Located]:
        for path in sorted(self.names.get(name, ())):
            fm = self.files.get(path)
            if fm is None:
                continue
            for s in fm.symbols:
                if s.name == name:
                    yield Located(fm, s)

    def get(self, symbol_id: str) -> Located | None:
        path = symbol_id.split("::", 1)[0]
        fm = self.files.get(path)
        if fm is None:
            return None
        s = fm.by_id.get(symbol_id)
        return Located(fm, s) if s is not None else None

    def file_of_module(self, module: str) -> FileMap | None:
        path = self.modules.get(module)
        if path is None and self.loader is not None:
            return self.loader(module)
        return self.files.get(path) if path else None

    def is_namespace(self, module: str) -> bool:
        """Whether `module` is a folder of workspace modules with no `__init__` (PEP 420), as
        `flask.sansio` holding `flask/sansio/app.py`."""
        gen, names = self._namespaces
        if gen != self.generation:
            found: set[str] = set()
            for mod in list(self.modules):
                parent = mod.rpartition(".")[0]
                while parent and parent not in self.modules and parent not in found:
                    found.add(parent)
                    parent = parent.rpartition(".")[0]
            names = frozenset(found)
            self._namespaces = (self.generation, names)
        return module in names

    def stub_of_module(self, module: str) -> FileMap | None:
        """The module's `.pyi`, when it has one (None for a source without a stub)."""
        path = self.stubs.get(module)
        return self.files.get(path) if path else None

    def source_of_module(self, module: str) -> FileMap | None:
        """The module's `.py`, when it has one (a stub-only module has none)."""
        fm = self.file_of_module(module)
        return fm if fm is not None and not fm.is_stub else None

    def other_side(self, module: FileMap) -> FileMap | None:
        """A module's stub for its source, its source for its stub (None when it has one side)."""
        key = module.language.key_of(module.module)
        other = self.source_of_module(key) if module.is_stub else self.stub_of_module(key)
        return other if other is not module else None

    def stub_declaration(self, loc: Located) -> Located | None:
        """What the module's own stub declares for a source definition (same qualname), or None
        (no stub, not declared, or declared more than once: `@overload`s have no one signature)."""
        if loc.file.is_stub:
            return None
        stub = self.stub_of_module(loc.file.language.key_of(loc.file.module))
        if stub is None:
            return None
        if loc.symbol.kind == MODULE:
            return Located(stub, stub.module_symbol) if stub.module_symbol else None
        found = stub.by_qualname.get(loc.symbol.qualname, ())
        return Located(stub, found[0]) if len(found) == 1 else None

    def all_symbols(self) -> Iterator[Located]:
        for path in sorted(self.files):
            fm = self.files[path]
            for s in fm.symbols:
                yield Located(fm, s)

    def stats(self) -> dict:
        from collections import Counter

        kinds: Counter[str] = Counter()
        refs = 0
        lines = 0
        for fm in self.files.values():
            lines += fm.lines
            for s in fm.symbols:
                kinds[s.kind] += 1
            for u in fm.units:
                refs += len(u.refs)
        return {"files": len(self.files), "lines": lines, "symbols": dict(sorted(kinds.items())),
                "references": refs}
