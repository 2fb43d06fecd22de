"""Where rope's result and the map meet: the map's places in the text rope was given, found again
in what rope returned, and edits applied there.

rope rewrites whole files; the map knows its call sites by position in the files *before*. A
line rope left as it was (an `equal` run of difflib's line opcodes) is the same line, shifted by
the rows rope added or removed above it; a line rope changed is rope's (it updated something
there).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import tree_sitter as ts

from ..grounding.edit_check import apply_map_edits
from ..map.languages.python import PYTHON
from ..map.positions import LineIndex

Range = tuple[int, int, int, int]


class RowMap:
    """Rows of `before` that rope left untouched, and where they are in `after`."""

    def __init__(self, before: bytes, after: bytes | None):
        self.rows: dict[int, int] = {}
        if after is None:
            return
        old, new = before.split(b"\n"), after.split(b"\n")
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
            if tag == "equal":
                for k in range(i2 - i1):
                    self.rows[i1 + k] = j1 + k

    def untouched(self, first: int, last: int) -> bool:
        """Rows first..last all kept, and kept together."""
        if any(r not in self.rows for r in range(first, last + 1)):
            return False
        return self.rows[last] - self.rows[first] == last - first

    def moved(self, r: Range) -> Range:
        return self.rows[r[0]], r[1], self.rows[r[2]], r[3]


_PARSER: ts.Parser | None = None


def parse_tree(data: bytes) -> ts.Tree:
    global _PARSER
    if _PARSER is None:
        _PARSER = PYTHON.parser()
    return _PARSER.parse(data)


def parse(data: bytes) -> ts.Node:
    return parse_tree(data).root_node


def node_at(root: ts.Node, r: Range) -> ts.Node | None:
    node = root.named_descendant_for_point_range((r[0], r[1]), (r[2], r[3]))
    if node is None or node.type != "identifier":
        return None
    return node


def node_range(node: ts.Node) -> Range:
    return node.start_point[0], node.start_point[1], node.end_point[0], node.end_point[1]


def text(node: ts.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


@dataclass
class Rewrite:
    """Replace `range` (in the file before rope) with `new`."""

    path: str
    range: Range
    new: str
    line: int  # 1-based, for the notes
    old: bytes | None = None  # the exact text replaced, when it may be found where rope moved it


def apply_rewrites(before: dict[str, bytes], after: dict[str, bytes | None],
                   rewrites: list[Rewrite]) -> tuple[dict[str, bytes | None], list[Rewrite], list[Rewrite]]:
    """Apply each rewrite where rope left its rows alone; return the new `after`, the rewrites
    applied and those skipped (rope changed those rows: rope's text stands)."""
    out = dict(after)
    done: list[Rewrite] = []
    skipped: list[Rewrite] = []
    by_path: dict[str, list[Rewrite]] = {}
    for rw in rewrites:
        by_path.setdefault(rw.path, []).append(rw)
    for path, items in by_path.items():
        old = before[path]
        current = out[path] if path in out else old
        if current is None:
            skipped.extend(items)
            continue
        rows = RowMap(old, current)
        edits = []
        for rw in _outermost_first(items):
            if _overlaps(rw, edits):
                skipped.append(rw)
            elif rows.untouched(rw.range[0], rw.range[2]):
                edits.append((rows.moved(rw.range), rw.new, rw))
                done.append(rw)
            elif rw.old and len(_lines_at(old, rw.old)) == 1 and len(found := _lines_at(current, rw.old)) == 1:
                edits.append((_range_of(current, found[0], rw.old), rw.new, rw))  # rope moved it, unchanged
                done.append(rw)
            else:
                skipped.append(rw)
        if edits:
            out[path] = apply_map_edits(current, [(r, new) for r, new, _ in edits])
    return out, done, skipped


def _lines_at(data: bytes, piece: bytes) -> list[int]:
    """Where `piece` stands on whole lines of `data` (a statement rope moved without changing)."""
    out, at = [], data.find(piece)
    while at >= 0:
        end = at + len(piece)
        if (at == 0 or data[at - 1:at] == b"\n") and (end == len(data) or data[end:end + 1] in (b"\n", b"\r")):
            out.append(at)
        at = data.find(piece, at + 1)
    return out


def _range_of(data: bytes, start: int, piece: bytes) -> Range:
    index = LineIndex(data)
    return (*index.point_of_byte(start), *index.point_of_byte(start + len(piece)))


def _outermost_first(items: list[Rewrite]) -> list[Rewrite]:
    return sorted(items, key=lambda rw: (rw.range[0], rw.range[1]))


def _overlaps(rw: Rewrite, edits: list) -> bool:
    a = rw.range
    for _r, _new, other in edits:
        b = other.range
        if not ((a[2], a[3]) <= (b[0], b[1]) or (b[2], b[3]) <= (a[0], a[1])):
            return True
    return False
