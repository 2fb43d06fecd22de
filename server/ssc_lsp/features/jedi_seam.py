"""The one place the map features (rename, signature help) reach jedi: through the context
engine's jedi process (context/jedi_infer.py), on a deadline.

A seam on purpose: which jedi process answers (and with which environment) is decided here
only, so re-pointing it is a change to this module. Questions and answers are in map units
(workspace-relative paths, 0-based rows, byte columns); the unit changes go through
map/positions.py.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..context.engine import engine_for
from ..map.languages import language_for_path
from ..map.positions import LineIndex
from ..map.service import MapService


@dataclass(frozen=True, slots=True)
class Landing:
    """Where a jedi `goto` landed: a workspace-relative path (None outside the workspace), a
    0-based row and the name found there."""

    path: str | None
    row: int
    name: str


def _helper(svc: MapService, rel: str):
    """jedi's process, for a file whose language has jedi as its semantic backend (else None)."""
    lang = language_for_path(rel)
    if lang is None or lang.semantic != "jedi":
        return None
    return engine_for(svc).jedi


def goto_many(svc: MapService, rel: str, data: bytes, points: list[tuple[int, int]],
              deadline: float | None) -> list[list[Landing]] | None:
    """jedi's `goto` (imports followed) at each (row, byte column) of file `rel` with text
    `data`; None when jedi did not answer in time."""
    jedi = _helper(svc, rel)
    if jedi is None or not points:
        return None
    index = LineIndex(data)
    positions = [index.jedi_of_byte(index.byte_of_point(r, c)) for r, c in points]
    hits = jedi.goto_many(svc.abspath(rel), data.decode("utf-8", errors="replace"), positions, deadline)
    if hits is None or len(hits) != len(points):
        return None
    return [[Landing(_relative(svc.root, h.get("module_path") or ""), max(0, h.get("line", 1) - 1),
                     h.get("name", "")) for h in per] for per in hits]


def signatures(svc: MapService, rel: str, data: bytes, row: int, col: int,
               deadline: float | None) -> list[dict] | None:
    """jedi's signatures for the call open at (row, byte column): dicts with `label`, `params`
    (each parameter's text as it appears in the label), `index` (the active one) and `doc`."""
    jedi = _helper(svc, rel)
    if jedi is None:
        return None
    index = LineIndex(data)
    line, column = index.jedi_of_byte(index.byte_of_point(row, col))
    return jedi.signatures(svc.abspath(rel), data.decode("utf-8", errors="replace"), line, column,
                           deadline)


def _relative(root: str, path: str) -> str | None:
    if not path:
        return None
    rel = os.path.relpath(os.path.realpath(path), os.path.realpath(root))
    return None if rel.startswith("..") else rel.replace(os.sep, "/")
