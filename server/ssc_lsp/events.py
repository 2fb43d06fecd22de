"""The server's events: what features subscribe to instead of wrapping each other's methods.

Features used to compose by re-binding hooks (`server.on_indexed = warm` after saving the previous
one, `server.apply_settings = wrapped`): the order of registration decided who saw what, a
feature registered later could drop an earlier one's hook, and a settings change reached only the
parts that had wrapped the method. Here each event is a list of subscribers called in order, each
isolated from the others' failures, and settings changes carry the old and the new values so a
subscriber acts only on what changed (as esbonio's configuration subscribers do).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, ParamSpec

log = logging.getLogger(__name__)

P = ParamSpec("P")


class Event(Generic[P]):
    """A named list of subscribers; `emit` calls each, logging (not raising) a failure."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._subscribers: list[Callable[P, object]] = []

    def subscribe(self, fn: Callable[P, object]) -> Callable[P, object]:
        """Add `fn` (also usable as a decorator); returns it."""
        self._subscribers.append(fn)
        return fn

    def emit(self, *args: P.args, **kwargs: P.kwargs) -> None:
        for fn in list(self._subscribers):
            try:
                fn(*args, **kwargs)
            except Exception:
                log.exception("a subscriber of %s failed", self.name)

    def __len__(self) -> int:
        return len(self._subscribers)


class ServerEvents:
    """Every event the server emits, with the arguments its subscribers get.

    - `settings(old: Config, new: Config)`: the configuration was replaced (initialize options,
      `workspace/configuration`, `didChangeConfiguration`); emitted also when nothing changed,
      so subscribers compare the parts they care about.
    - `changed(svc: MapService, rel: str)`: a file's map changed (open, edit, close, disk);
      for edits, once per burst of didChanges, when the map has caught up with them
      (features/sync.py).
    - `edited(svc: MapService, rel: str)`: an open document's text changed (every didChange),
      before its map catches up: for what must stop at once (a suggestion for the old text).
      Read the document's `version` here, not its map (reading the map would parse at once).
    - `indexed(services: list[MapService])`: an index pass over these folders finished.
    - `dropped(svc: MapService)`: a map left the server (a loose project taken over by a
      folder, a removed folder): take back what was published for it, stop its helpers.
    - `closing()`: the server is shutting down; stop helpers before the maps close.
    """

    def __init__(self) -> None:
        self.settings: Event = Event("settings")
        self.changed: Event = Event("changed")
        self.edited: Event = Event("edited")
        self.indexed: Event = Event("indexed")
        self.dropped: Event = Event("dropped")
        self.closing: Event = Event("closing")
