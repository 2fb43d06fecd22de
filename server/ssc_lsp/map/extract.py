"""Extraction, for every language: from a tree to units of symbols and references.

The language cuts the tree into units (`Language.unit_specs`) and fills each from the captures
of its `map` query (`Language.fill_unit`); this module runs that query once per run of adjacent
units and deals the captures out by start byte, with the limits that keep a hostile file from
holding the map. Python's own part is languages/python/extract.py.
"""

from __future__ import annotations

from bisect import bisect_right

import tree_sitter as ts

from .languages import Language, UnitSpec
from .records import Unit

__all__ = ["UnitSpec", "extract_unit", "extract_units", "split_units", "unit_of"]

# a unit with more captures than this is left empty: the largest unit of the development corpus
# (requests, flask, jinja2, werkzeug, marshmallow) has 1,129; a 1 MB line of names has ~300,000
MAX_UNIT_CAPTURES = 100_000
# a unit longer than this (bytes) is left empty without a query: the largest units seen in real
# code are generated tables of ~140 KB (rich's emoji codes, idna's uts46data)
MAX_UNIT_BYTES = 512_000
# a unit nested deeper than this (tree levels, at a probed name) is left empty: a node's parent
# costs tree-sitter a walk down from the root, so a chain `a.b.b....b` or `f(f(f(...)))` 20,000
# deep made extraction quadratic (minutes); real code nests a few dozen levels
MAX_TREE_DEPTH = 1_000
DEPTH_PROBE_BYTES = 4096  # units shorter than this are not probed (their worst case is ~0.5 s)
DEPTH_PROBES = 17  # names probed per unit, evenly through its captures
# units closer than this (bytes) share one query: the gap is walked for nothing, but a query per
# unit steps over every sibling before it
RUN_GAP = 4096


def unit_of(spec: UnitSpec) -> Unit:
    sb, eb, sr, er, ec, ctx, kind, doc = spec
    return Unit(start_byte=sb, end_byte=eb, start_row=sr, end_row=er, end_col=ec, context=ctx,
                kind=kind, doc=doc)


def split_units(lang: Language, root: ts.Node) -> list[Unit]:
    return [unit_of(s) for s in lang.unit_specs(root)]


def _captures(lang: Language, root: ts.Node, start: int, end: int) -> dict[str, list[ts.Node]]:
    cursor = ts.QueryCursor(lang.query())
    cursor.set_byte_range(start, end)
    return cursor.captures(root)


def _too_deep(root: ts.Node, caps: dict[str, list[ts.Node]]) -> bool:
    """Whether one of DEPTH_PROBES names spread through a unit's captures lies deeper than
    MAX_TREE_DEPTH. A cursor descends from the root (its steps are cheap, unlike `parent`), at
    most MAX_TREE_DEPTH steps a probe; a deep run of names is found when it spans a sixteenth
    of the unit's names, and a shorter one costs what a smaller unit costs."""
    nodes = sorted((n for ns in caps.values() for n in ns), key=lambda n: n.start_byte)
    if not nodes:
        return False
    last = len(nodes) - 1
    for i in sorted({k * last // (DEPTH_PROBES - 1) for k in range(DEPTH_PROBES)}):
        target = nodes[i].start_byte
        cur = root.walk()
        for _ in range(MAX_TREE_DEPTH):
            if cur.goto_first_child_for_byte(target) is None:
                break
        else:
            return True
    return False


def extract_unit(lang: Language, unit: Unit, root: ts.Node) -> Unit:
    """Fill `unit` from the tree; returns it."""
    extract_units(lang, [unit], root)
    return unit


def extract_units(lang: Language, units: list[Unit], root: ts.Node) -> list[Unit]:
    """Fill `units` (in byte order, not overlapping) from the tree; returns those given up on.

    One query runs over each run of adjacent units, and its captures are dealt out by start
    byte. A query per unit was quadratic: tree-sitter steps over every sibling before the
    range, and a file of unclosed brackets is thousands of one-token units under one ERROR
    root (5,000 of them took 154 s). A unit of more than MAX_UNIT_BYTES (not queried) or
    MAX_UNIT_CAPTURES, or nested deeper than MAX_TREE_DEPTH, is left empty: what it holds is
    no program a person reads, and walking it would hold the map.
    """
    gave_up = [u for u in units if u.end_byte - u.start_byte > MAX_UNIT_BYTES]
    if gave_up:
        units = [u for u in units if u.end_byte - u.start_byte <= MAX_UNIT_BYTES]
    fill = lang.fill_unit
    i = 0
    while i < len(units):
        j = i + 1
        while j < len(units) and units[j].start_byte <= units[j - 1].end_byte + RUN_GAP:
            j += 1
        run = units[i:j]
        caps = _captures(lang, root, run[0].start_byte, run[-1].end_byte)
        starts = [u.start_byte for u in run]
        per: list[dict[str, list[ts.Node]]] = [{} for _ in run]
        counts = [0] * len(run)
        for cname, nodes in caps.items():
            for n in nodes:
                k = bisect_right(starts, n.start_byte) - 1
                if k >= 0 and n.start_byte < run[k].end_byte:
                    per[k].setdefault(cname, []).append(n)
                    counts[k] += 1
        for u, c, n in zip(run, per, counts, strict=True):
            if n > MAX_UNIT_CAPTURES or (u.end_byte - u.start_byte > DEPTH_PROBE_BYTES and _too_deep(root, c)):
                gave_up.append(u)
                continue
            fill(u, root, c)
        i = j
    return sorted(gave_up, key=lambda u: u.start_byte)

