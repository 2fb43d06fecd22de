"""Candidate sources, in the order they run (later ones read notes earlier ones left).

Each module has `collect(query, pool)`; the source names it records evidence under are the keys
of rank.SOURCE_WEIGHTS, which gives each its weight from weights.py.
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
