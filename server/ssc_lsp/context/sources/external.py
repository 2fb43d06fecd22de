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
    todo: list[tuple[External, int]] = []
    seen: set[str] = set()
    for ext, dist in uses:
        if ext.module in ("builtins", "<local>") or ext.dotted in seen:
            continue
        seen.add(ext.dotted)
        todo.append((ext, dist))
        if len(todo) >= MAX_LOOKUPS:
            break
    for ext, _ in todo:  # ask all at once: the worker answers them in turn while we wait
        jedi.external_api(ext.module, ext.name, 0.0)
    # A request does not wait for these (the receiver's type is worth the wait, a signature is
    # not): they are answered in the background and shown from the cache from the next request on.
    # Without a deadline (CLI, evaluation) they are waited for.
    wait = None if q.jedi_until is None else 0.0
    for ext, dist in todo:
        api = jedi.external_api(ext.module, ext.name, wait)
        if api is None:
            continue
        cand = Candidate(key=f"external:{api.full_name}", path=api.module_path, kind=EXTERNAL,
                         text=api.text, start_line=api.line, end_line=api.line, label=api.full_name)
        strength = math.exp(-dist / W.NEARBY_SCALE)
        pool.add_text(cand, SOURCE, strength, f"installed API of `{ext.dotted}` used {dist} lines above")
