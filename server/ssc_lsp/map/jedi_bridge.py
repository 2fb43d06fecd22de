"""jedi for what the map's own resolution cannot know: inferred receiver types.

jedi infers types through assignments, returns and library stubs, which the map does not try to
do; it is also slow (a type-inferring `goto` can take seconds on a large file), so it is only
called on demand for one position (definition, context of `x.`), never on the typing path and
never for a whole file. Results are mapped back to the map's symbols when they land in the
workspace, else returned as dotted names of the installed library.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass

import jedi

from .jedi_env import project, source_roots
from .positions import LineIndex
from .resolve import External
from .workspace import Located, Workspace

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class JediHit:
    path: str | None  # absolute
    line: int  # 0-based
    column: int  # code points
    name: str
    kind: str
    full_name: str | None
    signature: str | None = None
    doc: str | None = None


class JediBridge:
    def __init__(self, root: str, extra_sys_path: list[str] | None = None, ws: Workspace | None = None):
        self.root = os.path.abspath(root)
        roots = list(extra_sys_path or [])
        roots += [p for p in source_roots(ws or Workspace(), self.root) if p not in roots]
        self.project = project(self.root, roots)  # the server's one jedi environment
        self.lock = threading.Lock()  # jedi's caches are not thread-safe

    def _script(self, source: str, abspath: str) -> jedi.Script:
        return jedi.Script(code=source, path=abspath, project=self.project)

    def goto(self, source: str, abspath: str, row: int, byte_col: int) -> list[JediHit]:
        """Where the name at (row, byte column) is defined, following imports."""
        index = LineIndex(source.encode("utf-8"))
        line, col = index.jedi_of_byte(index.byte_of_point(row, byte_col))
        try:
            with self.lock:
                names = self._script(source, abspath).goto(line, col, follow_imports=True)
                return [_hit(n) for n in names]
        except Exception as e:  # jedi raises on odd code; the map just gets no answer
            log.debug("jedi goto failed at %s:%d:%d: %s", abspath, line, col, e)
            return []

    def infer(self, source: str, abspath: str, row: int, byte_col: int) -> list[JediHit]:
        """The types of the expression ending at (row, byte column)."""
        index = LineIndex(source.encode("utf-8"))
        line, col = index.jedi_of_byte(index.byte_of_point(row, byte_col))
        try:
            with self.lock:
                return [_hit(n) for n in self._script(source, abspath).infer(line, col)]
        except Exception as e:
            log.debug("jedi infer failed at %s:%d:%d: %s", abspath, line, col, e)
            return []

    def completions(self, source: str, abspath: str, row: int, byte_col: int, limit: int = 200) -> list[JediHit]:
        """Members and names jedi offers at a position (e.g. after `x.`), with signatures."""
        index = LineIndex(source.encode("utf-8"))
        line, col = index.jedi_of_byte(index.byte_of_point(row, byte_col))
        try:
            with self.lock:
                out = []
                for c in self._script(source, abspath).complete(line, col)[:limit]:
                    sigs = c.get_signatures()
                    out.append(JediHit(None, 0, 0, c.name, c.type, c.full_name,
                                       sigs[0].to_string() if sigs else None,
                                       (c.docstring(raw=True) or "").strip().split("\n")[0] or None))
                return out
        except Exception as e:
            log.debug("jedi complete failed at %s:%d:%d: %s", abspath, line, col, e)
            return []


def _hit(n) -> JediHit:
    path = str(n.module_path) if n.module_path else None
    sig = None
    try:
        sigs = n.get_signatures()
        sig = sigs[0].to_string() if sigs else None
    except Exception:
        pass
    doc = None
    try:
        doc = (n.docstring(raw=True) or "").strip().split("\n")[0] or None
    except Exception:
        pass
    return JediHit(path, (n.line or 1) - 1, n.column or 0, n.name, n.type, n.full_name, sig, doc)


def to_target(ws: Workspace, root: str, hit: JediHit) -> Located | External | None:
    """A jedi answer as the map's target: a workspace symbol when it lands in the workspace."""
    if hit.path is not None:
        rel = os.path.relpath(hit.path, root).replace(os.sep, "/")
        fm = ws.files.get(rel) if not rel.startswith("..") else None
        if fm is not None:
            if hit.kind == "module":
                return Located(fm, fm.module_symbol) if fm.module_symbol else None
            for s in fm.symbols[1:]:
                r = s.name_range
                if s.name == hit.name and r[0] == hit.line:
                    return Located(fm, s)
            return None
    if hit.full_name:
        module, _, name = hit.full_name.rpartition(".")
        return External(module or hit.full_name, name or None)
    return None
