"""The one place where positions change units.

LSP speaks (line, UTF-16 code unit), tree-sitter speaks bytes and (row, byte column) points,
jedi speaks (1-based line, code point column). Every conversion between them lives here so that
no other module does arithmetic on columns of different units.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass


def _utf16_len(text: str) -> int:
    """UTF-16 code units in `text` (astral characters count twice)."""
    n = len(text)
    if text.isascii():
        return n
    return n + sum(1 for ch in text if ord(ch) > 0xFFFF)


@dataclass(frozen=True, slots=True)
class Edit:
    """A text edit in bytes and points, as tree-sitter's `Tree.edit` wants it."""

    start_byte: int
    old_end_byte: int
    new_end_byte: int
    start_point: tuple[int, int]
    old_end_point: tuple[int, int]
    new_end_point: tuple[int, int]


class LineIndex:
    """Line starts of a UTF-8 buffer, for converting between offsets and positions."""

    __slots__ = ("data", "starts")

    def __init__(self, data: bytes):
        self.data = data
        starts = [0]
        find = data.find
        i = find(b"\n")
        while i >= 0:
            starts.append(i + 1)
            i = find(b"\n", i + 1)
        self.starts = starts

    def edited(self, data: bytes, start: int, old_end: int, inserted: bytes) -> LineIndex:
        """The index of `data`, which is this buffer with [start, old_end) replaced.

        Patching the line starts costs the lines after the edit, not a scan of every byte.
        """
        starts = self.starts
        i = bisect_right(starts, start)  # starts[:i] are <= start: unaffected
        j = bisect_right(starts, old_end)  # starts[j:] follow a newline after the edit
        delta = len(inserted) - (old_end - start)
        middle = []
        k = inserted.find(b"\n")
        while k >= 0:
            middle.append(start + k + 1)
            k = inserted.find(b"\n", k + 1)
        out = LineIndex.__new__(LineIndex)
        out.data = data
        out.starts = starts[:i] + middle + ([s + delta for s in starts[j:]] if delta else starts[j:])
        return out

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_bytes(self, row: int) -> bytes:
        if row >= len(self.starts):
            return b""
        start = self.starts[row]
        end = self.starts[row + 1] - 1 if row + 1 < len(self.starts) else len(self.data)
        return self.data[start:end]

    # -- bytes <-> points -------------------------------------------------------------
    def point_of_byte(self, offset: int) -> tuple[int, int]:
        row = bisect_right(self.starts, offset) - 1
        return row, offset - self.starts[row]

    def byte_of_point(self, row: int, col: int) -> int:
        if row >= len(self.starts):
            return len(self.data)
        return min(self.starts[row] + col, len(self.data))

    # -- LSP (UTF-16) <-> bytes ---------------------------------------------------------
    def byte_of_lsp(self, line: int, character: int) -> int:
        """Byte offset of an LSP position; positions past a line's end clamp to it."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.data)
        raw = self.line_bytes(line)
        if raw.isascii():
            return self.starts[line] + min(character, len(raw))
        text = raw.decode("utf-8", errors="replace")
        units = 0
        for i, ch in enumerate(text):
            if units >= character:
                return self.starts[line] + len(text[:i].encode("utf-8"))
            units += 2 if ord(ch) > 0xFFFF else 1
        return self.starts[line] + len(raw)

    def lsp_of_byte(self, offset: int) -> tuple[int, int]:
        row, col = self.point_of_byte(offset)
        return row, self.utf16_col(row, col)

    def utf16_col(self, row: int, byte_col: int) -> int:
        """UTF-16 column of a byte column on `row`."""
        raw = self.line_bytes(row)[:byte_col]
        if raw.isascii():
            return len(raw)
        return _utf16_len(raw.decode("utf-8", errors="replace"))

    def lsp_of_point(self, row: int, byte_col: int) -> tuple[int, int]:
        return row, self.utf16_col(row, byte_col)

    # -- jedi (1-based line, code point column) -------------------------------------------
    def jedi_of_byte(self, offset: int) -> tuple[int, int]:
        row, col = self.point_of_byte(offset)
        raw = self.line_bytes(row)[:col]
        return row + 1, len(raw.decode("utf-8", errors="replace"))

    def byte_of_jedi(self, line: int, column: int) -> int:
        row = line - 1
        text = self.line_bytes(row).decode("utf-8", errors="replace")
        return self.byte_of_point(row, len(text[:column].encode("utf-8")))


def point_in(data: bytes, offset: int) -> tuple[int, int]:
    """The tree-sitter point (row, byte column) of a byte offset, without a LineIndex (for a
    few points in a buffer that has none: two scans of the bytes before `offset`)."""
    return data.count(b"\n", 0, offset), offset - (data.rfind(b"\n", 0, offset) + 1)


def byte_of_text_offset(text: str, offset: int) -> int:
    """The UTF-8 byte offset of a code point offset into `text`."""
    head = text[:offset]
    return len(head) if head.isascii() else len(head.encode("utf-8"))


def text_offset_of_byte(data: bytes, offset: int) -> int:
    """The code point offset (rope's unit) of a UTF-8 byte offset into `data`."""
    head = data[:offset]
    return len(head) if head.isascii() else len(head.decode("utf-8", errors="replace"))


def lsp_col_of_text(line_text: str, code_point_col: int) -> int:
    """UTF-16 column of a code point column in a decoded line (for jedi results)."""
    return _utf16_len(line_text[:code_point_col])


def apply_lsp_change(
    data: bytes, index: LineIndex, start: tuple[int, int], end: tuple[int, int], text: str
) -> tuple[bytes, Edit, LineIndex]:
    """Apply one ranged LSP content change: the new bytes, the tree-sitter edit, the new index."""
    start_byte = index.byte_of_lsp(*start)
    old_end_byte = max(start_byte, index.byte_of_lsp(*end))
    new = text.encode("utf-8")
    out = data[:start_byte] + new + data[old_end_byte:]
    edit_index = index.edited(out, start_byte, old_end_byte, new)
    start_point = index.point_of_byte(start_byte)
    old_end_point = index.point_of_byte(old_end_byte)
    nl = new.count(b"\n")
    if nl:
        new_end_point = (start_point[0] + nl, len(new) - new.rfind(b"\n") - 1)
    else:
        new_end_point = (start_point[0], start_point[1] + len(new))
    edit = Edit(
        start_byte,
        old_end_byte,
        start_byte + len(new),
        start_point,
        old_end_point,
        new_end_point,
    )
    return out, edit, edit_index
