"""How each symbol's state evolved: a bounded timeline per symbol.

Events: added, removed, renamed (the body is the same, the name is not), signature_changed,
body_changed. Consecutive body changes of one symbol within `COALESCE_SECONDS` merge into one
event, since every keystroke inside a function is a body change and the timeline would otherwise
hold nothing but them.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .records import ATTRIBUTE, CLASS, CONSTANT, FUNCTION, IMPORT, METHOD, VARIABLE, Symbol

PER_SYMBOL = 32  # events kept per symbol
TOTAL = 20_000  # events kept in all; the oldest go first
COALESCE_SECONDS = 60.0

ADDED, REMOVED, RENAMED = "added", "removed", "renamed"
SIGNATURE_CHANGED, BODY_CHANGED = "signature_changed", "body_changed"


@dataclass(slots=True)
class Event:
    symbol: str  # symbol id (after the event)
    path: str
    kind: str
    time: float
    version: int | None = None
    name: str = ""
    detail: dict = field(default_factory=dict)

    def describe(self) -> str:
        d = self.detail
        if self.kind == RENAMED:
            return f"renamed from `{d.get('old_name')}`"
        if self.kind == SIGNATURE_CHANGED:
            added = d.get("added") or []
            removed = d.get("removed") or []
            parts = []
            if added:
                parts.append("added " + ", ".join(f"`{p}`" for p in added))
            if removed:
                parts.append("removed " + ", ".join(f"`{p}`" for p in removed))
            what = "; ".join(parts) or f"now `{d.get('new')}`"
            return f"signature changed: {what}"
        return self.kind.replace("_", " ")


def tracked(sym: Symbol, parent_kind: Callable[[str | None], str | None]) -> bool:
    """Module- and class-level symbols have a history; locals and parameters do not, nor
    what an anonymous function declares (its name is its place, which edits move)."""
    if "<" in (sym.parent or ""):
        return False
    if sym.kind in (CLASS, FUNCTION, METHOD):
        return True
    if sym.kind in (VARIABLE, CONSTANT, IMPORT, ATTRIBUTE):
        return sym.parent == "" or sym.kind == ATTRIBUTE or parent_kind(sym.parent) == CLASS
    return False


class History:
    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock
        self.by_symbol: dict[str, deque[Event]] = {}
        self.log: deque[Event] = deque(maxlen=TOTAL)
        self.pending: list[Event] = []  # not yet persisted
        self.lock = threading.Lock()

    # -- recording ---------------------------------------------------------------------------
    def record(self, ev: Event) -> None:
        with self.lock:
            q = self.by_symbol.setdefault(ev.symbol, deque(maxlen=PER_SYMBOL))
            last = q[-1] if q else None
            if (ev.kind == BODY_CHANGED and last is not None and last.kind == BODY_CHANGED
                    and ev.time - last.time < COALESCE_SECONDS):
                last.time, last.version = ev.time, ev.version
                return
            q.append(ev)
            self.log.append(ev)
            self.pending.append(ev)

    def load(self, events: Iterable[Event]) -> None:
        """Restore persisted events (oldest first) without marking them pending."""
        with self.lock:
            for ev in events:
                self.by_symbol.setdefault(ev.symbol, deque(maxlen=PER_SYMBOL)).append(ev)
                self.log.append(ev)

    def take_pending(self) -> list[Event]:
        with self.lock:
            out, self.pending = self.pending, []
            return out

    def diff(self, old_fm, new_fm, version: int | None) -> None:
        self.diff_symbols(new_fm.path, old_fm.symbols[1:], new_fm.symbols[1:], version,
                          _parent_kinds(old_fm, new_fm))

    def diff_symbols(self, path: str, old: list[Symbol], new: list[Symbol], version: int | None,
                     parent_kind: Callable[[str | None], str | None] | None = None) -> None:
        pk = parent_kind or (lambda _p: None)
        old_t = {s.id: s for s in old if tracked(s, pk)}
        new_t = {s.id: s for s in new if tracked(s, pk)}
        now = self.clock()
        removed = [s for i, s in old_t.items() if i not in new_t]
        added = [s for i, s in new_t.items() if i not in old_t]
        renamed_from: dict[str, Symbol] = {}
        for a in added:
            for r in removed:
                if r.kind == a.kind and r.parent == a.parent and r.body_hash == a.body_hash and r.id not in renamed_from.values():
                    renamed_from[a.id] = r
                    break
        gone = {r.id for r in renamed_from.values()}
        for r in removed:
            if r.id not in gone:
                self.record(Event(r.id, path, REMOVED, now, version, r.name, _state(r)))
        for a in added:
            r = renamed_from.get(a.id)
            if r is not None:
                self.record(Event(a.id, path, RENAMED, now, version, a.name,
                                  {"old_name": r.name, "old_id": r.id}))
            else:
                self.record(Event(a.id, path, ADDED, now, version, a.name, _state(a)))
        for i, n in new_t.items():
            o = old_t.get(i)
            if o is None:
                continue
            if o.signature is not None and n.signature is not None and o.signature.key() != n.signature.key():
                old_names = [p.name for p in o.signature.params]
                new_names = [p.name for p in n.signature.params]
                self.record(Event(i, path, SIGNATURE_CHANGED, now, version, n.name, {
                    "old": o.signature.render(o.name), "new": n.signature.render(n.name),
                    "added": [p for p in new_names if p not in old_names],
                    "removed": [p for p in old_names if p not in new_names],
                }))
            elif o.body_hash != n.body_hash:
                self.record(Event(i, path, BODY_CHANGED, now, version, n.name))

    # -- queries -------------------------------------------------------------------------------
    def for_symbol(self, symbol_id: str) -> list[Event]:
        return list(self.by_symbol.get(symbol_id, ()))

    def latest(self, symbol_id: str) -> Event | None:
        q = self.by_symbol.get(symbol_id)
        return q[-1] if q else None

    def query(self, *, since_seconds: float | None = None, path: str | None = None,
              symbol: str | None = None, kinds: Iterable[str] | None = None) -> list[Event]:
        """What changed: in the last N seconds, in a file, for a symbol (newest last)."""
        source = self.by_symbol.get(symbol, ()) if symbol else self.log
        cutoff = self.clock() - since_seconds if since_seconds is not None else None
        want = set(kinds) if kinds else None
        return [e for e in source
                if (cutoff is None or e.time >= cutoff) and (path is None or e.path == path)
                and (want is None or e.kind in want)]

    def renamed_to(self, path: str, old_name: str, parent: str | None) -> Event | None:
        """The latest rename away from `old_name` in `path`, if the history shows one."""
        for e in reversed(self.log):
            if e.kind == RENAMED and e.path == path and e.detail.get("old_name") == old_name:
                return e
        return None


def _state(s: Symbol) -> dict:
    d: dict = {"kind": s.kind}
    if s.signature is not None:
        d["signature"] = s.signature.render(s.name)
    return d


def _parent_kinds(*fms) -> Callable[[str | None], str | None]:
    def kind(parent: str | None) -> str | None:
        if not parent:
            return None
        for fm in fms:
            s = fm.lookup(parent)
            if s is not None:
                return s.kind
        return None

    return kind
