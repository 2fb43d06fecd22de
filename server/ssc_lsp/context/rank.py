"""Ranking: source evidence as the personalization of a PageRank over the symbol graph.

personalization(c) = sum over sources s of  SOURCE_WEIGHTS[s] * strength_s(c)
score(c)           = personalization(c) + GRAPH_WEIGHT * (mass that reached c through the graph)

The walk starts from every symbol candidate in proportion to its personalization, so the
cursor's scope, the names it uses and the receiver's members pull their callers, callees, bases
and members up, and a symbol reached from several seeds collects from all of them. Nodes the walk
reaches that no source proposed become candidates of their own ("graph"). Ties are broken by key,
so the order is deterministic.
"""

from __future__ import annotations

from ..map.workspace import Located
from . import weights as W
from .graph import SymbolGraph
from .items import Candidate
from .sources.base import Pool

SOURCE_WEIGHTS: dict[str, float] = {
    "receiver": W.W_RECEIVER,
    "receiver_guess": W.W_RECEIVER_GUESS,
    "import": W.W_IMPORT,
    "nearby": W.W_NEARBY,
    "scope": W.W_SCOPE,
    "sibling": W.W_SIBLING,
    "caller": W.W_CALLER,
    "recent": W.W_RECENT,
    "lexical": W.W_LEXICAL,
    "docs": W.W_DOCS,
    "guidelines": W.W_GUIDELINES,
    "same_file": W.W_SAME_FILE,
    "same_package": W.W_SAME_PACKAGE,
    "external": W.W_EXTERNAL,
    "slot": W.W_SLOT,
    "typed": W.W_TYPED,
    "graph": 0.0,  # graph-only candidates score by the walk alone
}


RECEIVER_SOURCES = ("receiver", "receiver_guess")
Focus = tuple[tuple[str, ...], float]  # (sources that show a candidate fits, factor if it does not)


def personalization(c: Candidate, focus: list[Focus] | None = None) -> float:
    """Weighted evidence, damped for each focus the candidate does not fit (weights.py:
    RECEIVER_OTHERS_FACTOR after `x.`, TYPED_OTHERS_FACTOR once a word is being typed)."""
    total = sum(SOURCE_WEIGHTS.get(s, 0.0) * v for s, v in c.strengths.items())
    for sources, factor in focus or ():
        if not any(s in c.strengths for s in sources):
            total *= factor
    return total


def focus_of(notes: dict) -> list[Focus]:
    out: list[Focus] = []
    found = notes.get("receiver_found")
    if found:
        out.append((RECEIVER_SOURCES, W.RECEIVER_OTHERS_FACTOR.get(found, 1.0)))
    if notes.get("typed_found"):
        out.append((("typed",), W.TYPED_OTHERS_FACTOR))
    return out


def rank(pool: Pool, graph: SymbolGraph | None) -> list[Candidate]:
    cands = pool.values()
    focus = focus_of(pool.q.notes)
    seeds: dict[str, float] = {}
    for c in cands:
        c.score = personalization(c, focus)
        if c.symbol is not None and c.score > 0:
            seeds[c.key] = c.score
    if graph is not None and seeds:
        through = graph.personalized_pagerank(seeds)
        fresh = sorted((n for n in through if pool.get(n) is None), key=lambda n: (-through[n], n))
        keep = set(fresh[: W.GRAPH_MAX_NEW])
        for node, mass in sorted(through.items()):
            if node not in keep and pool.get(node) is None:
                continue
            gained = W.GRAPH_WEIGHT * mass
            cand = pool.get(node)
            if cand is None:
                loc = pool.q.ws.get(node)
                if loc is None:
                    continue
                src = graph.explain(node)
                rel = graph.relation(src, node).replace("-by", " (reverse)")
                before = len(pool)
                cand = pool.add_symbol(Located(loc.file, loc.symbol), "graph", 0.0,
                                       f"graph: {rel} {src.split('::')[-1]}", twin=False)
                if cand is None or len(pool) == before:
                    continue  # not a node worth showing, or an alias of a known candidate
                cand.score = 0.0
                gained *= pool.prior(cand.path)
            cand.score += gained
    best = max((c.score for c in cands), default=0.0)
    floor = best * W.MIN_SCORE_SHARE
    ranked = [c for c in pool.values() if c.score > floor]
    ranked.sort(key=lambda c: (-c.score, c.key))
    return ranked
