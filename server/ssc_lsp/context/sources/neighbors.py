"""The cursor's neighbourhood in the code: its class and bases, its callers, its file, its package.

Siblings: the methods and attributes of the enclosing class and of its bases (what `self.` can
reach, and the conventions the class follows). Callers: who calls the enclosing function, from
the graph's reverse `calls` edges. Same file and same package: a weak prior over module-level
definitions nearby in the tree.
"""

from __future__ import annotations

from ...map.records import CLASS, FUNCTION, IMPORT, METHOD, MODULE
from ...map.workspace import Located
from .. import weights as W
from .base import Pool, Query
from .receiver import class_members

SIBLING, CALLER, SAME_FILE, SAME_PACKAGE = "sibling", "caller", "same_file", "same_package"
MAX_PACKAGE_FILES = 16  # sibling modules looked at (a weak prior: a few suffice)
MAX_CALLERS = 20


def collect(q: Query, pool: Pool) -> None:
    cur = q.cursor
    cls = cur.enclosing_class
    if cls is not None:
        for loc, depth in class_members(q, Located(cur.fm, cls)):
            if loc.symbol.kind in (METHOD, FUNCTION, CLASS) or loc.symbol.kind == "attribute":
                where = "this class" if depth == 0 else f"a base class (depth {depth})"
                pool.add_symbol(loc, SIBLING, 0.5 * W.RECEIVER_BASE_DECAY ** depth, f"member of {where}")
    fn = cur.enclosing_function
    if fn is not None:
        graph = q.engine.graph
        node = f"{cur.rel}::{fn.qualname}"
        callers = sorted((u for u, rel in ((u, graph.relation(node, u)) for u in graph.neighbours(node))
                          if rel == "calls-by"))[:MAX_CALLERS]
        for caller in callers:
            loc = q.ws.get(caller)
            if loc is not None:
                pool.add_symbol(loc, CALLER, 0.6, f"calls {fn.name}")
    for s in cur.fm.symbols[1:]:
        if not s.parent and s.kind not in (IMPORT, MODULE) and s.range[0] < cur.row:
            pool.add_symbol(Located(cur.fm, s), SAME_FILE, 0.3, "defined in this file")
    folder = cur.rel.rsplit("/", 1)[0] if "/" in cur.rel else ""
    siblings = sorted(p for p in q.ws.files
                      if p != cur.rel and (p.rsplit("/", 1)[0] if "/" in p else "") == folder)
    for path in siblings[:MAX_PACKAGE_FILES]:
        fm = q.ws.files.get(path)
        if fm is None:
            continue
        for s in fm.symbols[1:]:
            if not s.parent and s.kind in (CLASS, FUNCTION):
                pool.add_symbol(Located(fm, s), SAME_PACKAGE, 0.3, "defined in the same package")
