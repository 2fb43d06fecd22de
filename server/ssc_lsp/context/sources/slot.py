"""What kind of thing fits where the cursor is, from the syntax just before it.

`raise ` and `except ` take exception classes; a line starting with `@` takes a decorator;
`class X(` takes classes. Candidates already proposed by other sources that fit the slot get this
source's strength on top (it proposes nothing of its own): among a module's hundred members after
`@click.`, the ones the code base uses as decorators are the likely ones.
"""

from __future__ import annotations

import math
import re

from ...map.records import CLASS, FUNCTION, METHOD
from .base import Pool, Query

SOURCE = "slot"
_EXC_CONTEXT = re.compile(r"(?:^|[\s(,])(raise|except)\s+(?:\(\s*(?:[\w.]+\s*,\s*)*)?[\w.]*$")
_BASES_CONTEXT = re.compile(r"^\s*class\s+\w+\s*\((?:[\w.]+\s*,\s*)*[\w.]*$")
_EXC_NAME = re.compile(r"(Error|Exception|Warning|Exit|Abort|Interrupt|Failure|Timeout)$")


def slot_of(line_prefix: str) -> str | None:
    text = line_prefix
    if _EXC_CONTEXT.search(text):
        return "exception"
    if text.lstrip().startswith("@"):
        return "decorator"
    if _BASES_CONTEXT.match(text):
        return "class"
    return None


def is_exception(sym) -> bool:
    return sym.kind == CLASS and (bool(_EXC_NAME.search(sym.name))
                                  or any(_EXC_NAME.search(b.split("[", 1)[0]) for b in sym.bases))


def collect(q: Query, pool: Pool) -> None:
    slot = slot_of(q.cursor.line_prefix)
    if slot is None:
        return
    q.notes["slot"] = slot
    if slot == "decorator":
        usage = q.engine.decorator_usage()
        cands = [c for c in pool.values() if c.symbol is not None and c.symbol.kind in (FUNCTION, METHOD, CLASS)]
        best = max((usage.get(c.symbol.name, 0) for c in cands), default=0)
        if best <= 0:
            return
        for c in cands:
            n = usage.get(c.symbol.name, 0)
            if n:
                pool.add_text(c, SOURCE, math.log1p(n) / math.log1p(best), f"used as a decorator {n} times")
        return
    for c in pool.values():
        sym = c.symbol
        if sym is None:
            continue
        if slot == "exception" and is_exception(sym):
            pool.add_text(c, SOURCE, 1.0, "an exception, where one is raised or caught")
        elif slot == "class" and sym.kind == CLASS:
            pool.add_text(c, SOURCE, 1.0, "a class, where a base class goes")
