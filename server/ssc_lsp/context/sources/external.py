"""Third-party APIs used near the cursor: their real signatures and docstrings, from the installed
packages (jedi), so the model writes against the installed version."""

from __future__ import annotations

import math

from ...map.resolve import External
from .. import weights as W
from ..items import EXTERNAL, Candidate
from .base import Pool, Query

SOURCE = "external"
MAX_LOOKUPS = 6


def collect(q: Query, pool: Pool) -> None:
    jedi = q.engine.jedi
    if jedi is None:
        return
    uses: list[tuple[External, int]] = list(q.notes.get("external_uses", []))
    rec = q.notes.get("receiver_external")
    if rec:
        module, _, name = rec.rpartition(".")
        uses.insert(0, (External(module or rec, name or None), 0))
    seen: set[str] = set()
    for ext, dist in uses:
        if ext.module in ("builtins", "<local>") or ext.dotted in seen:
            continue
        seen.add(ext.dotted)
        if len(seen) > MAX_LOOKUPS:
            break
        api = jedi.external_api(ext.module, ext.name, q.jedi_deadline)
        if api is None:
            continue
        cand = Candidate(key=f"external:{api.full_name}", path=api.module_path, kind=EXTERNAL,
                         text=api.text, start_line=api.line, end_line=api.line, label=api.full_name)
        strength = math.exp(-dist / W.NEARBY_SCALE)
        pool.add_text(cand, SOURCE, strength, f"installed API of `{ext.dotted}` used {dist} lines above")
