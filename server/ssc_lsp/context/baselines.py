"""The baselines the engine is measured against, implemented as their authors describe them.

* `bm25`: CrossCodeEval's retrieval (Ding et al., 2023): every other file of the repository cut
  into windows of 10 lines (stride 5), ranked by BM25 against the last 10 lines before the
  cursor, tokenized into identifiers and words; packed in rank order, whole, skipping a window
  that overlaps one already packed.
* `infile`: nothing cross-file: the code just above the cursor, 10 lines at a time, nearest
  first (what a model sees with no retrieval at all).

Both render items like the engine does (a `# path` line, `// path` in TS or Go, then the text), so characters compare.
"""

from __future__ import annotations

import re
import time

from ..map.service import MapService
from .items import CHUNK, Item, path_header
from .lexical import Chunk, ChunkIndex
from .privacy import PathGate
from .redact import redact
from .tokens import Budget

WINDOW = 10
STRIDE = 5
QUERY_LINES = 10
_WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+")


def word_tokens(text: str) -> list[str]:
    return [w.lower() for w in _WORDS.findall(text)]


class WindowIndex:
    """BM25 over 10-line windows of every mapped file of a workspace (built once)."""

    def __init__(self, svc: MapService):
        self.svc = svc
        gate = PathGate(svc)
        chunks: list[Chunk] = []
        tokens: list[list[str]] = []
        self.text: dict[str, str] = {}
        for path in sorted(svc.ws.files):
            if not gate.allowed(path):
                continue
            data = svc.text_of(path)
            if data is None:
                continue
            lines = data.split("\n")
            last = max(0, len(lines) - WINDOW)
            starts = list(range(0, last + 1, STRIDE))
            if starts[-1] != last:
                starts.append(last)
            for s in starts:
                e = min(len(lines), s + WINDOW) - 1
                body = "\n".join(lines[s:e + 1])
                if not body.strip():
                    continue
                key = f"{path}#{s}-{e}"
                chunks.append(Chunk(key, path, s, e, ""))
                tokens.append(word_tokens(body))
                self.text[key] = body.rstrip("\n") + "\n"
        self.index = ChunkIndex(chunks, tokens)


def bm25_items(windows: WindowIndex, rel: str, prefix_lines: list[str], budget: Budget) -> list[Item]:
    query = word_tokens("\n".join(prefix_lines[-QUERY_LINES:]))
    hits = windows.index.search(query, top=2000, exclude=rel)
    items: list[Item] = []
    used = 0
    spans: dict[str, list[tuple[int, int]]] = {}
    prev = None
    for chunk, score in hits:
        if any(chunk.start <= e and s <= chunk.end for s, e in spans.get(chunk.path, ())):
            continue
        head = path_header(chunk.path) if chunk.path != prev else ""
        block = head + redact(windows.text[chunk.key])
        cost = budget.cost(block)
        if used + cost > budget.limit:
            if budget.limit - used < 40:
                break
            continue
        used += cost
        prev = chunk.path
        spans.setdefault(chunk.path, []).append((chunk.start, chunk.end))
        items.append(Item(chunk.path, chunk.start, chunk.end, CHUNK, chunk.key, "whole", score,
                          ["bm25 window"], block, len(block), budget.counter(block)))
    return items


def infile_items(rel: str, prefix_lines: list[str], budget: Budget) -> list[Item]:
    items: list[Item] = []
    used = 0
    end = len(prefix_lines) - 1
    first = True
    while end >= 0:
        start = max(0, end - WINDOW + 1)
        head = path_header(rel) if first else ""
        block = head + redact("\n".join(prefix_lines[start:end + 1]) + "\n")
        cost = budget.cost(block)
        if used + cost > budget.limit:
            break
        used += cost
        first = False
        items.append(Item(rel, start, end, CHUNK, f"{rel}#{start}-{end}", "whole", 0.0,
                          ["just above the cursor"], block, len(block), budget.counter(block)))
        end = start - 1
    return items


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return out, (time.perf_counter() - t0) * 1000
