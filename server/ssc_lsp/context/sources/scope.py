"""Where the cursor is: the enclosing function and class, and the file's import block."""

from __future__ import annotations

from ...map.records import CLASS, IMPORT
from ...map.workspace import Located
from ..items import IMPORTS, Candidate
from .base import Pool, Query

SOURCE = "scope"


def collect(q: Query, pool: Pool) -> None:
    cur = q.cursor
    for depth, sym in enumerate(cur.scopes):
        what = "enclosing class" if sym.kind == CLASS else "enclosing function"
        pool.add_symbol(Located(cur.fm, sym), SOURCE, 1.0 / (1 + depth), what)
    rows: list[int] = []
    for s in cur.fm.symbols[1:]:
        if s.kind == IMPORT and not s.parent:
            rows.extend(range(s.range[0], s.range[2] + 1))
    rows = sorted({r for r in rows if r < cur.row})
    if rows and q.gate.allowed(cur.rel):
        text = "".join(cur.lines[r].rstrip() + "\n" for r in rows if r < len(cur.lines))
        cand = Candidate(key=f"{cur.rel}#imports", path=cur.rel, kind=IMPORTS, text=text,
                         start_line=rows[0], end_line=rows[-1], label="imports", in_file=True)
        pool.add_text(cand, SOURCE, 0.5 * pool.prior(cur.rel), "the file's imports")
