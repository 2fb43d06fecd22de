"""Candidate sources, in the order they run (later ones read notes earlier ones left).

Each module has `collect(query, pool)` and the source names it uses as weights keys
(weights.py maps every source name to its weight in rank.SOURCE_WEIGHTS).
"""

from __future__ import annotations

from . import (
    docs,
    external,
    imports,
    nearby,
    neighbors,
    receiver,
    recent,
    scope,
    similar,
    slot,
    typed,
)

SOURCES = {
    "scope": scope,
    "receiver": receiver,
    "import": imports,
    "nearby": nearby,
    "neighbors": neighbors,
    "recent": recent,
    "lexical": similar,
    "docs": docs,
    "external": external,
    "typed": typed,  # these two weigh what the others proposed
    "slot": slot,
}
