"""History events in words, for hover and diagnostics ("signature changed 3 min ago: added
`timeout`", "since its change at 14:02"). LSP-free; times are the history's clock (epoch)."""

from __future__ import annotations

import time

from .history import ADDED, BODY_CHANGED, REMOVED, RENAMED, SIGNATURE_CHANGED, Event


def ago(then: float, now: float) -> str:
    s = max(0.0, now - then)
    if s < 45:
        return "just now"
    if s < 90:
        return "1 min ago"
    if s < 3600:
        return f"{round(s / 60)} min ago"
    if s < 2 * 86400:
        h = round(s / 3600)
        return f"{h} h ago"
    return time.strftime("on %Y-%m-%d", time.localtime(then))


def clock_time(then: float, now: float) -> str:
    """`14:02` today, `2026-11-20 14:02` before."""
    t, n = time.localtime(then), time.localtime(now)
    if (t.tm_year, t.tm_yday) == (n.tm_year, n.tm_yday):
        return time.strftime("%H:%M", t)
    return time.strftime("%Y-%m-%d %H:%M", t)


def what_changed(ev: Event) -> str:
    """The event's detail without its kind: "added `timeout`; removed `retries`"."""
    d = ev.detail
    if ev.kind == SIGNATURE_CHANGED:
        parts = []
        if d.get("added"):
            parts.append("added " + ", ".join(f"`{p}`" for p in d["added"]))
        if d.get("removed"):
            parts.append("removed " + ", ".join(f"`{p}`" for p in d["removed"]))
        return "; ".join(parts) or f"now `{d.get('new')}`"
    if ev.kind == RENAMED:
        return f"was `{d.get('old_name')}`"
    return ""


_VERB = {SIGNATURE_CHANGED: "signature changed", RENAMED: "renamed", ADDED: "added",
         REMOVED: "removed", BODY_CHANGED: "body changed"}


def phrase(ev: Event, now: float) -> str:
    """"signature changed 3 min ago: added `timeout`"."""
    head = f"{_VERB.get(ev.kind, ev.kind.replace('_', ' '))} {ago(ev.time, now)}"
    tail = what_changed(ev)
    return f"{head}: {tail}" if tail else head
