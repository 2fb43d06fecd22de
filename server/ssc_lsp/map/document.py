"""An open document: its bytes, its tree, and incremental re-extraction on edits.

`apply_changes` takes LSP content changes (ranges in UTF-16), edits the tree with byte offsets,
re-parses with the old tree, and re-extracts only the units that the edited bytes or
tree-sitter's changed ranges touch. Units before the dirty region are kept as they are; units
after it are kept and moved (their records are relative to the unit, so moving is O(1)).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

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
        log.warning("%s: %d statement(s) too large to map (first at line %d), left out",
                    path, len(units), units[0].start_row + 1)


class Document:
    def __init__(self, path: str, module: str, data: bytes, version: int | None = None,
                 parser: ts.Parser | None = None, language: Language | None = None):
        lang = language or language_for_path(path)
        if lang is None:
            raise ValueError(f"no language maps {path}")
        self.language = lang
        self.parser = parser or lang.parser()  # `parser`: one of `lang`'s
        self.path = path
        self.version = version
        self.set_text(data, module)

    def set_text(self, data: bytes, module: str | None = None) -> None:
        self.data = data
        self.index = LineIndex(data)
        self.tree = self.parser.parse(data)
        self.fm = build_filemap(self.language, self.path, module or self.fm.module, data, self.tree)

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")

    def apply_changes(self, changes: list[Change]) -> Update:
        """Apply changes in order; returns what the re-extraction replaced."""
        old_fm = self.fm
        old_units = old_fm.units
        old_interface = old_fm.interface
        if any(c.range is None for c in changes):
            last_full = max(i for i, c in enumerate(changes) if c.range is None)
            self.data = changes[last_full].text.encode("utf-8")
            self.index = LineIndex(self.data)
            for c in changes[last_full + 1:]:
                self._edit_bytes(c)
            self.tree = self.parser.parse(self.data)
            self.fm = build_filemap(self.language, self.path, old_fm.module, self.data, self.tree)
            return Update(old_fm.symbols[1:], self.fm.symbols[1:], old_interface,
                          len(self.fm.units), 0)

        old_index = self.index
        lo = hi = -1
        delta = 0
        for c in changes:
            e = self._edit_bytes(c)
            self.tree.edit(e.start_byte, e.old_end_byte, e.new_end_byte,
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
        old_tree = self.tree
        self.tree = self.parser.parse(self.data, old_tree)
        if self.language.fresh_parse_on_error and self.tree.root_node.has_error:
            self.tree = self.parser.parse(self.data)  # what a fresh parse says (base.py)
        for r in old_tree.changed_ranges(self.tree):
            lo, hi = min(lo, r.start_byte), max(hi, r.end_byte)

        hi_old = hi - delta
        hi_old_row = old_index.point_of_byte(min(hi_old, len(old_index.data)))[0]
        hi_row = self.index.point_of_byte(min(hi, len(self.data)))[0]
        row_delta = hi_row - hi_old_row
        old_by_key = {(u.start_byte, u.end_byte, u.context, u.kind): u for u in old_units}
        root = self.tree.root_node
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
        fm = FileMap(path=self.path, module=old_fm.module, units=units, hash=content_hash(self.data),
                     lines=self.index.line_count, language=self.language)
        fm.finalize()
        self.fm = fm
        return Update([s for u in dropped for s in u.symbols], [s for u in fresh for s in u.symbols],
                      old_interface, len(fresh), len(units) - len(fresh))

    def size_after(self, changes: list[Change], limit: int) -> int:
        """The byte size after `changes` (no parse), exact when over `limit`: a cheap upper bound
        first (what is inserted, nothing deleted), the edits applied only when it is over."""
        bound = len(self.data)
        for c in changes:
            n = len(c.text.encode("utf-8"))
            bound = n if c.range is None else bound + n
        if bound <= limit:
            return bound
        data, index = self.data, self.index
        for c in changes:
            if c.range is None:
                data = c.text.encode("utf-8")
                index = LineIndex(data)
            else:
                data, _, index = apply_lsp_change(data, index, c.range[0], c.range[1], c.text)
        return len(data)

    def _edit_bytes(self, c: Change):
        start, end = c.range  # type: ignore[misc]
        self.data, e, self.index = apply_lsp_change(self.data, self.index, start, end, c.text)
        return e
