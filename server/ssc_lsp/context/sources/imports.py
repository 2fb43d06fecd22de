"""Definitions of the names the file imports from the workspace.

An imported name is a promise of use; the closer to the cursor its last use, the likelier it is
used again now. A name imported inside the enclosing function is about to be used. Imports of a
whole module (`from . import utils`) do not propose the module itself: its members come in when
the cursor follows `utils.` (receiver.py).
"""

from __future__ import annotations

import math

from ...map.records import IMPORT, MODULE
from ...map.workspace import Located
from .. import weights as W
from .base import Pool, Query

SOURCE = "import"


def collect(q: Query, pool: Pool) -> None:
    cur = q.cursor
    enclosing = {s.qualname for s in cur.scopes}
    for sym in cur.fm.symbols[1:]:
        if sym.kind != IMPORT or sym.range[0] > cur.row:
            continue
        local = bool(sym.parent)
        if local and sym.parent not in enclosing:
            continue  # imported inside some other function
        target = q.resolver.follow_import(Located(cur.fm, sym))
        if not isinstance(target, Located) or target.symbol.kind in (MODULE, IMPORT):
            continue
        last = cur.last_use.get(sym.name)
        uses = cur.use_count.get(sym.name, 0)
        if local:
            strength = W.IMPORT_LOCAL
            why = f"imported in {sym.parent}"
        elif last is None:
            strength = W.IMPORT_UNUSED
            why = "imported, not used yet"
        else:
            dist = max(0, cur.row - last)
            strength = W.IMPORT_FLOOR + (1 - W.IMPORT_FLOOR) * math.exp(-dist / W.IMPORT_PROXIMITY_SCALE)
            strength = min(1.0, strength + min(W.IMPORT_USES_CAP, W.IMPORT_USES_BONUS * uses))
            why = f"imported, used {dist} lines above"
        pool.add_symbol(target, SOURCE, strength, why)
