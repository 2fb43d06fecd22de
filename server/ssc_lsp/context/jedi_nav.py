"""Navigation where the map has no answer: jedi's, checked against the map.

The map answers definition and hover for what it can type (names through scopes and imports,
receivers it can type cheaply); past that it says nothing. jedi infers more (a parameter's type
from call sites, a return value) and reaches the standard library and installed packages, whose
real definitions the map does not hold. So, only where the map has no answer of its own:

- jedi's `goto` is asked in the workspace's jedi process (`jedi_helper_for`, the one jedi
  environment, map/jedi_env.py) with a deadline; a late answer is cached for the next request.
- A landing in the workspace counts only when the map has a symbol of that name there (the
  map's own symbol is returned, so what follows, references or rename, is the map's); else it
  is dropped: precision first.
- A landing outside the workspace (a file of the standard library or of site-packages) is
  returned as that file and position, with its signature and docstring for hovers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..map.jedi_bridge import JediHit, to_target
from ..map.positions import LineIndex
from ..map.service import MapService
from ..map.workspace import Located
from .jedi_infer import jedi_helper_for

# How long a definition or hover request waits for jedi when the map has no answer. The first
# question of a session starts the jedi process (~0.5 s), and a cold inference through call
# sites takes 2-6 s on a loaded 2-core machine (requests' `session.request` after
# `with sessions.Session() as session`: 2.2 s; marshmallow's `field_obj.data_key`: 6.3 s);
# the right answer late beats none. Past this the request answers without jedi, and the
# answer, once there, is cached for the next request at the same place.
DEADLINE_S = 10.0


@dataclass(frozen=True, slots=True)
class Outside:
    """A definition in a file outside the workspace (standard library, site-packages)."""

    path: str  # absolute
    line: int  # 0-based
    column: int  # code points, jedi's unit
    name: str
    signatures: tuple[str, ...] = ()
    doc: str = ""
    kind: str = ""

    def byte_range(self) -> tuple[LineIndex, tuple[int, int, int, int]] | None:
        """The file's line index and the name's range in rows and byte columns (None when the
        file cannot be read)."""
        try:
            with open(self.path, "rb") as f:
                data = f.read()
        except OSError:
            return None
        index = LineIndex(data)
        row, col = index.point_of_byte(index.byte_of_jedi(self.line + 1, self.column))
        return index, (row, col, row, col + len(self.name.encode("utf-8")))


async def _goto(svc: MapService, rel: str, row: int, col: int, deadline: float) -> list[dict]:
    text = svc.text_of(rel)
    if text is None:
        return []
    index = LineIndex(text.encode("utf-8"))
    line, column = index.jedi_of_byte(index.byte_of_point(row, col))
    helper = jedi_helper_for(svc)
    abspath = svc.abspath(rel)
    key = ("goto", rel, hash(text), line, column)
    names = await helper.ask_async(key, lambda: helper.definitions(abspath, text, line, column), deadline)
    return names or []


def _in_workspace(svc: MapService, path: str) -> str | None:
    rel = svc.relpath(path) if path else None
    return rel if rel is not None and svc.is_mapped(rel) else None


async def definition(svc: MapService, rel: str, row: int, col: int,
                     deadline: float = DEADLINE_S) -> Located | Outside | None:
    """jedi's definition of the name at (row, byte col), checked against the map."""
    for n in await _goto(svc, rel, row, col, deadline):
        path = n.get("module_path") or ""
        if not path or not (n.get("line") or n["type"] == "module"):
            continue  # a builtin without source, or a name jedi found no place for
        line = max(0, (n.get("line") or 1) - 1)
        if (wrel := _in_workspace(svc, path)) is not None:
            svc.ensure(wrel)  # the index may not have reached it yet
            hit = JediHit(path, line, n["column"], n["name"], n["type"], n["full_name"])
            t = to_target(svc.ws, svc.root, hit)
            if isinstance(t, Located):
                return t
            continue  # the map has nothing there: not an answer to give
        if os.path.isfile(path):
            return Outside(path, line, n["column"] if n["type"] != "module" else 0, n["name"],
                           tuple(n.get("signatures") or ()), n.get("doc") or "", n["type"])
    return None


def hover_markdown(o: Outside) -> str:
    """As jedi-language-server shows it: the signature, then the docstring."""
    head = "\n".join(o.signatures) if o.signatures else o.name
    text = f"```python\n{head}\n```"
    if o.doc:
        text += "\n\n" + o.doc
    return text + f"\n\n---\n\n`{os.path.basename(o.path)}` *outside the workspace*"
