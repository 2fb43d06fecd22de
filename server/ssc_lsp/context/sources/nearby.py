"""Definitions of what the code just above the cursor uses (calls, attributes, names)."""

from __future__ import annotations

import math

from ...map.records import REF_ATTRIBUTE
from ...map.workspace import Located
from .. import weights as W
from .base import Pool, Query

SOURCE = "nearby"


def collect(q: Query, pool: Pool) -> None:
    cur = q.cursor
    lo = cur.row - W.NEARBY_LINES
    seen: set[tuple[str, str | None]] = set()
    for use in reversed(cur.uses):
        if use.row < lo:
            break
        ref = use.ref
        key = (ref.name, ref.receiver)
        if key in seen:
            continue
        seen.add(key)
        t = q.resolver.resolve_ref(cur.fm, ref, use.unit)
        if not isinstance(t, Located):
            if t is not None:
                q.notes.setdefault("external_uses", []).append((t, cur.row - use.row))
            continue
        dist = cur.row - use.row
        strength = math.exp(-dist / W.NEARBY_SCALE)
        what = "called" if ref.nargs >= 0 else "used"
        shown = f"{ref.receiver}.{ref.name}" if ref.kind == REF_ATTRIBUTE and ref.receiver else ref.name
        pool.add_symbol(t, SOURCE, strength, f"{what} {dist} lines above ({shown})")
