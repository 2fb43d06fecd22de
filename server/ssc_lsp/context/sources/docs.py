"""Project documentation: the guidelines file always, other sections by similarity."""

from __future__ import annotations

from .. import weights as W
from ..items import DOC, Candidate
from ..lexical import code_tokens
from .base import Pool, Query

SOURCE, GUIDELINES = "docs", "guidelines"


def _candidate(sec) -> Candidate:
    return Candidate(key=f"{sec.path}#{sec.start}-{sec.end}", path=sec.path, kind=DOC, text=sec.text,
                     start_line=sec.start, end_line=sec.end, label=sec.title)


def collect(q: Query, pool: Pool) -> None:
    index = q.engine.docs_index()
    if index is None:
        return
    for sec in index.guidelines():
        pool.add_text(_candidate(sec), GUIDELINES, 1.0, "project guidelines for the assistant")
    query = code_tokens(q.cursor.query_text(W.LEXICAL_QUERY_LINES))
    hits = index.search(query, W.DOCS_TOP)
    if not hits:
        return
    best = hits[0][1]
    for sec, score in hits:
        pool.add_text(_candidate(sec), SOURCE, score / best, f"documentation matching the code (bm25 {score:.1f})")
