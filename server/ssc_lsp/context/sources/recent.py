"""What the user changed recently, from the map's history: the model should write against the new
state (a renamed function, an added parameter), not the one it would guess from older code."""

from __future__ import annotations

from ...map.history import REMOVED
from .. import weights as W
from .base import Pool, Query

SOURCE = "recent"


def collect(q: Query, pool: Pool) -> None:
    hist = q.svc.history
    events = hist.query(since_seconds=W.RECENT_WINDOW_S)
    now = hist.clock()
    seen: set[str] = set()
    for ev in reversed(events):
        if ev.kind == REMOVED or ev.symbol in seen:
            continue
        seen.add(ev.symbol)
        loc = q.ws.get(ev.symbol)
        if loc is None:
            continue
        age = max(0.0, now - ev.time)
        strength = 0.5 ** (age / W.RECENT_HALF_LIFE_S)
        minutes = int(age // 60)
        when = "just now" if minutes == 0 else f"{minutes} min ago"
        pool.add_symbol(loc, SOURCE, strength, f"{ev.describe()} {when}")
        if len(seen) >= W.RECENT_MAX:
            break
