"""Avoid asking the model again for what it already answered.

Two mechanisms, both cheap and both about latency:

* :class:`CompletionCache` -- an LRU keyed by a hash of the exact prompt
  payload and the settings that shape the answer.  Editors re-request the
  same position constantly (cursor moves back, a popup re-opens).
* :func:`typing_through` -- while the user types exactly what the last
  suggestion proposed, the rest of that suggestion is still the answer; no
  request is needed at all.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass

from .request import Completion


def cache_key(payload: object, settings_identity: tuple) -> str:
    """A stable hash of a prompt payload (messages or prompt text) and settings.

    JSON with sorted keys makes equal payloads hash equally regardless of
    dict order; sha256 keeps keys small and reveals nothing of the code.
    """
    blob = json.dumps([payload, list(settings_identity)], sort_keys=True, default=repr)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class CompletionCache:
    """A bounded least-recently-used map from :func:`cache_key` to a Completion."""

    def __init__(self, max_entries: int = 256) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._items: OrderedDict[str, Completion] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Completion | None:
        item = self._items.get(key)
        if item is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return item

    def put(self, key: str, completion: Completion) -> None:
        self._items[key] = completion
        self._items.move_to_end(key)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: str) -> bool:
        return key in self._items


@dataclass(frozen=True)
class Suggestion:
    """The last suggestion shown: the prefix it was computed for, and its text."""

    anchor_prefix: str
    text: str


def typing_through(last: Suggestion | None, new_prefix: str) -> str | None:
    """The rest of ``last`` if the user has typed a prefix of it since, else None.

    Returns None when there is no suggestion, when the document before the
    anchor changed, when the typed text diverges from the suggestion, or when
    the suggestion has been typed completely (nothing left to offer -- the
    caller should ask afresh).
    """
    if last is None or not last.text:
        return None
    if not new_prefix.startswith(last.anchor_prefix):
        return None
    typed = new_prefix[len(last.anchor_prefix) :]
    if not last.text.startswith(typed):
        return None
    rest = last.text[len(typed) :]
    return rest or None
