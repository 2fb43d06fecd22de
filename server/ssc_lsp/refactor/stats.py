"""Counters of what the code actions and refactor commands did, for `ssc/stats` and the benchmark.

One place for these facts, incremented through one small API (the session keeps one
`ActionStats`, on its Assistant; `owner` is the server or the Assistant):

    from ..refactor import stats
    stats.count(ls, stats.REPAIRED, "ssc.refactor")   # one event, for one action

Events (the keys of `ssc/stats` -> `actions`):
- `offered`, `resolved`: model actions offered by `textDocument/codeAction`, and resolved
  (counted by features/code_actions.py);
- `applied`, `declined`: edits sent with `workspace/applyEdit` that the client applied or
  declined (features/deliver.py);
- `clean`, `problems`: proposals delivered after the check with no problem / with problems
  (features/deliver.py and the resolve path);
- `repaired`: proposals whose check failed and that a repair round fixed; `refused`: proposals
  refused (an edit outside the workspace, or a failed check the repair round could not fix and
  that is therefore not offered) — counted by the code that runs the repair round or refuses;
- `cancelled`: model requests cancelled (`$/cancelRequest`, progress cancel), and
  `modelErrors` by `LLMError.kind` (refactor/model.py counts both).

`byAction` splits every event by action (a command name like `ssc.changeSignature`, or a code
action source's name): a list of `{"action": name, event: count, ...}` (a list, not an object
keyed by names with dots, which some clients' JSON readers mangle).
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field

OFFERED, RESOLVED, APPLIED, DECLINED = "offered", "resolved", "applied", "declined"
CLEAN, PROBLEMS, REPAIRED, REFUSED, CANCELLED = "clean", "problems", "repaired", "refused", "cancelled"
MODEL_ERROR = "modelErrors"
EVENTS = (OFFERED, RESOLVED, APPLIED, DECLINED, CLEAN, PROBLEMS, REPAIRED, REFUSED, CANCELLED)


@dataclass
class ActionStats:
    events: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)  # LLMError kind -> count
    by_action: defaultdict = field(default_factory=lambda: defaultdict(Counter))
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, event: str, action: str | None = None, n: int = 1) -> None:
        if event not in EVENTS:
            raise ValueError(f"unknown action event {event!r} (one of {', '.join(EVENTS)})")
        with self._lock:
            self.events[event] += n
            if action:
                self.by_action[action][event] += n

    def error(self, kind: str, action: str | None = None) -> None:
        with self._lock:
            self.errors[kind] += 1
            if action:
                self.by_action[action][MODEL_ERROR] += 1

    def to_json(self) -> dict:
        with self._lock:
            out: dict = {e: self.events[e] for e in EVENTS}
            out[MODEL_ERROR] = dict(self.errors)
            out["byAction"] = [{"action": a, **c} for a, c in sorted(self.by_action.items())]
            return out


def of(owner) -> ActionStats:
    """The session's counters: kept on its Assistant (the server holds it as `assistant`)."""
    holder = getattr(owner, "assistant", None) or owner
    found = getattr(holder, "action_stats", None)
    if found is None:
        found = ActionStats()
        holder.action_stats = found
    return found


def count(owner, event: str, action: str | None = None, n: int = 1) -> None:
    """Count `event` (one of EVENTS) for `action` in the session of `owner`."""
    of(owner).count(event, action, n)


def model_error(owner, kind: str, action: str | None = None) -> None:
    """Count a failed model request by its `LLMError.kind`."""
    of(owner).error(kind, action)
