"""An open document: its bytes, its tree, and incremental re-extraction on edits.

`apply_changes` takes LSP content changes (ranges in UTF-16), edits the tree with byte offsets,
re-parses with the old tree, and re-extracts only the units that the edited bytes or
tree-sitter's changed ranges touch. Units before the dirty region are kept as they are; units
after it are kept and moved (their records are relative to the unit, so moving is O(1)).
Changes may also be queued (`defer`) and applied together when the document is next read or
settled (see `Document`): a burst of keystrokes costs one parse.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import tree_sitter as ts

from .extract import extract_units, split_units, unit_of
from .filemap import FileMap, content_hash
from .languages import Language, language_for_path
from .positions import LineIndex, apply_lsp_change
from .records import Symbol, Unit

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Change:
    """One content change: `range` is ((line, char), (line, char)) in UTF-16, or None (full)."""

    text: str
    range: tuple[tuple[int, int], tuple[int, int]] | None = None


@dataclass(slots=True)
class Update:
    old_symbols: list[Symbol]
    new_symbols: list[Symbol]
    old_interface: int
    reextracted: int  # units extracted anew
    kept: int  # units reused


def build_filemap(lang: Language, path: str, module: str, data: bytes, tree: ts.Tree) -> FileMap:
    """A file's map from its tree (parsed by `lang`'s parser)."""
    units = split_units(lang, tree.root_node)
    gave_up = extract_units(lang, units, tree.root_node)
    _say_gave_up(path, gave_up)
    fm = FileMap(path=path, module=module, units=units, hash=content_hash(data),
                 lines=data.count(b"\n") + 1, language=lang)
    fm.finalize()
    return fm


_SAID_GAVE_UP: set[str] = set()  # paths already logged (an edit re-extracts the same unit)


def _say_gave_up(path: str, units: list[Unit]) -> None:
    if units and path not in _SAID_GAVE_UP:
        if len(_SAID_GAVE_UP) > 10_000:
            _SAID_GAVE_UP.clear()
        _SAID_GAVE_UP.add(path)
        log.warning("%s: %d statement(s) too large or too deeply nested to map (first at line %d), left out",
                    path, len(units), units[0].start_row + 1)


T = TypeVar("T")


class Settled(Generic[T]):
    """An attribute read through its owner's `_settle_first()`, which applies the changes the
    owner has queued: a `Document`'s state, a `MapService`'s workspace, resolver and history.
    The one door through which readers get them, so none reads them behind the edits. The
    value lives in `_<name>`, which the owner's own code uses to get past the door."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, obj, owner: type | None = None) -> T:
        if obj is None:
            return self  # type: ignore[return-value]
        obj._settle_first()
        return getattr(obj, self.slot)

    def __set__(self, obj, value: T) -> None:
        setattr(obj, self.slot, value)


class Document:
    """An open document: its text, line index, tree and map, always one consistent state.

    Changes can be queued (`defer`: no work beyond keeping them) and applied later in one
    incremental parse (`settle`): in broken code tree-sitter re-parses the whole error region
    on every edit (~60-100 ms in 3,000 lines), so a burst of keystrokes is parsed once, when it
    ends. The state is read through properties (`data`, `index`, `tree`, `fm`, `text`): with
    changes queued, a read asks `on_demand` first (the owner, `MapService.settle`, which also
    patches the workspace; it may decline on a thread other than the one that queued them,
    which then reads the last settled state, whole), or settles here. So no reader sees a map
    older than the text the editor sent. `version` is the editor's: the last change received.
    """

    def __init__(self, path: str, module: str, data: bytes, version: int | None = None,
                 parser: ts.Parser | None = None, language: Language | None = None):
        lang = language or language_for_path(path)
        if lang is None:
            raise ValueError(f"no language maps {path}")
        self.language = lang
        self.parser = parser or lang.parser()  # `parser`: one of `lang`'s
        self.path = path
        self.version = version
        self.pending: list[Change] = []  # received, not yet applied (in order)
        self.on_demand: Callable[[], object] | None = None
        self.set_text(data, module)

    def set_text(self, data: bytes, module: str | None = None) -> None:
        """Map `data` from scratch (changes still queued apply to it: it is the text they
        were made on, or `data` is the settled text again)."""
        self._data = data
        self._index = LineIndex(data)
        self._tree = self.parser.parse(data)
        self._fm = build_filemap(self.language, self.path, module or self._fm.module, data, self._tree)

    data = Settled[bytes]()
    index = Settled[LineIndex]()
    tree = Settled[ts.Tree]()
    fm = Settled[FileMap]()

    def _settle_first(self) -> None:
        if self.pending:
            if self.on_demand is not None:
                self.on_demand()
            else:
                self.settle()

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")

    def defer(self, changes: list[Change], version: int | None) -> None:
        """Take changes now, apply them at the next `settle` (or read)."""
        self.pending.extend(changes)
        self.version = version

    def settle(self) -> Update | None:
        """Apply the queued changes (one parse for all of them); None when there were none."""
        if not self.pending:
            return None
        return self.apply_changes([])

    def apply_changes(self, changes: list[Change]) -> Update:
        """Apply the queued changes and then `changes`, in order, with one parse; returns what
        the re-extraction replaced. Each edit goes to the old tree (`Tree.edit`) in turn, the
        way tree-sitter expects a sequence of edits, before the one incremental parse."""
        if self.pending:
            changes, self.pending = self.pending + list(changes), []
        old_fm = self._fm
        old_units = old_fm.units
        old_interface = old_fm.interface
        if any(c.range is None for c in changes):
            last_full = max(i for i, c in enumerate(changes) if c.range is None)
            self._data = changes[last_full].text.encode("utf-8")
            self._index = LineIndex(self._data)
            for c in changes[last_full + 1:]:
                self._edit_bytes(c)
            self._tree = self.parser.parse(self._data)
            self._fm = build_filemap(self.language, self.path, old_fm.module, self._data, self._tree)
            return Update(old_fm.symbols[1:], self._fm.symbols[1:], old_interface,
                          len(self._fm.units), 0)

        old_index = self._index
        lo = hi = -1
        delta = 0
        for c in changes:
            e = self._edit_bytes(c)
            self._tree.edit(e.start_byte, e.old_end_byte, e.new_end_byte,
                            e.start_point, e.old_end_point, e.new_end_point)
            d = e.new_end_byte - e.old_end_byte
            if lo < 0:
                lo, hi = e.start_byte, e.new_end_byte
            else:
                if lo >= e.old_end_byte:
                    lo, hi = lo + d, hi + d
                elif hi > e.start_byte:
                    hi = max(hi + d, e.new_end_byte)
                lo, hi = min(lo, e.start_byte), max(hi, e.new_end_byte)
            delta += d
        old_tree = self._tree
        self._tree = self.parser.parse(self._data, old_tree)
        if self.language.fresh_parse_on_error and self._tree.root_node.has_error:
            self._tree = self.parser.parse(self._data)  # see Language.fresh_parse_on_error
            lo, hi = 0, len(self._data)
        for r in old_tree.changed_ranges(self._tree):
            lo, hi = min(lo, r.start_byte), max(hi, r.end_byte)

        hi_old = hi - delta
        hi_old_row = old_index.point_of_byte(min(hi_old, len(old_index.data)))[0]
        hi_row = self._index.point_of_byte(min(hi, len(self._data)))[0]
        row_delta = hi_row - hi_old_row
        old_by_key = {(u.start_byte, u.end_byte, u.context, u.kind): u for u in old_units}
        root = self._tree.root_node
        units: list[Unit] = []
        fresh: list[Unit] = []
        reused: set[int] = set()
        for spec in self.language.unit_specs(root):
            sb, eb, sr, er, ec, ctx, kind, _doc = spec
            old = None
            if eb < lo:
                old = old_by_key.get((sb, eb, ctx, kind))
            elif sb > hi and sr > hi_row:
                old = old_by_key.get((sb - delta, eb - delta, ctx, kind))
                if old is not None and old.start_row + row_delta != sr:
                    old = None
            if old is not None and id(old) not in reused:
                reused.add(id(old))
                old.start_byte, old.end_byte = sb, eb
                old.start_row, old.end_row, old.end_col = sr, er, ec
                units.append(old)
            else:
                nu = unit_of(spec)
                units.append(nu)
                fresh.append(nu)
        _say_gave_up(self.path, extract_units(self.language, fresh, root))
        dropped = [u for u in old_units if id(u) not in reused]
        fm = FileMap(path=self.path, module=old_fm.module, units=units, hash=content_hash(self._data),
                     lines=self._index.line_count, language=self.language)
        fm.finalize()
        self._fm = fm
        return Update([s for u in dropped for s in u.symbols], [s for u in fresh for s in u.symbols],
                      old_interface, len(fresh), len(units) - len(fresh))

    def size_after(self, changes: list[Change], limit: int) -> int:
        """The byte size after `changes` (no parse), exact when over `limit`: a cheap upper bound
        first (what is inserted, nothing deleted), the edits applied only when it is over."""
        bound = len(self._data)
        for c in changes:
            n = len(c.text.encode("utf-8"))
            bound = n if c.range is None else bound + n
        if bound <= limit:
            return bound
        data, index = self._data, self._index
        for c in changes:
            if c.range is None:
                data = c.text.encode("utf-8")
                index = LineIndex(data)
            else:
                data, _, index = apply_lsp_change(data, index, c.range[0], c.range[1], c.text)
        return len(data)

    def _edit_bytes(self, c: Change):
        start, end = c.range  # type: ignore[misc]
        self._data, e, self._index = apply_lsp_change(self._data, self._index, start, end, c.text)
        return e
