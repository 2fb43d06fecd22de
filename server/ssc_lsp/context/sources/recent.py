"""What the user changed recently, from the map's history: the model should write against the new
state (a renamed function, an added parameter), not the one it would guess from older code."""

from __future__ import annotations

from ...map.history import REMOVED
from .. import weights as W
from .base import Pool, Query

SOURCE = "recent"
RECENT_SCAN = 2000  # events looked at, newest first (many are one symbol's repeated edits)


def collect(q: Query, pool: Pool) -> None:
    hist = q.svc.history
    now = hist.clock()
    cutoff = now - W.RECENT_WINDOW_S
    with hist.lock:  # the newest first, stopping at the window: the log holds thousands
        events = []
        for ev in reversed(hist.log):
            if ev.time < cutoff or len(events) >= RECENT_SCAN:
                break
            events.append(ev)
    seen: set[str] = set()
    for ev in events:
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
