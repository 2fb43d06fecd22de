"""Code that reads like the code before the cursor: BM25 over the workspace's definitions."""

from __future__ import annotations

from .. import weights as W
from ..lexical import code_tokens
from .base import Pool, Query

SOURCE = "lexical"


def collect(q: Query, pool: Pool) -> None:
    index = q.engine.lexical_index(wait=q.wait_for_indexes)
    if index is None:
        return
    cur = q.cursor
    # each distinct word once: a name repeated on every line says no more than once, and every
    # query token costs a pass over its postings
    query = list(dict.fromkeys(code_tokens(cur.query_text(W.LEXICAL_QUERY_LINES))))
    hits = index.search(query, W.LEXICAL_TOP, exclude=cur.rel)
    if not hits:
        return
    best = hits[0][1]
    for chunk, score in hits:
        fm = q.ws.files.get(chunk.path)
        if fm is None or fm.hash != chunk.version:
            continue  # the file changed since it was indexed
        loc = q.ws.get(chunk.key)
        if loc is None:
            continue
        pool.add_symbol(loc, SOURCE, score / best, f"similar to the code before the cursor (bm25 {score:.1f})")
