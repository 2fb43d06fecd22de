"""Lexical similarity: BM25 (the `bm25s` library) over code chunks and documentation sections.

Code is tokenized into identifiers and their parts (`send_from_directory` gives
`send_from_directory`, `send`, `from`, `directory`; `HTTPError` gives `httperror`, `http`,
`error`), lower-cased, without Python keywords: what a developer would type to search.

`ChunkIndex` indexes any list of (key, text) chunks once; a snapshot of the workspace's symbols
is indexed by `symbol_chunks`. The index is rebuilt only when many files changed (the engine
decides when); results from files whose map changed since are dropped, so a stale index can miss
a chunk but never shows text that is no longer there.
"""

from __future__ import annotations

import keyword
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np

from ..map.records import CLASS, FUNCTION, METHOD
from ..map.workspace import Located, Workspace
from .graph import node_worthy
from .privacy import PathGate
from .texts import Texts

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+")
_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
STOP = frozenset(keyword.kwlist) | {"self", "cls", "none", "true", "false", "return", "def"}
CHUNK_MAX_LINES = 40


def code_tokens(text: str) -> list[str]:
    """Identifiers and their snake/camel parts, lower-cased, keywords dropped."""
    out: list[str] = []
    for w in _WORD.findall(text):
        low = w.lower()
        if low in STOP or len(low) < 2:
            continue
        out.append(low)
        parts = [p.lower() for p in _PARTS.findall(w)]
        if len(parts) > 1:
            out.extend(p for p in parts if len(p) > 1 and p not in STOP)
    return out


@dataclass(frozen=True, slots=True)
class Chunk:
    key: str  # a symbol id, or path#start-end for windows and sections
    path: str
    start: int  # 0-based rows, inclusive
    end: int
    version: str  # the file's content hash when indexed ("" when not from the map)


class ChunkIndex:
    """BM25 over chunks, with each path's chunks contiguous so a file can be masked out."""

    def __init__(self, chunks: Sequence[Chunk], tokens: Sequence[list[str]]):
        self.chunks = list(chunks)
        self.spans: dict[str, tuple[int, int]] = {}
        for i, c in enumerate(self.chunks):
            lo, hi = self.spans.get(c.path, (i, i))
            self.spans[c.path] = (min(lo, i), max(hi, i + 1))
        self.bm25: bm25s.BM25 | None = None
        if self.chunks:
            self.bm25 = bm25s.BM25()
            self.bm25.index([t or ["\0"] for t in tokens], show_progress=False)

    def __len__(self) -> int:
        return len(self.chunks)

    def search(self, query: list[str], top: int, exclude: str | None = None) -> list[tuple[Chunk, float]]:
        """The `top` best chunks for `query` (scores > 0), best first, ties by position."""
        if self.bm25 is None or not query:
            return []
        scores = np.asarray(self.bm25.get_scores(query), dtype=np.float64)
        if exclude is not None and exclude in self.spans:
            lo, hi = self.spans[exclude]
            scores[lo:hi] = 0.0
        n = int(np.count_nonzero(scores > 0))
        if n == 0:
            return []
        k = min(top, n)
        idx = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        order = sorted((int(i) for i in idx if scores[i] > 0), key=lambda i: (-scores[i], i))
        return [(self.chunks[i], float(scores[i])) for i in order[:k]]


def symbol_chunks(ws: Workspace, texts: Texts, gate: PathGate) -> ChunkIndex:
    """One chunk per function, method and class header of every allowed workspace file."""
    chunks: list[Chunk] = []
    tokens: list[list[str]] = []
    for path in sorted(ws.files):
        fm = ws.files.get(path)
        if fm is None or not gate.allowed(path):
            continue
        lines = texts.lines(fm)
        if lines is None:
            continue
        for s in fm.symbols[1:]:
            if s.kind not in (CLASS, FUNCTION, METHOD):
                continue
            if not node_worthy(Located(fm, s)):
                continue
            r0, _, r1, _ = s.range
            if s.kind == CLASS:
                # the header and docstring, not the members (they are chunks of their own)
                r1 = min(r1, s.name_range[0] + 8)
            r1 = min(r1, r0 + CHUNK_MAX_LINES - 1, len(lines) - 1)
            text = "\n".join(lines[r0:r1 + 1])
            chunks.append(Chunk(s.id, path, r0, r1, fm.hash))
            tokens.append(code_tokens(text))
    return ChunkIndex(chunks, tokens)
