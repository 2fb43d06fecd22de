"""A suggestion inserted into its document, parsed there, and read with the map's own extractor.

Why in place: a suggestion is rarely a whole statement. `compute_to` + `tal(order)` is one
identifier that neither piece contains, and a call's arguments may close on the text after the
cursor. Parsing prefix + suggestion + suffix sees what the file would be if the suggestion were
accepted.

Why the map's extractor: it already knows Python's binding rules (parameters, comprehensions,
`global`, imports, `self.x = ...`), call shapes and receivers; the check reuses it instead of
growing a second, subtly different one.

Why a merged file map instead of a fresh one: resolution needs the whole file (imports at the
top, other methods of the class), but re-extracting a 3,000-line file costs tens of
milliseconds. Only the units the suggestion touches are extracted anew; the others are the live
map's unit objects, shared read-only. `FileMap.finalize` would rewrite the ids and origins of
those shared symbols, so the merged map is assembled by hand and never finalized.
"""

from __future__ import annotations

from collections import ChainMap
from dataclasses import dataclass

import tree_sitter as ts

from ..map.extract import UnitSpec, extract_unit, unit_of
from ..map.filemap import FileMap
from ..map.languages import ParserCache
from ..map.positions import LineIndex
from ..map.records import Ref, Unit


@dataclass
class Placed:
    """The document with the suggestion in it.

    `start`/`end` delimit the suggestion's bytes in `data`; `fresh` are the units extracted from
    the new text (the ones whose references the check reads); `fm` is the merged map used for
    resolution.
    """

    data: bytes
    start: int
    end: int
    tree: ts.Tree
    index: LineIndex
    fm: FileMap
    fresh: list[Unit]

    def ref_span(self, unit: Unit, ref: Ref) -> tuple[int, int]:
        """A reference's byte span in `data`."""
        start = unit.start_byte + ref.byte
        return start, start + (ref.end_col - ref.col)

    def in_suggestion(self, unit: Unit, ref: Ref) -> bool:
        start, end = self.ref_span(unit, ref)
        return start < self.end and end > self.start

    def node_at(self, unit: Unit, ref: Ref) -> ts.Node | None:
        start, end = self.ref_span(unit, ref)
        return self.tree.root_node.descendant_for_byte_range(start, end)

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")

    def text_offset(self, byte: int) -> int:
        """A byte offset in `data` as a character offset in the suggestion text."""
        byte = min(max(byte, self.start), self.end)
        return len(self.data[self.start:byte].decode("utf-8", errors="replace"))


_PARSERS = ParserCache()


def _point_after(point: tuple[int, int], inserted: bytes) -> tuple[int, int]:
    lines = inserted.count(b"\n")
    if not lines:
        return point[0], point[1] + len(inserted)
    return point[0] + lines, len(inserted) - inserted.rfind(b"\n") - 1


def place(live: FileMap, data: bytes, offset: int, text: str, tree: ts.Tree | None = None,
          index: LineIndex | None = None) -> Placed:
    """Insert `text` at byte `offset` of `data` (the document `live` maps) and parse it.

    With the document's current tree the parse is incremental (a copy is edited, never the
    document's own tree).
    """
    ins = text.encode("utf-8")
    new = data[:offset] + ins + data[offset:]
    start, end = offset, offset + len(ins)
    lang = live.language
    parser = _PARSERS.get(lang)  # one per language and process: parsing here is synchronous
    index = index or LineIndex(data)
    new_index = index.edited(new, start, start, ins)
    if tree is not None:
        point = index.point_of_byte(offset)
        old = tree.copy()
        old.edit(start_byte=start, old_end_byte=start, new_end_byte=end, start_point=point,
                 old_end_point=point, new_end_point=_point_after(point, ins))
        new_tree = parser.parse(new, old)
    else:
        new_tree = parser.parse(new)
    root = new_tree.root_node
    specs = lang.unit_specs(root)
    chosen, replaced = _touched(specs, live.units, start, end, len(ins))
    fresh = [extract_unit(lang, unit_of(s), root) for s in chosen]
    fm = _merge(live, fresh, replaced, new_index.line_count)
    return Placed(new, start, end, new_tree, new_index, fm, fresh)


MAX_EXPANSION = 30_000  # bytes the fixed point may add around the suggestion's own units


def _touched(specs: list[UnitSpec], live_units: list[Unit], start: int, end: int,
             length: int) -> tuple[list[UnitSpec], set[int]]:
    """The new units the suggestion touches and the ids of the live units they replace.

    To a fixed point: a suggestion that changes how the code around it parses (an unclosed
    bracket) touches more new units, which replace more live ones. When the live document does
    not parse (an empty block just opened: tree-sitter may make the whole file one ERROR unit),
    the fixed point would re-extract the whole file; past MAX_EXPANSION it stops, extracts only
    the suggestion's own units, and keeps the live units it only overlaps (their records are
    stale around the cursor, which can only make the check say "unknown", never "missing").
    """

    def to_live(b: int) -> int:
        return b if b <= start else (b - length if b >= end else start)

    def to_new(b: int) -> int:
        return b if b < start else b + length

    def overlapping(lo: int, hi: int) -> list[UnitSpec]:
        return [s for s in specs if s[0] < hi and s[1] > lo] or \
               [s for s in specs if s[0] <= lo <= s[1]]

    first = overlapping(start, end)
    if not first:
        return [], set()
    lo, hi = min(s[0] for s in first), max(s[1] for s in first)
    own = hi - lo
    chosen, replaced = first, set()
    for _ in range(4):
        llo, lhi = to_live(lo), to_live(hi)
        hit = [u for u in live_units if u.start_byte < lhi and u.end_byte > llo]
        nlo = min([lo] + [to_new(u.start_byte) for u in hit])
        nhi = max([hi] + [to_new(u.end_byte) for u in hit])
        if nhi - nlo - own > MAX_EXPANSION:
            llo, lhi = to_live(min(s[0] for s in first)), to_live(max(s[1] for s in first))
            inside = {id(u) for u in live_units if llo <= u.start_byte and u.end_byte <= lhi}
            return first, inside
        replaced = {id(u) for u in hit}
        if (nlo, nhi) == (lo, hi):
            break
        lo, hi = nlo, nhi
        chosen = overlapping(lo, hi)
    return chosen, replaced


def _merge(live: FileMap, fresh: list[Unit], replaced: set[int], lines: int) -> FileMap:
    """The live map with the replaced units swapped for the fresh ones, assembled by hand."""
    own = FileMap(path=live.path, module=live.module, units=fresh, lines=lines, language=live.language)
    own.finalize()  # only the fresh units' own symbols are touched
    gone_syms = [s for u in live.units if id(u) in replaced for s in u.symbols]
    gone = {id(s) for s in gone_syms}
    # only the qualnames the swap touches differ from the live table: an overlay, not a copy
    changed: dict[str, list] = {}
    for q in {s.qualname for s in gone_syms} | set(own.by_qualname):
        kept = [s for s in live.by_qualname.get(q, ()) if id(s) not in gone]
        changed[q] = kept + own.by_qualname.get(q, [])
    by_q = ChainMap(changed, live.by_qualname)
    # live units keep their live offsets: only the order matters (star imports and __all__
    # are gathered in unit order)
    cut = fresh[0].start_byte if fresh else 0
    kept = [u for u in live.units if id(u) not in replaced]
    units = [u for u in kept if u.start_byte < cut] + fresh + [u for u in kept if u.start_byte >= cut]
    merged = FileMap(path=live.path, module=live.module, units=units, hash="", lines=lines,
                     language=live.language,
                     symbols=([live.module_symbol] if live.module_symbol else []) +
                     [s for u in units for s in u.symbols],  # Go's and Java's imports are read here
                     by_qualname=by_q, module_symbol=live.module_symbol)  # type: ignore[arg-type]
    return merged

