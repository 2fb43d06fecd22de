"""The document at the cursor, captured once per request.

Why capture: the suggestion is computed for one version of the document; the prefix, the
suffix, the check's parse and the typing-through anchor must all come from that version. A
newer version cancels the request (assistant.py), so the captured objects are never read after
the document moved on; `current()` says whether it did.
"""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter as ts

from ..context.redact import redact_around
from ..map.filemap import FileMap
from ..map.positions import LineIndex
from ..map.service import MapService

PREFIX_CHARS = 6000  # of the document before the cursor, sent to the model
SUFFIX_CHARS = 2000  # after it
# redacted beyond the cut too, so that a key the cut falls into is still seen whole
REDACT_MARGIN = 512


@dataclass
class Spot:
    svc: MapService
    rel: str
    row: int
    col: int  # byte column
    offset: int  # byte offset in `data`
    data: bytes
    fm: FileMap
    index: LineIndex
    tree: ts.Tree | None
    version: int | None

    @staticmethod
    def take(svc: MapService, rel: str, row: int, col: int) -> Spot | None:
        doc = svc.docs.get(rel)
        if doc is not None:
            data, fm, index, tree, version = doc.data, doc.fm, doc.index, doc.tree, doc.version
        else:
            fm = svc.ws.files.get(rel)
            text = svc.text_of(rel)
            if fm is None or text is None:
                return None
            data, tree, version = text.encode("utf-8"), None, None
            index = LineIndex(data)
        if fm is None:
            return None
        offset = index.byte_of_point(min(row, index.line_count - 1), col)
        row, col = index.point_of_byte(offset)
        return Spot(svc, rel, row, col, offset, data, fm, index, tree, version)

    @property
    def key(self) -> tuple[str, str]:
        return self.svc.root, self.rel

    def current(self) -> bool:
        """Whether the document is still the captured version."""
        doc = self.svc.docs.get(self.rel)
        return doc is None or (doc.version == self.version and doc.data is self.data)

    def follow(self, text: str) -> tuple[Spot, str] | None:
        """After the user typed the start of `text` at the cursor: the current document at the
        advanced cursor and the rest of `text`; None when the document changed otherwise."""
        doc = self.svc.docs.get(self.rel)
        if doc is None:
            return None
        new, old, off = doc.data, self.data, self.offset
        tail_len = len(old) - off
        if len(new) < len(old) or new[:off] != old[:off] or new[len(new) - tail_len:] != old[off:]:
            return None
        typed = new[off:len(new) - tail_len].decode("utf-8", errors="replace")
        if not text.startswith(typed):
            return None
        at = off + len(typed.encode("utf-8"))
        row, col = doc.index.point_of_byte(at)
        spot = Spot(self.svc, self.rel, row, col, at, new, doc.fm, doc.index, doc.tree,
                    doc.version)
        return spot, text[len(typed):]

    @property
    def prefix(self) -> str:
        return self.data[:self.offset].decode("utf-8", errors="replace")

    @property
    def suffix(self) -> str:
        return self.data[self.offset:].decode("utf-8", errors="replace")

    def model_text(self) -> tuple[str, str]:
        """The prefix and suffix a model is sent: cut to PREFIX_CHARS and SUFFIX_CHARS, and
        redacted like every context item (context/redact.py), the cursor kept on its line."""
        before, after = redact_around(tail(self.prefix, PREFIX_CHARS + REDACT_MARGIN),
                                      head(self.suffix, SUFFIX_CHARS + REDACT_MARGIN))
        return tail(before, PREFIX_CHARS), head(after, SUFFIX_CHARS)

    def line_text(self) -> str:
        return self.index.line_bytes(self.row).decode("utf-8", errors="replace")


def tail(text: str, limit: int) -> str:
    """The last `limit` characters of `text`, starting at a line start when one is near."""
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    nl = cut.find("\n")
    return cut[nl + 1:] if 0 <= nl < limit // 4 else cut


def head(text: str, limit: int) -> str:
    """The first `limit` characters of `text`, ending at a line end when one is near."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    nl = cut.rfind("\n")
    return cut[:nl + 1] if nl >= limit * 3 // 4 else cut
