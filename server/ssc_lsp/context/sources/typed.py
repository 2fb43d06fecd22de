"""The start of the word being typed: definitions whose name it begins.

Once a user has typed `sel` the next name starts with it: candidates other sources proposed
that match get the full strength, and the workspace's symbol search (map/symbol_search.py, its
exact and prefix tiers) proposes the matching definitions nobody else did, with less.
After `x.` the receiver source already narrows its members to the typed prefix.
"""

from __future__ import annotations

from ...map.symbol_search import searcher
from .. import weights as W
from .base import Pool, Query

SOURCE = "typed"


def collect(q: Query, pool: Pool) -> None:
    cur = q.cursor
    typed = cur.partial
    if len(typed) < W.TYPED_MIN_CHARS or cur.receiver:
        return
    low = typed.lower()
    found = 0
    for c in pool.values():
        if c.symbol is not None and c.symbol.name.lower().startswith(low):
            pool.add_text(c, SOURCE, 1.0, f"its name starts with `{typed}`, as typed")
            found += 1
    for loc in searcher(q.ws).search(typed, W.TYPED_SEARCH_LIMIT):
        if loc.symbol.name.lower().startswith(low):
            found += pool.add_symbol(loc, SOURCE, 0.5, f"its name starts with `{typed}`, as typed") is not None
    if found:
        q.notes["typed_found"] = found
