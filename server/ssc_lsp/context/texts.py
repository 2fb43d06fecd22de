"""The text of workspace files, as lines, for rendering items.

An open document's text comes from the editor's buffer; any other file's from disk, cached by
the content hash the map recorded, so an item always shows the text the map's positions refer to
(a file changed on disk after it was mapped is re-read when its map is replaced).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from ..map.filemap import FileMap, content_hash
from ..map.service import MapService

CACHE_FILES = 512
CACHE_SNIPPETS = 50_000


class Texts:
    def __init__(self, svc: MapService):
        self.svc = svc
        self._cache: OrderedDict[tuple[str, str], list[str]] = OrderedDict()
        self._lock = threading.Lock()
        # rendered (and redacted) snippets by (path, content hash, what, form): a symbol's text
        # does not change until its file does, and rendering it is most of the packing time
        self.memo: OrderedDict[tuple, object] = OrderedDict()

    def children(self, fm: FileMap) -> dict[str, list]:
        """A file's symbols by the qualname of their parent ('' for module level), cached."""
        return self.remember(("children", fm.path, fm.hash), lambda: _children(fm))

    def remember(self, key: tuple, make):
        """`make()`, computed once per key (bounded LRU)."""
        with self._lock:
            if key in self.memo:
                self.memo.move_to_end(key)
                return self.memo[key]
        value = make()
        with self._lock:
            self.memo[key] = value
            while len(self.memo) > CACHE_SNIPPETS:
                self.memo.popitem(last=False)
        return value

    def lines(self, fm: FileMap) -> list[str] | None:
        """The file's lines (no line ends), or None when it cannot be read as mapped."""
        key = (fm.path, fm.hash)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        doc = self.svc.docs.get(fm.path)
        if doc is not None and doc.fm is fm:
            data = doc.data
        else:
            data = self.svc.read(fm.path).data
            if data is None or content_hash(data) != fm.hash:
                return None  # changed on disk since it was mapped: positions would be wrong
        lines = data.decode("utf-8", errors="replace").split("\n")
        lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
        with self._lock:
            self._cache[key] = lines
            while len(self._cache) > CACHE_FILES:
                self._cache.popitem(last=False)
        return lines


def _children(fm: FileMap) -> dict[str, list]:
    out: dict[str, list] = {}
    for s in fm.symbols[1:]:
        out.setdefault(s.parent or "", []).append(s)
    return out
