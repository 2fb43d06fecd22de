"""Workspace symbol search: fuzzy, ranked, and fast on a large workspace.

The searchable names (module- and class-level symbols, instance attributes, modules; not locals,
parameters or import aliases) are kept per file and joined into one newline-separated string,
rebuilt only when some file's map was replaced. Matching then runs as a handful of regular
expressions over that string, in C, from the strictest tier to the loosest:

    exact name (a dict), prefix (bisect in the sorted names), word starts (`gfm` ->
    `get_file_mtime`, `fm` -> `FileMap`, matched in a second string of initials), substring,
    subsequence

and stops once a tier fills the limit, so a one-letter query does not score every symbol. The
patterns start with a literal (the engine then skips ahead in C) and use exclusion classes
(`a[^\\nb]*b`) rather than lazy dots, which keeps a match linear in the line. Within a tier:
kind (classes and functions first), then shorter names.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .filemap import FileMap
from .records import ATTRIBUTE, CLASS, CONSTANT, FUNCTION, METHOD, MODULE, VARIABLE, Symbol
from .workspace import Located, Workspace

KIND_RANK = {CLASS: 0, FUNCTION: 1, METHOD: 1, CONSTANT: 2, MODULE: 3, VARIABLE: 4, ATTRIBUTE: 5}
DEFAULT_LIMIT = 128
MAX_DIRTY = 32  # changed files searched one by one before the table is rebuilt


def searchable(fm: FileMap, sym: Symbol) -> bool:
    if sym.kind not in KIND_RANK:
        return False
    if sym.kind in (MODULE, ATTRIBUTE) or not sym.parent:
        return True
    owner = fm.lookup(sym.parent)
    return owner is not None and owner.kind == CLASS


@dataclass(slots=True)
class _Table:
    entries: list[tuple[FileMap, Symbol]]
    names: str  # lower-cased names, one per line
    initials: str  # each name's word starts, lower-cased, one per line
    name_starts: list[int]
    initial_starts: list[int]
    exact: dict[str, list[int]]
    sorted_names: list[tuple[str, int]]


def initials(name: str) -> str:
    """Word starts: the first letter, letters after `_`, capitals (`get_file_mtime` -> `gfm`)."""
    out = []
    prev = "_"
    for ch in name:
        if ch != "_" and (prev == "_" or ch.isupper() and not prev.isupper()):
            out.append(ch.lower())
        prev = ch
    return "".join(out)


def _line_starts(lines: list[str]) -> list[int]:
    starts = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    return starts


class SymbolSearch:
    def __init__(self, ws: Workspace):
        self.ws = ws
        self._symbols: dict[str, tuple[FileMap, list[Symbol]]] = {}  # per file, by identity
        self._table: _Table | None = None
        self._base: dict[str, FileMap] = {}  # the files the table was built from
        self._lock = threading.Lock()

    # -- the table --------------------------------------------------------------------------
    def _of(self, fm: FileMap) -> list[Symbol]:
        entry = self._symbols.get(fm.path)
        if entry is None or entry[0] is not fm:
            entry = (fm, [s for s in fm.symbols if searchable(fm, s)])
            self._symbols[fm.path] = entry
        return entry[1]

    def _refresh(self) -> tuple[_Table, set[str], list[tuple[FileMap, Symbol]]]:
        """The table, the paths it no longer speaks for, and their current entries.

        Files changed since the table was built (an edit replaces one file's map) are searched
        one by one in Python; past MAX_DIRTY changed files the table is rebuilt.
        """
        files = dict(self.ws.files)
        dirty = {p for p, fm in files.items() if self._base.get(p) is not fm}
        dirty.update(p for p in self._base if p not in files)
        if self._table is None or len(dirty) > MAX_DIRTY:
            for path in [p for p in self._symbols if p not in files]:
                del self._symbols[path]
            entries = [(fm, s) for _, fm in sorted(files.items()) for s in self._of(fm)]
            lower = [s.name.lower() for _, s in entries]
            inits = [initials(s.name) for _, s in entries]
            exact: dict[str, list[int]] = {}
            for i, n in enumerate(lower):
                exact.setdefault(n, []).append(i)
            self._table = _Table(entries, "\n".join(lower), "\n".join(inits), _line_starts(lower),
                                 _line_starts(inits), exact, sorted((n, i) for i, n in enumerate(lower)))
            self._base = files
            dirty = set()
        extra = [(files[p], s) for p in sorted(dirty) if p in files for s in self._of(files[p])]
        return self._table, dirty, extra

    # -- queries ------------------------------------------------------------------------------
    def search(self, query: str, limit: int = DEFAULT_LIMIT) -> list[Located]:
        with self._lock:
            table, dirty, extra = self._refresh()
        query = "".join(query.split())
        container = ""
        if "." in query:
            container, _, query = query.rpartition(".")

        def live(hits: Iterable[int]) -> list[tuple[FileMap, Symbol]]:
            out = [table.entries[i] for i in dict.fromkeys(hits)]
            return [e for e in out if e[0].path not in dirty] if dirty else out

        if not query:
            top = [e for e in live(range(len(table.entries))) + extra
                   if not e[1].parent and e[1].kind != MODULE]
            return [Located(fm, s) for fm, s in _rank(top, container, limit)]
        q = query.lower()
        extra_tiers = [tier_of(q, s.name) for _, s in extra]
        out: list[tuple[FileMap, Symbol]] = []
        seen: set[str] = set()
        for tier, hits in enumerate(self._tiers(q, table)):
            batch = [e for e in live(hits) if e[1].id not in seen]
            batch += [e for e, t in zip(extra, extra_tiers, strict=True) if t == tier and e[1].id not in seen]
            seen.update(e[1].id for e in batch)
            out.extend(_rank(batch, container, limit - len(out)))
            if len(out) >= limit:
                break
        return [Located(fm, s) for fm, s in out[:limit]]

    @staticmethod
    def _tiers(q: str, table: _Table) -> Iterator[list[int]]:
        yield table.exact.get(q, [])
        names = table.sorted_names
        lo = bisect_left(names, (q, -1))
        hi = bisect_left(names, (q + "\U0010ffff", -1))
        yield [i for _, i in names[lo:hi]]
        sub = _subsequence_pattern(q)
        yield _lines(sub, table.initials, table.initial_starts)
        yield _lines(re.compile(re.escape(q)), table.names, table.name_starts)
        yield _lines(sub, table.names, table.name_starts)


def tier_of(q: str, name: str) -> int | None:
    """The tier a name falls in for a lower-cased query (as `_tiers` decides it), or None."""
    low = name.lower()
    if low == q:
        return 0
    if low.startswith(q):
        return 1
    if _subsequence(q, initials(name)):
        return 2
    if q in low:
        return 3
    if _subsequence(q, low):
        return 4
    return None


def _subsequence_pattern(q: str) -> re.Pattern:
    """`abc` -> `a[^\\nb]*b[^\\nc]*c`: starts with a literal, never crosses a line."""
    parts = [re.escape(q[0])]
    for c in q[1:]:
        e = re.escape(c)
        parts.append(rf"[^\n{e}]*{e}")
    return re.compile("".join(parts))


def _rank(chosen: list[tuple[FileMap, Symbol]], container: str, limit: int) -> list[tuple[FileMap, Symbol]]:
    if limit <= 0:
        return []
    if container:
        cont = container.lower()
        chosen = [e for e in chosen if _subsequence(cont, _container(e).lower())]
    chosen.sort(key=lambda e: (KIND_RANK.get(e[1].kind, 9), len(e[1].name), e[1].name,
                               e[0].path.count("/"), e[0].path))
    return chosen[:limit]


def _lines(pattern: re.Pattern, text: str, starts: list[int]) -> list[int]:
    """Indices of the lines where `pattern` matches (patterns never cross a newline)."""
    return [bisect_right(starts, m.start()) - 1 for m in pattern.finditer(text)]


def _container(entry: tuple[FileMap, Symbol]) -> str:
    fm, s = entry
    return f"{fm.module}.{s.parent}" if s.parent else fm.module


def _subsequence(needle: str, hay: str) -> bool:
    it = iter(hay)
    return all(ch in it for ch in needle)


def searcher(ws: Workspace) -> SymbolSearch:
    """The workspace's search table, kept on the Workspace object so it lives as long."""
    found = ws.__dict__.get("_symbol_search")
    if found is None:
        found = ws.__dict__.setdefault("_symbol_search", SymbolSearch(ws))
    return found
