"""Personalized PageRank over the symbol graph."""

from __future__ import annotations

from ssc_lsp.context.graph import SymbolGraph
from ssc_lsp.map.workspace import Workspace


def toy() -> SymbolGraph:
    g = SymbolGraph(Workspace(), None)  # type: ignore[arg-type]
    g._apply([("calls", "a", "b"), ("calls", "b", "c"), ("contains", "m", "a"), ("calls", "x", "y")], +1)
    g.built = True
    return g


def test_mass_reaches_neighbours_not_strangers():
    g = toy()
    through = g.personalized_pagerank({"a": 1.0})
    assert through["b"] > through.get("c", 0.0) > 0
    assert "y" not in through and "x" not in through
    assert g.explain("b") == "a"


def test_walk_is_deterministic_and_scaled_like_seeds():
    g = toy()
    one = g.personalized_pagerank({"a": 2.0, "x": 1.0})
    two = g.personalized_pagerank({"x": 1.0, "a": 2.0})
    assert one == two
    doubled = g.personalized_pagerank({"a": 4.0, "x": 2.0})
    for k, v in one.items():
        assert abs(doubled[k] - 2 * v) < 1e-9


def test_edges_are_removed_with_their_file():
    g = toy()
    g._apply([("calls", "a", "b")], -1)
    assert "b" not in g.neighbours("a")
    assert abs(g.wsum["a"] - 1.0) < 1e-9  # only `contains` from m (backward weight 1.0) is left
    assert g.relation("b", "c") == "calls"
    assert g.relation("c", "b") == "calls-by"
